"""Thumbnails and metadata-free renditions, made by Celery after commit (R-EVD-4).

For images, a thumbnail and a re-encoded copy with the EXIF orientation applied, colours
converted to sRGB and every piece of metadata dropped (GPS, camera, comments, XMP), at most
12 megapixels and made from a reduced decode (``pictures``); for
MP4/QuickTime, a copy whose metadata boxes (``udta``, ``meta``, XMP) are overwritten by
``free`` boxes of the same size, so the video plays unchanged without its location. The buyer
and seller see the rendition; only arbiters (and the uploader) get the original. WebM and PDF
files are served as uploaded: browser and Android recorders put no location in WebM, and PDFs
are documents.
"""

from __future__ import annotations

import logging
import struct
import tempfile
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone
from PIL import Image

from arbitration.evidence.pictures import image_renditions
from arbitration.evidence.reading import Damaged, Foreign, StoredContent, chunks, read_at
from arbitration.evidence.sniffing import EXTENSIONS, PIL_FORMATS
from arbitration.evidence.structure import isobmff_boxes
from arbitration.models import Evidence

log = logging.getLogger(__name__)


def _image_renditions(evidence: Evidence) -> dict[str, File[bytes]]:
    extension = EXTENSIONS[evidence.content_type][0]
    with evidence.file.storage.open(evidence.stored_name, "rb") as f:
        rendition, thumbnail = image_renditions(f, PIL_FORMATS[evidence.content_type])
    return {
        "rendition": ContentFile(rendition, name=f"rendition{extension}"),
        "thumbnail": ContentFile(thumbnail, name="thumbnail.jpg"),
    }


_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"edts"}


def _video_metadata_edits(f: IO[bytes], size: int) -> list[tuple[int, int, bytes | None]]:
    """Byte ranges to overwrite: each metadata box becomes a zero-filled ``free`` box of the
    same size, so no offset in the file changes and the video plays as before."""
    edits: list[tuple[int, int, bytes | None]] = []

    def visit(start: int, end: int, depth: int) -> None:
        for box in isobmff_boxes(f, start, end):
            is_xmp = box.kind == b"uuid" and read_at(f, box.start + box.header, 16) == _XMP_UUID
            if box.kind in (b"udta", b"meta") or is_xmp:
                edits.append((box.start + 4, box.start + 8, b"free"))
                if box.header == 16:
                    edits.append((box.start + 16, box.end, None))
                else:
                    edits.append((box.start + 8, box.end, None))
            elif box.kind in _CONTAINERS and depth < 6:
                visit(box.start + box.header, box.end, depth + 1)

    visit(0, size, 0)
    return edits


def _video_rendition(evidence: Evidence) -> dict[str, File[bytes]]:
    storage = evidence.file.storage
    # Closed by evidence_process once stored.
    out = tempfile.TemporaryFile(dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None))  # noqa: SIM115
    with storage.open(evidence.stored_name, "rb") as f:
        edits = _video_metadata_edits(f, evidence.size)
        position = 0
        for chunk in chunks(f):
            buf = bytearray(chunk)
            chunk_end = position + len(buf)
            for start, end, data in edits:
                lo, hi = max(start, position), min(end, chunk_end)
                if lo < hi:
                    buf[lo - position : hi - position] = (
                        bytes(hi - lo) if data is None else data[lo - start : hi - start]
                    )
            out.write(buf)
            position = chunk_end
    out.seek(0)
    content = StoredContent(out, name=f"rendition{EXTENSIONS[evidence.content_type][0]}")
    content.content_type = evidence.content_type
    return {"rendition": content}


# Tries of one file before it is failed for good (the task's own retries count as one each).
MAX_PROCESSING_ATTEMPTS = 5
_UNDECODABLE = (Damaged, Foreign, Image.DecompressionBombError, SyntaxError, ValueError, struct.error)


def evidence_process(*, evidence_id: int) -> str:
    """Make the thumbnail and the metadata-free rendition of one file, once (R-EVD-4).

    Safe to run twice at once: the files are made outside any lock, and only the first run to
    lock the row records its files; a later one deletes its own copies.

    A file that can't be decoded (checked at upload, so a bug or a changed library) is failed for
    good at once; any other error (the storage unreachable) counts a try and is raised for the
    caller to retry, until ``MAX_PROCESSING_ATTEMPTS``. A failed file is never retried every two
    minutes for ever: the other party is told it can't be shown, arbiters see the original.
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return "gone"
    if evidence.processed_at is not None:
        return "already processed"
    if evidence.processing_failed_at is not None:
        return "failed"
    try:
        return _process(evidence)
    except _UNDECODABLE as exc:
        log.error("Evidence %s could not be processed: %r", evidence_id, exc)
        _record_failed_try(evidence_id, for_good=True)
        return "failed"
    except Exception:
        _record_failed_try(evidence_id, for_good=False)
        raise


def _record_failed_try(evidence_id: int, *, for_good: bool) -> None:
    last, now = MAX_PROCESSING_ATTEMPTS - 1, timezone.now()
    try:
        Evidence.objects.filter(pk=evidence_id, processed_at__isnull=True).update(
            processing_attempts=F("processing_attempts") + 1,
            processing_failed_at=(
                now
                if for_good
                else Case(
                    When(processing_attempts__gte=last, then=Value(now)), default=F("processing_failed_at")
                )
            ),
        )
    except DatabaseError:
        log.exception("Evidence %s: could not record a failed try", evidence_id)


def _process(evidence: Evidence) -> str:
    evidence_id = evidence.pk
    made: dict[str, File[bytes]] = {}
    if evidence.kind == Evidence.Kind.IMAGE:
        made = _image_renditions(evidence)
    elif evidence.content_type in ("video/mp4", "video/quicktime"):
        made = _video_rendition(evidence)
    stored: dict[str, str] = {}
    for field, content in made.items():
        fieldfile = getattr(evidence, field)
        fieldfile.save(content.name, content, save=False)
        stored[field] = fieldfile.name
        content.close()
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence_id)
        if locked.processed_at is not None:
            for name in stored.values():
                evidence.file.storage.delete(name)
            return "already processed"
        for field, name in stored.items():
            setattr(locked, field, name)
        locked.processed_at = timezone.now()
        locked.save(update_fields=[*stored, "processed_at"])
    return "processed"


def evidence_unprocessed(now: datetime | None = None) -> QuerySet[Evidence]:
    """Files still without their rendition a while after upload: their after-commit task was lost
    (a broker restart) or failed. The ``process_evidence`` sweep makes them (R-EVD-4)."""
    return Evidence.objects.filter(
        processed_at__isnull=True,
        processing_failed_at__isnull=True,
        created_at__lte=(now or timezone.now()) - timedelta(minutes=2),
    )
