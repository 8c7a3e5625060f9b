"""Storing evidence: hashed while streamed, random names, never edited (R-EVD-3, R-EVD-2).

Also the upload path in front of it: Django's upload handlers put big files on disk in
chunks, and the ``EvidenceFilesField`` form field explains every refused file.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from datetime import UTC, datetime

import pytest
import time_machine
from django import forms
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.test import RequestFactory

from arbitration import services as arbitration
from arbitration.evidence import CHUNK, EvidenceImmutable, EvidenceRejected, evidence_remaining
from arbitration.evidence.forms import EvidenceFilesField
from arbitration.models import Evidence
from marketplace import services as money
from tests.evidence import files
from tests.evidence.conftest import open_with
from tests.evidence.files import upload


class ChunkOnlyFile(io.RawIOBase):
    """A file on disk that fails the test if anyone reads it whole, or more than a chunk at once."""

    def __init__(self, data: bytes) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed with this object
        self._file.write(data)
        self._file.seek(0)
        self.largest_read = 0
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("read the whole file at once")
        if size > CHUNK:
            raise AssertionError(f"read {size} bytes at once")
        self.largest_read = max(self.largest_read, size)
        data = self._file.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


def post(dispute, actor, *uploads):
    return arbitration.dispute_post_message(
        dispute=dispute, actor=actor, body="Evidence", files=list(uploads)
    )


# --- Hash, names, uploader, time ------------------------------------------------------------


def test_r_evd_3_every_file_gets_its_sha256_uploader_and_time(open_dispute, buyer, private_media):
    photo = files.jpeg(gps=True)
    message = post(open_dispute, buyer, upload("photo.jpg", photo))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    assert evidence.size == len(photo)
    assert evidence.uploaded_by == buyer
    assert evidence.message == message
    assert evidence.created_at is not None
    assert (private_media / evidence.file.name).read_bytes() == photo


def test_r_evd_3_files_are_stored_under_random_names_in_the_private_folder(
    open_dispute, buyer, private_media
):
    post(
        open_dispute,
        buyer,
        upload("my passport.jpg", files.jpeg()),
        upload("my passport 2.jpg", files.jpeg(65)),
    )
    names = [e.file.name for e in Evidence.objects.filter(dispute=open_dispute)]
    assert len(set(names)) == 2
    for name in names:
        assert name.startswith("evidence/") and name.endswith(".jpg")
        assert "passport" not in name
        assert len(name.rsplit("/", 1)[1]) == len("0123456789abcdef0123456789abcdef.jpg")  # a uuid4 hex
        assert (private_media / name).is_file()


def test_r_evd_3_a_big_video_is_read_and_stored_in_chunks_never_whole(open_dispute, buyer, private_media):
    video = files.mp4(mdat=bytes(range(256)) * (6 * 4096))  # 6 MB
    source = ChunkOnlyFile(video)
    big = UploadedFile(file=source, name="unboxing.mp4", content_type="video/mp4", size=len(video))
    post(open_dispute, buyer, big)
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.sha256 == hashlib.sha256(video).hexdigest()
    assert (private_media / evidence.file.name).read_bytes() == video
    assert 0 < source.largest_read <= CHUNK
    # One pass to hash and scan, one to store, and a few small structure reads: never a copy in memory.
    assert source.bytes_read < 2 * len(video) + 1024 * 1024


def test_r_evd_3_a_photo_is_decoded_and_stored_without_reading_it_whole(open_dispute, buyer, private_media):
    photo = files.jpeg(1200, 900, gps=True)
    source = ChunkOnlyFile(photo)
    post(
        open_dispute,
        buyer,
        UploadedFile(file=source, name="photo.jpg", content_type="image/jpeg", size=len(photo)),
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert (private_media / evidence.file.name).read_bytes() == photo


def test_r_evd_3_the_stored_type_is_the_one_found_not_the_one_the_browser_claimed(open_dispute, buyer):
    post(open_dispute, buyer, upload("statement.pdf", files.pdf(), content_type="text/html"))
    assert Evidence.objects.get(dispute=open_dispute).content_type == "application/pdf"


# --- The same file twice --------------------------------------------------------------------


def test_r_evd_3_the_same_file_twice_in_one_dispute_is_refused_naming_who_and_when(
    open_dispute, buyer, seller
):
    photo = files.jpeg(gps=True)
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        post(open_dispute, buyer, upload("IMG_0001.jpg", photo))
    with pytest.raises(EvidenceRejected) as excinfo:
        post(open_dispute, buyer, upload("copy.jpg", photo))
    assert excinfo.value.messages == [
        "“copy.jpg” is already in this dispute: you uploaded it on March 3, 2025 as “IMG_0001.jpg”."
    ]
    with pytest.raises(EvidenceRejected) as excinfo:
        post(open_dispute, seller, upload("their-photo.jpg", photo))
    assert "the buyer uploaded it on" in excinfo.value.messages[0]
    assert Evidence.objects.filter(dispute=open_dispute).count() == 1


def test_r_evd_3_the_same_file_twice_in_one_upload_is_refused(open_dispute, buyer):
    photo = files.jpeg()
    with pytest.raises(EvidenceRejected) as excinfo:
        post(open_dispute, buyer, upload("a.jpg", photo), upload("b.jpg", photo))
    assert excinfo.value.messages == ["“b.jpg” and “a.jpg” are the same file; attach it once."]


def test_r_evd_3_the_same_file_may_be_evidence_in_two_different_disputes(
    shipped_order, buyer, seller, stranger
):
    photo = files.jpeg()
    open_with(shipped_order, buyer, files=[upload("a.jpg", photo)])
    other = money.order_pay(
        buyer=stranger,
        seller=seller,
        item_title="Cable",
        amount="5.00",
        currency="USD",
        payment_method="card",
    )
    other = money.order_ship(order=other, actor=seller, carrier="DHL", tracking_number="1")
    open_with(other, stranger, files=[upload("a.jpg", photo)])
    assert Evidence.objects.filter(sha256=hashlib.sha256(photo).hexdigest()).count() == 2


def test_r_evd_2_the_count_left_is_told_before_anything_is_stored(open_dispute, buyer, settings):
    settings.EVIDENCE_MAX_FILES_PER_DISPUTE = 5
    post(open_dispute, buyer, upload("a.png", files.png(10, 10)), upload("b.png", files.png(11, 11)))
    assert evidence_remaining(dispute=open_dispute) == 3


def test_r_evd_2_safety_reports_have_the_same_count_limit(shipped_order, buyer, settings):
    settings.EVIDENCE_MAX_FILES_PER_DISPUTE = 1
    with pytest.raises(EvidenceRejected) as excinfo:
        arbitration.safety_report_file(
            order=shipped_order,
            actor=buyer,
            description="The battery swelled.",
            files=[upload("a.png", files.png(10, 10)), upload("b.png", files.png(11, 11))],
        )
    assert "A case can have up to 1 files" in excinfo.value.messages[0]


# --- Immutable ------------------------------------------------------------------------------


@pytest.fixture
def evidence(open_dispute, buyer):
    post(open_dispute, buyer, upload("photo.jpg", files.jpeg(gps=True)))
    return Evidence.objects.get(dispute=open_dispute)


def test_r_evd_3_evidence_cant_be_edited(evidence):
    evidence.original_name = "nicer-name.jpg"
    with pytest.raises(EvidenceImmutable, match="can't be changed after upload"):
        evidence.save()
    with pytest.raises(EvidenceImmutable):
        evidence.save(update_fields=["original_name", "processed_at"])
    assert Evidence.objects.get(pk=evidence.pk).original_name == "photo.jpg"


def test_r_evd_3_evidence_cant_be_replaced_by_saving_a_new_object_with_its_id(evidence, buyer):
    copy = Evidence.objects.get(pk=evidence.pk)
    copy._state.adding = True
    copy.sha256 = "0" * 64
    with pytest.raises(EvidenceImmutable):
        copy.save()


def test_r_evd_3_evidence_cant_be_deleted_one_by_one_or_in_bulk(evidence):
    # Django deletes inside its transaction: each attempt gets a savepoint, as a view would.
    with pytest.raises(EvidenceImmutable, match="can't be deleted"), transaction.atomic():
        evidence.delete()
    with pytest.raises(EvidenceImmutable), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).delete()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_r_evd_4_only_the_background_processing_fields_may_be_filled_in(evidence):
    evidence.processed_at = evidence.created_at
    evidence.save(update_fields=["processed_at"])
    assert Evidence.objects.get(pk=evidence.pk).processed_at == evidence.created_at


# --- The upload path: handlers and the form field -------------------------------------------


def multipart(**uploads):
    return RequestFactory().post("/evidence-upload/", uploads)


def test_r_evd_3_a_file_bigger_than_memory_limit_is_streamed_to_a_temporary_file(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    video = files.mp4(mdat=b"\x01" * (3 * 1024 * 1024))
    request = multipart(files=[upload("clip.mp4", video)])
    received = request.FILES.getlist("files")
    assert len(received) == 1
    assert isinstance(received[0], TemporaryUploadedFile)
    assert received[0].size == len(video)


def test_r_evd_2_a_file_past_the_largest_limit_is_not_written_to_disk_and_is_refused(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    settings.EVIDENCE_MAX_IMAGE_MB, settings.EVIDENCE_MAX_VIDEO_MB, settings.EVIDENCE_MAX_PDF_MB = 1, 2, 1
    video = files.mp4(mdat=b"\x01" * (3 * 1024 * 1024))
    received = multipart(files=[upload("long.mp4", video)]).FILES["files"]
    assert received.size == len(video)
    assert received.evidence_oversize
    assert os.path.getsize(received.temporary_file_path()) <= 64 * 1024  # only the first bytes were kept
    field = EvidenceFilesField()
    with pytest.raises(forms.ValidationError) as excinfo:
        field.clean([received])
    assert excinfo.value.messages == ["“long.mp4” is too large (3.0 MB). Videos can be up to 2 MB."]


class MessageForm(forms.Form):
    body = forms.CharField(required=False)
    files = EvidenceFilesField()


def test_r_evd_1_the_form_field_takes_several_files_and_explains_each_refused_one():
    request = multipart(
        body="Two photos and two mistakes",
        files=[
            upload("front.jpg", files.jpeg()),
            upload("back.png", files.png()),
            upload("drawing.svg", files.SVG_WITH_SCRIPT),
            upload("setup.exe", files.windows_program()),
        ],
    )
    form = MessageForm(request.POST, request.FILES)
    assert not form.is_valid()
    assert form.errors["files"] == [
        "“drawing.svg” is a web page or drawing (HTML, SVG or XML), not a photo, video or PDF. "
        "Take a screenshot of it and upload the screenshot.",
        "“setup.exe” is a program, not a photo, video or PDF. Programs are never accepted.",
    ]
    assert form.data["body"] == "Two photos and two mistakes"  # re-rendered with the user's text


def test_r_evd_2_the_form_field_shows_the_rules_and_accepts_several_files(settings):
    settings.EVIDENCE_MAX_FILES_PER_DISPUTE = 12
    html = str(MessageForm()["files"])
    assert "multiple" in html
    assert 'accept="image/jpeg,image/png' in html
    help_text = str(MessageForm().fields["files"].help_text)
    assert "up to 15 MB" in help_text and "up to 200 MB" in help_text and "up to 20 MB" in help_text
    assert "up to 12 files" in help_text


def test_r_evd_2_the_form_field_refuses_more_files_than_the_dispute_has_room_for():
    field = EvidenceFilesField(max_files=1)
    with pytest.raises(forms.ValidationError) as excinfo:
        field.clean([upload("a.png", files.png(10, 10)), upload("b.png", files.png(11, 11))])
    assert excinfo.value.messages == ["You can add 1 more file here; you chose 2."]


def test_r_evd_3_files_checked_by_the_form_are_stored_by_the_service_without_a_second_read(
    open_dispute, buyer
):
    video = files.mp4()
    source = ChunkOnlyFile(video)
    checked = EvidenceFilesField().clean(
        [UploadedFile(file=source, name="clip.mp4", content_type="video/mp4", size=len(video))]
    )
    read_by_the_form = source.bytes_read
    post(open_dispute, buyer, *checked)
    assert source.bytes_read - read_by_the_form <= len(video)  # the storage copy only


def test_r_evd_3_a_configured_upload_folder_is_created_on_first_use(settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads" / "evidence")
    received = multipart(files=[upload("clip.mp4", files.mp4())]).FILES["files"]
    assert received.temporary_file_path().startswith(settings.FILE_UPLOAD_TEMP_DIR)
