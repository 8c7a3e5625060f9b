"""Evidence on S3-compatible storage, against a real S3 server started on 127.0.0.1 (R-EVD-3).

moto's standalone server speaks the S3 protocol over HTTP: django-storages uploads to it,
presigns links for it, and it refuses unsigned requests, so "not public" is tested for real.
The storage is switched with the settings fixture, which resets Django's storage cache; the
Evidence FileFields use the lazy default storage, so they follow.
"""

from __future__ import annotations

import io
import os
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from arbitration import services as arbitration
from arbitration.models import Evidence
from tests.evidence import files
from tests.evidence.files import upload

try:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from moto.server import ThreadedMotoServer
except ImportError:  # pragma: no cover - moto[server] is a dev dependency
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise
    pytest.skip("needs moto[server] and boto3 (pip install 'moto[server]' boto3)", allow_module_level=True)

MB = 1024 * 1024
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A private bucket of its own, and Django's default storage pointing at it."""
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=name)
    # As config/settings.py sets it up for STORAGE_BACKEND=s3.
    transfer = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4)
    transfer.max_in_memory_upload_chunks = transfer.max_in_memory_download_chunks = 4
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "transfer_config": transfer,
                "max_memory_size": 8 * MB,
                "signature_version": "s3v4",
            },
        },
    }
    settings.EVIDENCE_URL_EXPIRE_SECONDS = 45
    return {"name": name, "client": client, "endpoint": s3_endpoint}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_r_evd_3_the_storage_really_is_s3_for_this_test(bucket):
    from storages.backends.s3 import S3Storage

    assert isinstance(default_storage, S3Storage)
    assert isinstance(Evidence._meta.get_field("file").storage, S3Storage)
    assert Evidence._meta.get_field("file").storage.bucket_name == bucket["name"]


def test_r_evd_3_an_upload_lands_in_the_bucket_with_its_real_type(open_dispute, buyer, bucket):
    statement = files.pdf()
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("statement.pdf", statement, "text/html")]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    head = bucket["client"].head_object(Bucket=bucket["name"], Key=evidence.file.name)
    assert head["ContentLength"] == len(statement)
    assert head["ContentType"] == "application/pdf"  # not the browser's "text/html"
    stored = bucket["client"].get_object(Bucket=bucket["name"], Key=evidence.file.name)["Body"].read()
    assert stored == statement


def test_r_evd_3_the_owner_is_redirected_to_a_short_lived_presigned_link_that_works(
    open_dispute, buyer, bucket
):
    statement = files.pdf()
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("s.pdf", statement)]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    response = client_for(buyer).get(reverse("evidence-file", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    link = response["Location"]
    assert link.startswith(f"{bucket['endpoint']}/{bucket['name']}/{evidence.file.name}?")
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["45"]
    downloaded = requests.get(link, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == statement
    assert downloaded.headers["Content-Type"] == "application/pdf"
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="s.pdf"'


def test_r_evd_3_the_object_is_not_public(open_dispute, buyer, bucket):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("s.pdf", files.pdf())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    anonymous = requests.get(f"{bucket['endpoint']}/{bucket['name']}/{evidence.file.name}", timeout=10)
    assert anonymous.status_code == 403


def test_r_sec_1_a_stranger_gets_404_and_no_link(open_dispute, buyer, stranger, bucket):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("s.pdf", files.pdf())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    for user in (stranger, None):
        response = client_for(user).get(reverse("evidence-file", args=[evidence.pk]))
        assert response.status_code == 404
        assert "Location" not in response


def test_r_evd_4_on_s3_the_counterparty_downloads_the_rendition_without_gps(
    open_dispute, buyer, seller, arbiter, bucket, django_capture_on_commit_callbacks
):
    photo = files.jpeg(gps=True)
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute, actor=buyer, body="x", files=[upload("p.jpg", photo)]
        )
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.rendition.name and evidence.thumbnail.name

    seller_link = client_for(seller).get(reverse("evidence-file", args=[evidence.pk]))["Location"]
    seen_by_seller = requests.get(seller_link, timeout=10)
    assert seen_by_seller.headers["Content-Type"] == "image/jpeg"
    assert seen_by_seller.headers["Content-Disposition"] == 'inline; filename="p.jpg"'
    assert not Image.open(io.BytesIO(seen_by_seller.content)).getexif().get_ifd(0x8825)

    arbiter_link = client_for(arbiter).get(reverse("evidence-original", args=[evidence.pk]))["Location"]
    assert requests.get(arbiter_link, timeout=10).content == photo


def test_r_evd_3_a_big_video_goes_up_in_bounded_multipart_parts(open_dispute, buyer, bucket):
    video = files.mp4(mdat=os.urandom(1024 * 1024) * 18)  # 18 MB: three 8 MB parts
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("v.mp4", video)]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    head = bucket["client"].head_object(Bucket=bucket["name"], Key=evidence.file.name)
    assert head["ContentLength"] == len(video)
    assert head["ETag"].strip('"').endswith("-3")  # an S3 multipart ETag: "<md5 of parts>-<count>"
