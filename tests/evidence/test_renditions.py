"""Thumbnails and metadata-free renditions, made by Celery after commit (R-EVD-4).

The counterparty never sees the original's metadata: the rendition has the EXIF orientation
applied and no GPS, camera, comment, text or XMP left; a video's location boxes are blanked.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from arbitration import services as arbitration
from arbitration.evidence import evidence_process
from arbitration.evidence import renditions as module
from arbitration.models import Evidence
from marketplace import queueing
from tests.evidence import files
from tests.evidence.files import upload

ROOT = Path(__file__).resolve().parents[2]


def post_and_commit(dispute, actor, django_capture_on_commit_callbacks, *uploads):
    """Upload as the service does, then run what was queued after commit (the Celery task, eager)."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        arbitration.dispute_post_message(dispute=dispute, actor=actor, body="Evidence", files=list(uploads))
    return callbacks


def opened(fieldfile) -> Image.Image:
    with fieldfile.storage.open(fieldfile.name, "rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


def test_r_evd_4_processing_is_queued_after_commit_not_before(
    open_dispute, buyer, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    real_enqueue = queueing.enqueue

    def recording_enqueue(task_name, *args):
        queued.append((task_name, args))
        real_enqueue(task_name, *args)

    monkeypatch.setattr(queueing, "enqueue", recording_enqueue)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        arbitration.dispute_post_message(
            dispute=open_dispute,
            actor=buyer,
            body="Two photos",
            files=[upload("a.jpg", files.jpeg(gps=True)), upload("b.png", files.png())],
        )
    assert Evidence.objects.filter(dispute=open_dispute, processed_at__isnull=True).count() == 2
    assert queued == []  # nothing is queued before the commit
    for callback in callbacks:
        callback()
    processing = [args for name, args in queued if name == "arbitration.tasks.evidence_process_task"]
    assert sorted(processing) == sorted(
        (pk,) for pk in Evidence.objects.filter(dispute=open_dispute).values_list("pk", flat=True)
    )
    assert not Evidence.objects.filter(dispute=open_dispute, processed_at__isnull=True).exists()


def test_r_evd_4_the_rendition_of_a_photo_has_no_gps_or_camera_details(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    original = files.jpeg(gps=True, comment=b"taken at home, 12 Tverskaya")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the original has a location
    post_and_commit(open_dispute, buyer, django_capture_on_commit_callbacks, upload("photo.jpg", original))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.processed_at is not None
    rendition = opened(evidence.rendition)
    assert rendition.format == "JPEG"
    assert dict(rendition.getexif()) == {}
    assert not rendition.getexif().get_ifd(0x8825)
    assert "comment" not in rendition.info and "exif" not in rendition.info and "xmp" not in rendition.info
    with evidence.rendition.storage.open(evidence.rendition.name, "rb") as f:
        raw = f.read()
    assert b"PhoneMaker" not in raw and b"Tverskaya" not in raw


def test_r_evd_4_the_rendition_is_turned_the_way_the_camera_said(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    # 80 × 40, left half red, right half blue, stored sideways: orientation 6 means "turn 90° clockwise".
    post_and_commit(
        open_dispute,
        buyer,
        django_capture_on_commit_callbacks,
        upload("sideways.jpg", files.jpeg(80, 40, orientation=6)),
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    rendition = opened(evidence.rendition).convert("RGB")
    assert rendition.size == (40, 80)
    top, bottom = rendition.getpixel((20, 5)), rendition.getpixel((20, 75))
    assert top[0] > 200 and top[2] < 60  # red on top: the left half went up
    assert bottom[2] > 200 and bottom[0] < 60
    assert 0x0112 not in rendition.getexif()  # no orientation left to apply twice


def test_r_evd_4_png_text_chunks_are_not_copied_to_the_rendition(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    post_and_commit(
        open_dispute,
        buyer,
        django_capture_on_commit_callbacks,
        upload("screenshot.png", files.png(text={"Location": "55.7539 N, 37.6208 E", "Author": "Boris"})),
    )
    rendition = opened(Evidence.objects.get(dispute=open_dispute).rendition)
    assert rendition.format == "PNG"
    assert rendition.text == {}


def test_r_evd_4_a_thumbnail_is_made_for_the_admin(
    open_dispute, buyer, django_capture_on_commit_callbacks, settings
):
    settings.EVIDENCE_THUMBNAIL_PX = 100
    post_and_commit(
        open_dispute, buyer, django_capture_on_commit_callbacks, upload("big.png", files.png(640, 320))
    )
    thumbnail = opened(Evidence.objects.get(dispute=open_dispute).thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (100, 50)
    assert dict(thumbnail.getexif()) == {}


def test_r_evd_4_an_animated_gif_keeps_its_frames_in_the_rendition(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    post_and_commit(
        open_dispute, buyer, django_capture_on_commit_callbacks, upload("anim.gif", files.gif(frames=3))
    )
    rendition = opened(Evidence.objects.get(dispute=open_dispute).rendition)
    assert rendition.format == "GIF"
    assert rendition.n_frames == 3


def test_r_evd_4_the_video_rendition_has_its_location_boxes_blanked_and_plays_the_same(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    media = bytes(range(256)) * 64
    original = files.mp4(mdat=media)
    assert original.count(files.ISO6709) == 2
    post_and_commit(open_dispute, buyer, django_capture_on_commit_callbacks, upload("clip.mp4", original))
    evidence = Evidence.objects.get(dispute=open_dispute)
    with evidence.rendition.storage.open(evidence.rendition.name, "rb") as f:
        rendition = f.read()
    assert len(rendition) == len(original)  # no offset moved: the media data is where the index says
    assert files.ISO6709 not in rendition
    assert b"com.apple.quicktime.location" not in rendition
    assert b"udta" not in rendition and b"meta" not in rendition
    assert rendition.count(b"free") == 2
    assert rendition.endswith(files.box(b"mdat", media))
    assert rendition.startswith(original[:32])  # the ftyp box is untouched
    assert evidence.thumbnail.name == ""


@pytest.mark.parametrize(("name", "make"), [("statement.pdf", files.pdf), ("clip.webm", files.webm)])
def test_r_evd_4_pdfs_and_webm_are_processed_without_a_copy(
    open_dispute, buyer, django_capture_on_commit_callbacks, name, make
):
    post_and_commit(open_dispute, buyer, django_capture_on_commit_callbacks, upload(name, make()))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.processed_at is not None
    assert (evidence.rendition.name, evidence.thumbnail.name) == ("", "")


def test_r_evd_4_processing_twice_keeps_the_first_result(open_dispute, buyer, private_media):
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("photo.jpg", files.jpeg(gps=True))]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence_process(evidence_id=evidence.pk) == "processed"
    first = Evidence.objects.get(pk=evidence.pk)
    files_after_first = sorted(p.name for p in private_media.rglob("*") if p.is_file())
    assert evidence_process(evidence_id=evidence.pk) == "already processed"
    again = Evidence.objects.get(pk=evidence.pk)
    assert (again.rendition.name, again.thumbnail.name, again.processed_at) == (
        first.rendition.name,
        first.thumbnail.name,
        first.processed_at,
    )
    assert sorted(p.name for p in private_media.rglob("*") if p.is_file()) == files_after_first


def test_r_evd_4_a_run_that_loses_the_race_deletes_its_own_copies(
    open_dispute, buyer, private_media, monkeypatch
):
    """Two workers got the same task: the second to lock the row keeps nothing of its own."""
    arbitration.dispute_post_message(
        dispute=open_dispute, actor=buyer, body="x", files=[upload("photo.jpg", files.jpeg())]
    )
    evidence = Evidence.objects.get(dispute=open_dispute)
    real = module._image_renditions
    raced = []

    def slow_renditions(ev):
        made = real(ev)
        if not raced:  # while this run was encoding, another worker finished the same file
            raced.append(True)
            assert evidence_process(evidence_id=ev.pk) == "processed"
        return made

    monkeypatch.setattr(module, "_image_renditions", slow_renditions)
    assert evidence_process(evidence_id=evidence.pk) == "already processed"
    stored = sorted(p.relative_to(private_media).as_posix() for p in private_media.rglob("*") if p.is_file())
    kept = Evidence.objects.get(pk=evidence.pk)
    assert stored == sorted([kept.file.name, kept.rendition.name, kept.thumbnail.name])


def test_r_evd_4_the_task_runs_by_id_and_tolerates_a_missing_row(db):
    from arbitration.tasks import evidence_process_task

    assert evidence_process_task.delay(987654).get() == "gone"


def test_r_evd_4_a_web_process_queues_the_processing_task_by_its_name():
    """The upload service queues the task by name and imports no tasks module, so a process that
    never imported ``arbitration.tasks`` (a gunicorn worker) must still find it and queue it."""
    code = (
        "import sys, django; django.setup()\n"
        "from arbitration.evidence.services import PROCESS_TASK\n"
        "from marketplace.queueing import enqueue\n"
        "before = 'arbitration.tasks' in sys.modules\n"
        "enqueue(PROCESS_TASK, 1)\n"
        "print(before, 'arbitration.tasks' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
    assert "Could not queue" not in result.stderr
