"""The check every file passes before it is stored: type, size, foreign content, structure and a
full decode (R-EVD-1, R-EVD-2), with the SHA-256 computed on the way (R-EVD-3)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from arbitration.evidence.decoding import TooLarge, decode_fully
from arbitration.evidence.errors import EvidenceRejected
from arbitration.evidence.limits_text import too_large_message
from arbitration.evidence.names import safe_name
from arbitration.evidence.policy import size_limit
from arbitration.evidence.reading import MB, Damaged, Foreign, is_padding, read_at
from arbitration.evidence.scanning import has_zip_directory, hash_and_scan, pdf_active_content, scan_metadata
from arbitration.evidence.sniffing import ALLOWED, HEAD, PIL_FORMATS, refusal_for_unknown, sniff
from arbitration.evidence.structure import (
    PNG_PIXEL_CHUNKS,
    gif_structure,
    isobmff_media,
    jpeg_structure,
    pdf_structure,
    png_structure,
    webm_structure,
    webp_structure,
)
from arbitration.models import Evidence


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    kind: str
    sha256: str
    size: int


_KIND_LIMIT_MESSAGES: dict[str, str] = {
    Evidence.Kind.IMAGE: gettext_noop("Photos can be up to %(limit)s MB."),
    Evidence.Kind.VIDEO: gettext_noop("Videos can be up to %(limit)s MB."),
    Evidence.Kind.PDF: gettext_noop("PDF documents can be up to %(limit)s MB."),
}


def _size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{max(1, size // 1024)} KB"


def _refuse(message: str) -> EvidenceRejected:
    return EvidenceRejected(message)


def _foreign_message(name: str, what: str) -> str:
    inside = {
        "markup": _("a web page or script"),
        "archive": _("an archive"),
        "pdf": _("a PDF document"),
        "trailer": _("extra data after its end"),
    }[what]
    return _(
        "“%(name)s” has something else hidden inside it (%(inside)s), so it can't be accepted safely. "
        "Take a screenshot, or open the file and save a new copy, and upload that."
    ) % {"name": name, "inside": inside}


def _damaged_message(name: str, kind: str) -> str:
    if kind == Evidence.Kind.IMAGE:
        text = _("“%(name)s” is damaged or incomplete and can't be opened as a picture.")
    elif kind == Evidence.Kind.VIDEO:
        text = _("“%(name)s” is damaged or incomplete and can't be played.")
    else:
        text = _("“%(name)s” is damaged or incomplete and can't be opened as a PDF.")
    return (text + " " + _("Check that it opens on your device, then choose it again.")) % {"name": name}


_ISOBMFF = ("video/mp4", "video/quicktime")


def _check_content(f: IO[bytes], size: int, content_type: str, name: str) -> str:
    """Everything after the type and size: foreign content, structure, decoding. The SHA-256."""
    media: list[tuple[int, int]] = []
    structure_error: Exception | None = None
    if content_type in _ISOBMFF:
        # Walked first, so the pass below can skip the encoded frames; a broken structure is
        # reported after that pass, which names foreign content more precisely.
        try:
            media = isobmff_media(f, size)
        except (Damaged, Foreign) as exc:
            structure_error = exc
    sha256 = hash_and_scan(f, pdf=content_type == "application/pdf", media=media)
    if structure_error is not None:
        raise structure_error
    if has_zip_directory(f, size):
        raise Foreign("archive")
    if content_type == "video/webm":
        webm_structure(f, size)
    elif content_type == "application/pdf":
        pdf_structure(f, size)
        if pdf_active_content(f):
            raise _refuse(
                _(
                    "“%(name)s” contains scripts, attached files or other active content, which are not "
                    "accepted. Print or save it again as a new PDF (for example “Print → Save as PDF”) "
                    "and upload that."
                )
                % {"name": name}
            )
    elif content_type in PIL_FORMATS:
        _check_image(f, size, content_type)
    return sha256


def _check_image(f: IO[bytes], size: int, content_type: str) -> None:
    texts: list[bytes] = []
    regions: list[tuple[int, int]] = []
    png_chunks: list[tuple[bytes, int, int]] = []
    if content_type == "image/png":
        end, png_chunks = png_structure(f, size)
        regions = [(start, stop) for kind, start, stop in png_chunks if kind not in PNG_PIXEL_CHUNKS]
    elif content_type == "image/jpeg":
        end, regions = jpeg_structure(f, size)
    elif content_type == "image/gif":
        end, texts = gif_structure(f, size)
    else:
        end, regions = webp_structure(f, size)
    texts += decode_fully(f, content_type, png_chunks)
    # JPEG may carry data after its end (motion photos, vendor trailers): the strict pass has
    # looked through it; the other formats have no reason to.
    if end < size and content_type != "image/jpeg" and not is_padding(f, end, size):
        raise Foreign("trailer")
    scan_metadata(f, regions, texts)


def check_file(upload) -> CheckedFile:
    """Decide the type from the content and enforce the limits (R-EVD-1, R-EVD-2); compute the
    SHA-256 (R-EVD-3). Raise EvidenceRejected with a reason a buyer understands, naming the file.

    The result is remembered on the upload, so a form that checked the files before the
    service stored them does not read them twice.
    """
    cached = getattr(upload, "_evidence_checked", None)
    if cached is not None:
        return cached
    name = safe_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size <= 0:
        raise _refuse(
            _(
                "“%(name)s” is empty (0 bytes). Choose the file again; if it was still downloading or "
                "syncing, wait until it has finished."
            )
            % {"name": name}
        )
    f = getattr(upload, "file", None) or upload
    head = read_at(f, 0, HEAD)
    content_type = sniff(head)
    if content_type is None:
        raise _refuse(refusal_for_unknown(head, name))
    kind = ALLOWED[content_type]
    if size > size_limit(kind) or getattr(upload, "evidence_oversize", False):
        raise _refuse(
            (_("“%(name)s” is too large (%(size)s).") + " " + _(_KIND_LIMIT_MESSAGES[kind]))
            % {"name": name, "size": _size_text(size), "limit": size_limit(kind) // MB}
        )
    try:
        sha256 = _check_content(f, size, content_type, name)
    except Foreign as exc:
        raise _refuse(_foreign_message(name, exc.what)) from None
    except Damaged:
        raise _refuse(_damaged_message(name, kind)) from None
    except TooLarge as exc:
        raise _refuse(too_large_message(name, exc)) from None
    finally:
        f.seek(0)
    checked = CheckedFile(content_type=content_type, kind=kind, sha256=sha256, size=size)
    with contextlib.suppress(AttributeError):  # an object that takes no attributes is checked again
        upload._evidence_checked = checked
    return checked


def check_files(uploads: Iterable) -> list[CheckedFile]:
    """Check every file and report every refusal at once (each message names its file)."""
    results, errors = [], []
    for upload in uploads:
        try:
            results.append(check_file(upload))
        except EvidenceRejected as exc:
            errors.extend(exc.messages)
    if errors:
        raise EvidenceRejected(errors)
    return results
