"""Who gets an evidence file, what they get, and with which headers (R-EVD-3, R-EVD-4, R-SEC-1).

The buyer (who uploaded it) and the seller (the counterparty) of the dispute see it; so does
the arbiter (staff with the permission to view evidence). A stranger, an anonymous visitor
and staff without the permission get 404, the same as for a file that does not exist.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from arbitration import services as arbitration
from arbitration.evidence.views import CONTENT_SECURITY_POLICY
from arbitration.models import Complaint, Evidence
from arbitration.tasks import evidence_process_task
from tests.evidence import files
from tests.evidence.files import upload


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_hardened(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]


@pytest.fixture
def photo_bytes():
    return files.jpeg(gps=True)


@pytest.fixture
def photo(open_dispute, buyer, photo_bytes, django_capture_on_commit_callbacks):
    """The buyer's photo of the swollen power bank, with its location; processed."""
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute, actor=buyer, body="Photo", files=[upload("IMG_0001.jpg", photo_bytes)]
        )
    return Evidence.objects.get(dispute=open_dispute, original_name="IMG_0001.jpg")


@pytest.fixture
def unprocessed_photo(open_dispute, buyer):
    """Uploaded a moment ago: the task has not run yet."""
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="Photo", files=[upload("fresh.jpg", files.jpeg(gps=True))]
    )
    return Evidence.objects.get(dispute=open_dispute, original_name="fresh.jpg")


def has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825))


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["buyer", "seller", "arbiter"])
def test_r_sec_1_the_buyer_the_seller_and_the_arbiter_see_the_photo(photo, who, request):
    response = client_for(request.getfixturevalue(who)).get(reverse("evidence-file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert_hardened(response)


@pytest.mark.parametrize("who", ["stranger", "anonymous", "finance_clerk"])
@pytest.mark.parametrize("url_name", ["evidence-file", "evidence-thumbnail", "evidence-original"])
def test_r_sec_1_anyone_else_gets_404_for_every_form_of_the_file(photo, who, url_name, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).get(reverse(url_name, args=[photo.pk]))
    assert response.status_code == 404
    assert response.content == b"This file does not exist, or you can't see it."
    assert_hardened(response)


def test_r_sec_1_a_file_that_does_not_exist_answers_the_same_404(buyer, photo):
    response = client_for(buyer).get(reverse("evidence-file", args=[photo.pk + 1000]))
    assert response.status_code == 404
    assert response.content == b"This file does not exist, or you can't see it."


def test_r_sec_1_the_original_is_for_arbiters_only_not_even_the_parties(
    photo, buyer, seller, arbiter, photo_bytes
):
    url = reverse("evidence-original", args=[photo.pk])
    assert client_for(buyer).get(url).status_code == 404
    assert client_for(seller).get(url).status_code == 404
    response = client_for(arbiter).get(url)
    assert response.status_code == 200
    assert body(response) == photo_bytes
    assert response["Content-Disposition"] == 'attachment; filename="IMG_0001.jpg"'
    assert_hardened(response)


def test_r_sec_1_safety_report_files_are_the_reporters_and_the_arbiters(
    shipped_order, buyer, seller, arbiter
):
    report = arbitration.safety_report_file(
        order=shipped_order,
        actor=buyer,
        description="The battery swelled and got hot.",
        files=[upload("battery.pdf", files.pdf())],
    )
    evidence = report.evidence.get()
    url = reverse("evidence-file", args=[evidence.pk])
    assert client_for(buyer).get(url).status_code == 200
    assert client_for(arbiter).get(url).status_code == 200
    assert client_for(seller).get(url).status_code == 404


def test_r_sec_1_complaint_files_are_the_complainants_and_the_arbiters(open_dispute, buyer, seller, arbiter):
    dispute = arbitration.dispute_withdraw(dispute=open_dispute, actor=buyer, confirmed=True)
    complaint = arbitration.complaint_file(
        dispute=dispute,
        actor=buyer,
        kind=Complaint.Kind.AGREEMENT_BROKEN,
        description="The seller promised a replacement and never sent it.",
        files=[upload("bank-statement.pdf", files.pdf(text="Statement"))],
    )
    evidence = complaint.evidence.get()
    url = reverse("evidence-file", args=[evidence.pk])
    assert client_for(buyer).get(url).status_code == 200
    assert client_for(arbiter).get(url).status_code == 200
    assert client_for(seller).get(url).status_code == 404  # a bank statement is not the seller's to read


def test_r_sec_1_an_inactive_arbiter_sees_nothing(photo, arbiter):
    client = client_for(arbiter)
    arbiter.is_active = False
    arbiter.save(update_fields=["is_active"])
    assert client.get(reverse("evidence-file", args=[photo.pk])).status_code == 404


# --- What each one gets (R-EVD-4) -----------------------------------------------------------


def test_r_evd_4_the_counterparty_gets_the_rendition_without_gps(photo, seller):
    response = client_for(seller).get(reverse("evidence-file", args=[photo.pk]))
    data = body(response)
    assert not has_gps(data)
    with photo.rendition.storage.open(photo.rendition.name, "rb") as f:
        assert data == f.read()


def test_r_evd_4_arbiters_download_the_original_with_its_gps(photo, arbiter):
    response = client_for(arbiter).get(reverse("evidence-original", args=[photo.pk]))
    assert has_gps(body(response))


def test_r_evd_4_before_the_rendition_exists_the_counterparty_is_told_to_wait(unprocessed_photo, seller):
    response = client_for(seller).get(reverse("evidence-file", args=[unprocessed_photo.pk]))
    assert response.status_code == 202
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"still being prepared" in response.content
    assert not response.content.startswith(b"\xff\xd8")
    assert_hardened(response)


def test_r_evd_4_before_the_rendition_exists_the_uploader_and_arbiters_see_the_original(
    unprocessed_photo, buyer, arbiter
):
    for user in (buyer, arbiter):
        response = client_for(user).get(reverse("evidence-file", args=[unprocessed_photo.pk]))
        assert response.status_code == 200
        assert has_gps(body(response))


def test_r_evd_4_a_video_is_never_sent_to_the_counterparty_with_its_location(open_dispute, buyer, seller):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="v", files=[upload("c.mp4", files.mp4())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    url = reverse("evidence-file", args=[evidence.pk])
    assert client_for(seller).get(url).status_code == 202
    evidence_process_task.delay(evidence.pk)  # what the worker does after commit
    response = client_for(seller).get(url)
    assert response.status_code == 200
    assert files.ISO6709 not in body(response)


def test_r_evd_4_the_thumbnail_is_a_small_inline_jpeg(photo, seller):
    response = client_for(seller).get(reverse("evidence-thumbnail", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="IMG_0001-thumbnail.jpg"'
    assert Image.open(io.BytesIO(body(response))).format == "JPEG"


def test_r_evd_4_no_thumbnail_yet_is_a_404(unprocessed_photo, buyer):
    assert (
        client_for(buyer).get(reverse("evidence-thumbnail", args=[unprocessed_photo.pk])).status_code == 404
    )


# --- Headers (R-EVD-3) ----------------------------------------------------------------------


def test_r_evd_3_photos_are_inline(photo, buyer):
    response = client_for(buyer).get(reverse("evidence-file", args=[photo.pk]))
    assert response["Content-Disposition"] == 'inline; filename="IMG_0001.jpg"'


@pytest.mark.parametrize(
    ("name", "make", "content_type", "served_as"),
    [
        ("statement.pdf", files.pdf, "application/pdf", "statement.pdf"),
        ("clip.webm", files.webm, "video/webm", "clip.webm"),
        ("receipt", files.pdf, "application/pdf", "receipt.pdf"),
    ],
)
def test_r_evd_3_everything_else_is_an_attachment_with_its_real_type(
    open_dispute, buyer, seller, name, make, content_type, served_as
):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload(name, make(), "text/html")]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    response = client_for(seller).get(reverse("evidence-file", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'
    assert_hardened(response)


def test_r_evd_3_a_jpeg_named_pdf_is_served_as_a_jpeg(open_dispute, buyer):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("receipt.pdf", files.jpeg())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    response = client_for(buyer).get(reverse("evidence-file", args=[evidence.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="receipt.pdf.jpg"'


def test_r_evd_3_a_non_ascii_name_is_sent_encoded(open_dispute, buyer):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("выписка.pdf", files.pdf())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    response = client_for(buyer).get(reverse("evidence-file", args=[evidence.pk]))
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''%D0%B2%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0.pdf"
    )


def test_r_evd_3_only_reading_is_allowed(photo, buyer):
    response = client_for(buyer).post(reverse("evidence-file", args=[photo.pk]))
    assert response.status_code == 405
    assert_hardened(response)
    assert client_for(buyer).head(reverse("evidence-file", args=[photo.pk])).status_code == 200


def test_r_evd_3_nginx_serves_the_file_after_the_check_with_x_accel_redirect(photo, seller, settings):
    settings.EVIDENCE_SENDFILE = "x-accel"
    settings.EVIDENCE_SENDFILE_PREFIX = "/protected-evidence/"
    response = client_for(seller).get(reverse("evidence-file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-evidence/{photo.rendition.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert_hardened(response)


def test_r_evd_3_apache_serves_the_file_after_the_check_with_x_sendfile(
    photo, arbiter, settings, private_media
):
    settings.EVIDENCE_SENDFILE = "x-sendfile"
    response = client_for(arbiter).get(reverse("evidence-original", args=[photo.pk]))
    assert response["X-Sendfile"] == str(private_media / photo.file.name)
    assert response.content == b""


def test_r_evd_3_a_file_missing_from_storage_is_a_404_not_an_error(photo, arbiter, private_media):
    (private_media / photo.file.name).unlink()
    response = client_for(arbiter).get(reverse("evidence-original", args=[photo.pk]))
    assert response.status_code == 404
    assert_hardened(response)
