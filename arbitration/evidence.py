"""Evidence files: checked by content, bounded, hashed, private, immutable, cleaned (R-EVD-1..4).

``evidence_add`` is the one way a file enters the system, called by the services of every
form that takes evidence, inside their transaction. Decisions, so nobody has to rediscover them:

* **Type by content** (R-EVD-1). The first bytes decide: JPEG, PNG, WebP, GIF, MP4 (the ISO
  family, 3GP included), QuickTime, WebM and PDF are recognised here, by their exact
  signatures, and everything else is refused with a message that says what the file is
  (a program, an archive, a web page or drawing, an office document, a HEIC photo …), named
  with the help of the pure-Python ``filetype`` package so ``make demo`` needs no libmagic.
  The name and the type the browser claims are ignored; a JPEG named ``.pdf`` is a photo.
* **Polyglots** are files that are two things at once. Refused: any file that ends with a ZIP
  directory (a JPEG that is also a ZIP, a GIF that is also a JAR); any file with a web page,
  script or PHP inside, or a RAR/7z archive or (outside PDFs) a PDF inside; PNG, GIF and
  WebP with anything but padding after the picture ends; HTML, SVG or scripts in an image's
  metadata (PNG text chunks, JPEG comments/APP segments, GIF and WebP metadata). A JPEG may
  carry data after its end (phones append motion-photo videos and vendor trailers there) as
  long as none of the above is in it: the other party only ever sees a re-encoded copy.
* **PDF with JavaScript** is refused, as are PDFs with launch actions, attached files or
  rich media: evidence is a document to read, and a bank statement saved again ("Print →
  Save as PDF") has none of them. Names inside compressed object streams are not inspected;
  PDFs are never rendered by this site (attachment, ``nosniff``, sandboxing CSP), which is
  what contains the rest.
* **Limits** (R-EVD-2): size per kind, files per dispute (or safety report), pixels per
  image (``EVIDENCE_MAX_IMAGE_PIXELS``, also the budget for all frames of an animation).
  Every image is decoded fully, every frame, with Pillow's decompression-bomb warning turned
  into an error; a JPEG without its end marker or a PNG without IEND is "damaged".
* **Streaming** (R-EVD-3): files are read in chunks of at most 1 MB, never whole. One pass
  computes the SHA-256 and looks for foreign content; structure checks seek; storage copies
  from the file object in chunks (S3: bounded multipart parts).
* **Duplicates**: the same content twice in one dispute (or report), or twice in one upload,
  is refused, naming who added it and when: one copy is all an arbiter needs.
* **Immutable**: nothing here edits or deletes evidence, and ``pre_save``/``pre_delete``
  guards refuse it elsewhere; the background processing may only fill in the thumbnail,
  rendition and ``processed_at``.
* **Renditions** (R-EVD-4): after commit a Celery task makes, for images, a thumbnail and a
  re-encoded copy with the EXIF orientation applied, colours converted to sRGB and every
  piece of metadata dropped (GPS, camera, comments, XMP); for MP4/QuickTime, a copy whose
  metadata boxes (``udta``, ``meta``, XMP) are overwritten by ``free`` boxes of the same
  size, so the video plays unchanged without its location. The buyer and seller see the
  rendition; only arbiters (and the uploader) get the original. WebM and PDF files are
  served as uploaded: browser and Android recorders put no location in WebM, and PDFs are
  documents.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import struct
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageCms, ImageOps, ImageSequence

from arbitration.models import Complaint, Dispute, Evidence, Message, SafetyReport
from marketplace.errors import DomainError

log = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK = 1 * MB  # the most read at once from an uploaded or stored file
HEAD = 64 * 1024  # bytes the type is decided from
_TAIL = 65535 + 22  # a ZIP directory's end record lies within this many bytes of the end

ALLOWED: dict[str, str] = {
    "image/jpeg": Evidence.Kind.IMAGE,
    "image/png": Evidence.Kind.IMAGE,
    "image/webp": Evidence.Kind.IMAGE,
    "image/gif": Evidence.Kind.IMAGE,
    "video/mp4": Evidence.Kind.VIDEO,
    "video/webm": Evidence.Kind.VIDEO,
    "video/quicktime": Evidence.Kind.VIDEO,
    "application/pdf": Evidence.Kind.PDF,
}
# The file name extensions of each type; the first is the one files are stored and served with.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "video/mp4": (".mp4", ".m4v", ".3gp"),
    "video/webm": (".webm",),
    "video/quicktime": (".mov", ".qt"),
    "application/pdf": (".pdf",),
}
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
# For the <input accept> hint and the rules shown beside every upload field.
ACCEPT = ",".join([*ALLOWED, *(ext for exts in EXTENSIONS.values() for ext in exts)])

# The background processing may fill in these fields once; nothing else ever changes.
PROCESSING_FIELDS = frozenset({"thumbnail", "rendition", "processed_at"})


class EvidenceRejected(DomainError):
    """One or more files were refused; ``messages`` explains each, naming the file."""


class EvidenceImmutable(DomainError):
    """Evidence is never edited or deleted after upload (R-EVD-3)."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    kind: str
    sha256: str
    size: int


class _Foreign(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what  # "markup", "archive", "pdf", "trailer"


class _Damaged(Exception):
    pass


def size_limit(kind: str) -> int:
    """The most bytes one file of ``kind`` may have (R-EVD-2)."""
    return {
        Evidence.Kind.IMAGE: settings.EVIDENCE_MAX_IMAGE_MB,
        Evidence.Kind.VIDEO: settings.EVIDENCE_MAX_VIDEO_MB,
        Evidence.Kind.PDF: settings.EVIDENCE_MAX_PDF_MB,
    }[kind] * MB


def largest_size_limit() -> int:
    return max(size_limit(kind) for kind in Evidence.Kind.values)


def max_image_pixels() -> int:
    return getattr(settings, "EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000)


def rules_text() -> str:
    """The rules in one sentence, shown beside every upload field."""
    return _(
        "Photos (JPEG, PNG, WebP, GIF) up to %(image)s MB, videos (MP4, WebM, MOV) up to %(video)s MB, "
        "PDF documents up to %(pdf)s MB; up to %(count)s files per case. You can choose several files at "
        "once. Location and camera details are removed from photos and videos before the other party "
        "sees them."
    ) % {
        "image": settings.EVIDENCE_MAX_IMAGE_MB,
        "video": settings.EVIDENCE_MAX_VIDEO_MB,
        "pdf": settings.EVIDENCE_MAX_PDF_MB,
        "count": settings.EVIDENCE_MAX_FILES_PER_DISPUTE,
    }


# --- Names ----------------------------------------------------------------------------------


def safe_name(name: str | None) -> str:
    """The original file name as harmless metadata: no folders, no control or direction
    characters (U+202E would show ``exe.jpg`` for ``gpj.exe``), at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = name.strip().strip(".").strip()
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 200 - len(suffix)].rstrip() + suffix
    return name or "file"


def download_name(evidence: Evidence, *, thumbnail: bool = False) -> str:
    """The name a file is served under: the uploader's name, with the extension of what the
    file really is (a JPEG uploaded as ``receipt.pdf`` downloads as ``receipt.jpg``)."""
    original = PurePosixPath(evidence.original_name or "file")
    if thumbnail:
        return f"{original.stem or 'file'}-thumbnail.jpg"
    extensions = EXTENSIONS.get(evidence.content_type, ("",))
    if original.suffix.lower() in extensions:
        return original.name
    return f"{original.name}{extensions[0]}"


# --- Reading in bounded pieces --------------------------------------------------------------


def _read_at(f: BinaryIO, offset: int, size: int) -> bytes:
    f.seek(offset)
    return f.read(size)


def _chunks(f: BinaryIO, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    f.seek(start)
    remaining = None if end is None else max(0, end - start)
    while remaining is None or remaining > 0:
        data = f.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


def _is_padding(f: BinaryIO, start: int, end: int) -> bool:
    return all(not chunk.strip(b"\x00 \t\r\n") for chunk in _chunks(f, start, end))


# --- Deciding the type (R-EVD-1) ------------------------------------------------------------

_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42",
    b"avc1", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"dash", b"MSNV", b"XAVC", b"f4v ", b"ndas", b"hvc1",
}  # fmt: skip
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_LEGACY_QUICKTIME_ATOMS = {b"moov", b"wide", b"mdat", b"free", b"pnot"}


def _isobmff_type(head: bytes) -> str | None:
    box_size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(max(box_size, 16), len(head), 256), 4)}
    brands = {major} | compatible
    if major == b"qt  ":
        return "video/quicktime"
    if major in _HEIF_BRANDS or major in _AUDIO_BRANDS:
        return None
    if brands & _MP4_BRANDS or major.startswith((b"3gp", b"3g2")):
        return "video/mp4"
    if b"qt  " in compatible:
        return "video/quicktime"
    return None


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """(value, length) of the EBML variable-length integer at ``data[pos]``."""
    if pos >= len(data) or data[pos] == 0:
        raise _Damaged
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        raise _Damaged
    value = int.from_bytes(data[pos : pos + length], "big")
    return (value if keep_marker else value & ((1 << (7 * length)) - 1)), length


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of the EBML header at the start of ``head`` ("webm", "matroska" …)."""
    try:
        element, length = _vint(head, 0, keep_marker=True)
        if element != 0x1A45DFA3:
            return None
        size, size_length = _vint(head, length, keep_marker=False)
        pos = length + size_length
        end = min(pos + size, len(head))
        while pos < end:
            child, length = _vint(head, pos, keep_marker=True)
            size, size_length = _vint(head, pos + length, keep_marker=False)
            pos += length + size_length
            if child == 0x4282:
                return head[pos : pos + size].rstrip(b"\x00")
            pos += size
    except _Damaged:
        return None
    return None


def sniff(head: bytes) -> str | None:
    """The allowed type whose signature the file starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _isobmff_type(head)
    if len(head) >= 8 and head[4:8] in _LEGACY_QUICKTIME_ATOMS:
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3") and _ebml_doctype(head) == b"webm":
        return "video/webm"
    return None


_PROGRAMS = {"application/x-msdownload", "application/x-executable", "application/wasm",
             "application/x-shockwave-flash", "application/x-google-chrome-extension",
             "application/x-deb", "application/x-rpm"}  # fmt: skip
_ARCHIVES = {"application/zip", "application/x-tar", "application/x-rar-compressed", "application/gzip",
             "application/x-bzip2", "application/x-7z-compressed", "application/vnd.ms-cab-compressed",
             "application/x-xz", "application/x-unix-archive", "application/x-compress", "application/x-lzop",
             "application/x-lzip", "application/x-lz4", "application/x-brotli", "application/zstd",
             "application/epub+zip"}  # fmt: skip
_MACH_O = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)


def _refusal_for_unknown(head: bytes, name: str) -> str:
    """Say what the file is when it is not one of the accepted types."""
    values = {"name": name}
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return (
            _(
                "“%(name)s” is a HEIC/HEIF photo, which not every device can open. Upload it as a JPEG "
                "instead: on an iPhone choose Settings → Camera → Formats → Most Compatible, or send a "
                "screenshot of it."
            )
            % values
        )
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c")
    if mime in _PROGRAMS or head.startswith(_MACH_O) or text.startswith(b"#!"):
        return _("“%(name)s” is a program, not a photo, video or PDF. Programs are never accepted.") % values
    if mime in _ARCHIVES:
        return (
            _(
                "“%(name)s” is an archive (ZIP, RAR, 7z …). Unpack it and upload the photos, videos or PDF "
                "documents themselves."
            )
            % values
        )
    if mime.startswith(("application/msword", "application/vnd.", "application/rtf")):
        return _("“%(name)s” is an office document. Save or print it as a PDF and upload the PDF.") % values
    if text.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return (
            _(
                "“%(name)s” is a web page or drawing (HTML, SVG or XML), not a photo, video or PDF. Take a "
                "screenshot of it and upload the screenshot."
            )
            % values
        )
    if mime.startswith("image/"):
        return _(
            "“%(name)s” is a %(format)s picture, which is not accepted. Save it as JPEG or PNG and "
            "upload that."
        ) % {**values, "format": guess.extension.upper()}
    if mime.startswith("video/"):
        return _(
            "“%(name)s” is a %(format)s video, which is not accepted. Accepted videos: MP4, WebM and MOV."
        ) % {**values, "format": guess.extension.upper()}
    return (
        _(
            "“%(name)s” is not a photo, video or PDF, so it can't be added. Accepted: JPEG, PNG, WebP "
            "and GIF photos, MP4, WebM and MOV videos, and PDF documents."
        )
        % values
    )


# --- Looking for foreign content (polyglots) ------------------------------------------------

# Whole-file markers, searched in lower-cased chunks. Each is long enough, or must be followed
# by a delimiter, that random (compressed) bytes contain one about once in 10^5 200 MB files;
# a video's media data, where such chance hits would be, is not searched (see check_file). A
# regular expression anchored on "<" keeps the pass at several hundred MB/s.
_STRICT_MARKUP = re.compile(rb"<(?:script|iframe|!doctype|\?php|html|body|object|embed)")
_NEEDS_DELIMITER = {b"<html", b"<body", b"<object", b"<embed", b"<?php"}
_DELIMITERS = b" \t\r\n\x0c>/"
_STRICT_BINARY = {
    b"rar!\x1a\x07": "archive",
    b"7z\xbc\xaf\x27\x1c": "archive",
    b"%pdf-1.": "pdf",
    b"%pdf-2.": "pdf",
}
_OVERLAP = 32
# Inside metadata (small regions), anything that looks like markup is refused.
_METADATA_MARKUP = re.compile(
    rb"<\s*(?:script|iframe|!doctype|\?php|html|body|object|embed|svg|img|form|meta|link|style|base)"
    rb"[\s>/]|javascript:",
    re.I,
)


def _marker_hits(buf: bytes, limit: int, binary: dict[bytes, str]) -> Iterator[tuple[int, str]]:
    for match in _STRICT_MARKUP.finditer(buf):
        if match.start() >= limit:
            break
        after = buf[match.end() : match.end() + 1]
        if match.group() not in _NEEDS_DELIMITER or (after and after in _DELIMITERS):
            yield match.start(), "markup"
    for marker, what in binary.items():
        at = buf.find(marker)
        while 0 <= at < limit:
            yield at, what
            at = buf.find(marker, at + 1)


def _hash_and_scan(f: BinaryIO, *, pdf: bool, media: Iterable[tuple[int, int]] = ()) -> str:
    """One streaming pass: the SHA-256, and a refusal if web content or an archive is inside
    (outside the ``media`` byte ranges, a video's encoded frames)."""
    digest = hashlib.sha256()
    media = list(media)
    binary = {k: v for k, v in _STRICT_BINARY.items() if not (pdf and v == "pdf")}
    carry, position = b"", 0
    chunks = _chunks(f)
    chunk = next(chunks, b"")
    while chunk:
        digest.update(chunk)
        following = next(chunks, b"")
        buf = carry + chunk.lower()
        base = position - len(carry)  # the file offset of buf[0]
        # A marker starting in the last _OVERLAP bytes is looked at again with the next chunk.
        limit = len(buf) if not following else len(buf) - _OVERLAP
        for at, what in _marker_hits(buf, limit, binary):
            if not any(start <= base + at < end for start, end in media):
                raise _Foreign(what)
        carry = buf[-_OVERLAP:]
        position += len(chunk)
        chunk = following
    return digest.hexdigest()


def _has_zip_directory(f: BinaryIO, size: int) -> bool:
    """True if a ZIP reader would open the file: an end-of-directory record near the end that
    points at a central directory (at its offset, or just before the record when the ZIP was
    appended to something else)."""
    start = max(0, size - _TAIL)
    tail = _read_at(f, start, size - start)
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        record = tail[at : at + 22]
        if len(record) == 22:
            cd_size, cd_offset = struct.unpack("<II", record[12:20])
            end_record = start + at
            zip64 = cd_offset == 0xFFFFFFFF and end_record >= 20
            if zip64 and _read_at(f, end_record - 20, 4) == b"PK\x06\x07":
                return True
            for cd_start in (cd_offset, end_record - cd_size):
                if 0 <= cd_start < end_record and _read_at(f, cd_start, 4) == b"PK\x01\x02":
                    return True
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return False


def _scan_metadata(f: BinaryIO, regions: Iterable[tuple[int, int]], extra: Iterable[bytes] = ()) -> None:
    for start, end in regions:
        carry = b""
        for chunk in _chunks(f, start, end):
            buf = carry + chunk
            if _METADATA_MARKUP.search(buf):
                raise _Foreign("markup")
            carry = buf[-_OVERLAP:]
    for text in extra:
        if _METADATA_MARKUP.search(text):
            raise _Foreign("markup")


# --- Structure of each type: where it ends, where its metadata is ---------------------------

_MAX_PARTS = 200_000  # chunks, segments or boxes: a file with more is not a photo or a video


def _png_structure(f: BinaryIO, size: int) -> tuple[int, list[tuple[int, int]]]:
    pos, regions = 8, []
    for _part in range(_MAX_PARTS):
        header = _read_at(f, pos, 8)
        if len(header) < 8:
            raise _Damaged
        length, kind = struct.unpack(">I4s", header)
        end = pos + 12 + length
        if not kind.isalpha() or end > size:
            raise _Damaged
        if kind not in (b"IDAT", b"fdAT", b"IHDR", b"PLTE", b"IEND"):
            regions.append((pos + 8, pos + 8 + length))
        pos = end
        if kind == b"IEND":
            return pos, regions
    raise _Damaged


_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_skip_scan(f: BinaryIO, pos: int) -> int:
    """After a start-of-scan header: the offset of the next marker (entropy-coded data ends there)."""
    carry = b""
    base = pos
    for chunk in _chunks(f, pos):
        buf = carry + chunk
        match = _JPEG_MARKER.search(buf)
        if match:
            return base + match.start()
        carry = buf[-1:]
        base += len(buf) - len(carry)
    raise _Damaged  # no end marker: truncated


def _jpeg_structure(f: BinaryIO, size: int) -> tuple[int, list[tuple[int, int]]]:
    pos, regions = 2, []
    for _part in range(_MAX_PARTS):
        header = _read_at(f, pos, 2)
        if len(header) < 2 or header[0] != 0xFF:
            raise _Damaged
        marker = header[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            return pos + 2, regions
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length_bytes = _read_at(f, pos + 2, 2)
        if len(length_bytes) < 2:
            raise _Damaged
        length = struct.unpack(">H", length_bytes)[0]
        end = pos + 2 + length
        if length < 2 or end > size:
            raise _Damaged
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn (EXIF, XMP …) and comments
            regions.append((pos + 4, end))
        pos = end
        if marker == 0xDA:
            pos = _jpeg_skip_scan(f, pos)
    raise _Damaged


def _gif_sub_blocks(f: BinaryIO, pos: int, size: int, keep: bool) -> tuple[int, bytes]:
    kept = bytearray()
    while True:
        length_byte = _read_at(f, pos, 1)
        if not length_byte:
            raise _Damaged
        length = length_byte[0]
        if length == 0:
            return pos + 1, bytes(kept)
        if pos + 1 + length > size:
            raise _Damaged
        if keep and len(kept) < MB:
            kept += _read_at(f, pos + 1, length)
        pos += 1 + length


def _gif_structure(f: BinaryIO, size: int) -> tuple[int, list[bytes]]:
    screen = _read_at(f, 6, 7)
    if len(screen) < 7:
        raise _Damaged
    pos = 13 + (3 * 2 ** ((screen[4] & 7) + 1) if screen[4] & 0x80 else 0)
    texts = []
    for _part in range(_MAX_PARTS):
        introducer = _read_at(f, pos, 1)
        if introducer == b"\x3b":
            return pos + 1, texts
        if introducer == b"\x2c":  # an image: descriptor, local colours, LZW data
            descriptor = _read_at(f, pos + 1, 9)
            if len(descriptor) < 9:
                raise _Damaged
            pos += 10 + (3 * 2 ** ((descriptor[8] & 7) + 1) if descriptor[8] & 0x80 else 0) + 1
            pos, _data = _gif_sub_blocks(f, pos, size, keep=False)
        elif introducer == b"\x21":  # an extension: comments, application data, plain text
            label = _read_at(f, pos + 1, 1)
            keep = label in (b"\xfe", b"\xff", b"\x01")
            pos, data = _gif_sub_blocks(f, pos + 2, size, keep=keep)
            if keep:
                texts.append(data)
        else:
            raise _Damaged
    raise _Damaged


def _webp_structure(f: BinaryIO, size: int) -> tuple[int, list[tuple[int, int]]]:
    riff_size = struct.unpack("<I", _read_at(f, 4, 4))[0]
    end = 8 + riff_size
    if end > size or riff_size < 4:
        raise _Damaged
    pos, regions = 12, []
    for _part in range(_MAX_PARTS):
        if pos >= end:
            return end, regions
        header = _read_at(f, pos, 8)
        if len(header) < 8:
            raise _Damaged
        kind, length = struct.unpack("<4sI", header)
        if pos + 8 + length > end:
            raise _Damaged
        if kind not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF", b"VP8X", b"ANIM"):
            regions.append((pos + 8, pos + 8 + length))
        pos += 8 + length + (length & 1)
    raise _Damaged


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    header: int
    end: int


def _isobmff_boxes(f: BinaryIO, start: int, end: int) -> list[_Box]:
    """The boxes between ``start`` and ``end``; raises _Foreign for junk, _Damaged for truncation."""
    boxes, pos = [], start
    while pos < end:
        if len(boxes) >= _MAX_PARTS:
            raise _Damaged
        header = _read_at(f, pos, 16)
        if len(header) < 8:
            if _is_padding(f, pos, end):
                break
            raise _Damaged
        size, kind = struct.unpack(">I4s", header[:8])
        length = 8
        if size == 1:
            if len(header) < 16:
                raise _Damaged
            size, length = struct.unpack(">Q", header[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if not all(0x20 <= c <= 0x7E or c == 0xA9 for c in kind):
            if _is_padding(f, pos, end):
                break
            raise _Foreign("trailer")
        if size < length or pos + size > end:
            raise _Damaged
        boxes.append(_Box(kind, pos, length, pos + size))
        pos += size
    return boxes


def _isobmff_media(f: BinaryIO, size: int) -> list[tuple[int, int]]:
    """Check the top-level boxes; return the byte ranges of the encoded media (mdat payloads)."""
    boxes = _isobmff_boxes(f, 0, size)
    if not any(box.kind == b"moov" for box in boxes):
        raise _Damaged  # no index: no player can show it
    return [(box.start + box.header, box.end) for box in boxes if box.kind == b"mdat"]


def _ebml_vint(f: BinaryIO, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, unknown) of the EBML variable-length integer at ``pos``."""
    first = _read_at(f, pos, 1)
    if not first or first[0] == 0:
        raise _Damaged
    length = 9 - first[0].bit_length()
    raw = _read_at(f, pos, length)
    if len(raw) < length:
        raise _Damaged
    value = int.from_bytes(raw, "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, unknown


def _webm_structure(f: BinaryIO, size: int) -> None:
    element, id_length, _unknown = _ebml_vint(f, 0, keep_marker=True)
    header_size, size_length, _unknown = _ebml_vint(f, id_length, keep_marker=False)
    pos = id_length + size_length + header_size
    element, id_length, _unknown = _ebml_vint(f, pos, keep_marker=True)
    if element != 0x18538067:  # Segment
        raise _Damaged
    segment_size, size_length, unknown = _ebml_vint(f, pos + id_length, keep_marker=False)
    if unknown:  # live recordings (MediaRecorder) don't know their length; nothing to compare
        return
    end = pos + id_length + size_length + segment_size
    if end > size:
        raise _Damaged
    if end < size and not _is_padding(f, end, size):
        raise _Foreign("trailer")


def _name_pattern(name: str) -> bytes:
    # PDF names may spell any character as #xx: /J#61vaScript is /JavaScript.
    return b"".join(b"(?:" + re.escape(ch.encode()) + b"|#" + f"{ord(ch):02x}".encode() + b")" for ch in name)


_PDF_ACTIVE = re.compile(
    b"/(?:"
    + b"|".join(_name_pattern(n) for n in ("JavaScript", "Launch", "EmbeddedFile", "RichMedia"))
    + b")",
    re.I,
)


def _pdf_structure(f: BinaryIO, size: int) -> None:
    start = max(0, size - _TAIL)
    tail = _read_at(f, start, size - start)
    at = tail.rfind(b"%%EOF")
    if at < 0:
        raise _Damaged
    if tail[at + 5 :].strip(b"\x00 \t\r\n"):
        raise _Foreign("trailer")


def _pdf_active_content(f: BinaryIO) -> bool:
    carry = b""
    for chunk in _chunks(f):
        buf = carry + chunk
        if _PDF_ACTIVE.search(buf):
            return True
        carry = buf[-_OVERLAP * 2 :]
    return False


# --- Images: decoded fully under a pixel limit (R-EVD-2) ------------------------------------


class _TooManyPixels(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height)
        self.width, self.height = width, height


_MAX_FRAMES = 5000


def _decode_fully(f: BinaryIO, content_type: str) -> list[bytes]:
    """Open the image as the detected format only, decode every frame; return its text chunks."""
    limit = max_image_pixels()
    f.seek(0)
    # The explicit pixel check below does not depend on the process-wide warnings filter
    # (catch_warnings is not thread-safe); Pillow's own bomb check, as an error, is a second line.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(f, formats=[_PIL_FORMATS[content_type]]) as image:
                width, height = image.size
                if width * height > limit:
                    raise _TooManyPixels(width, height)
                decoded = 0
                for number, frame in enumerate(ImageSequence.Iterator(image)):
                    decoded += width * height
                    if decoded > limit or number >= _MAX_FRAMES:
                        raise _TooManyPixels(width, height)
                    frame.load()
                texts = getattr(image, "text", None) or {}
                return [str(value).encode("utf-8", "replace") for value in texts.values()]
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _TooManyPixels(0, 0) from None
        except _TooManyPixels:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError):
            raise _Damaged from None


# --- The check ------------------------------------------------------------------------------

_KIND_LIMIT_MESSAGES = {
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


def _check_content(f: BinaryIO, size: int, content_type: str, name: str) -> str:
    """Everything after the type and size: foreign content, structure, decoding. The SHA-256."""
    media: list[tuple[int, int]] = []
    structure_error: Exception | None = None
    if content_type in _ISOBMFF:
        # Walked first, so the pass below can skip the encoded frames; a broken structure is
        # reported after that pass, which names foreign content more precisely.
        try:
            media = _isobmff_media(f, size)
        except (_Damaged, _Foreign) as exc:
            structure_error = exc
    sha256 = _hash_and_scan(f, pdf=content_type == "application/pdf", media=media)
    if structure_error is not None:
        raise structure_error
    if _has_zip_directory(f, size):
        raise _Foreign("archive")
    if content_type == "video/webm":
        _webm_structure(f, size)
    elif content_type == "application/pdf":
        _pdf_structure(f, size)
        if _pdf_active_content(f):
            raise _refuse(
                _(
                    "“%(name)s” contains scripts, attached files or other active content, which are not "
                    "accepted. Print or save it again as a new PDF (for example “Print → Save as PDF”) "
                    "and upload that."
                )
                % {"name": name}
            )
    elif content_type in _PIL_FORMATS:
        _check_image(f, size, content_type)
    return sha256


def _check_image(f: BinaryIO, size: int, content_type: str) -> None:
    texts: list[bytes] = []
    regions: list[tuple[int, int]] = []
    if content_type == "image/png":
        end, regions = _png_structure(f, size)
    elif content_type == "image/jpeg":
        end, regions = _jpeg_structure(f, size)
    elif content_type == "image/gif":
        end, texts = _gif_structure(f, size)
    else:
        end, regions = _webp_structure(f, size)
    texts += _decode_fully(f, content_type)
    # JPEG may carry data after its end (motion photos, vendor trailers): the strict pass has
    # looked through it; the other formats have no reason to.
    if end < size and content_type != "image/jpeg" and not _is_padding(f, end, size):
        raise _Foreign("trailer")
    _scan_metadata(f, regions, texts)


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
    head = _read_at(f, 0, HEAD)
    content_type = sniff(head)
    if content_type is None:
        raise _refuse(_refusal_for_unknown(head, name))
    kind = ALLOWED[content_type]
    if size > size_limit(kind) or getattr(upload, "evidence_oversize", False):
        raise _refuse(
            (_("“%(name)s” is too large (%(size)s).") + " " + _(_KIND_LIMIT_MESSAGES[kind]))
            % {"name": name, "size": _size_text(size), "limit": size_limit(kind) // MB}
        )
    try:
        sha256 = _check_content(f, size, content_type, name)
    except _Foreign as exc:
        raise _refuse(_foreign_message(name, exc.what)) from None
    except _Damaged:
        raise _refuse(_damaged_message(name, kind)) from None
    except _TooManyPixels as exc:
        limit = max_image_pixels()
        details = f" ({exc.width:,} × {exc.height:,})".replace(",", "\u202f") if exc.width else ""
        raise _refuse(
            _(
                "“%(name)s” is too large in pixels%(details)s to open safely: photos can have up to "
                "%(megapixels)s megapixels. Resize it or take a screenshot, and upload that."
            )
            % {"name": name, "details": details, "megapixels": max(1, round(limit / 1_000_000))}
        ) from None
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


# --- Adding evidence (R-EVD-3) --------------------------------------------------------------


def _case_evidence(dispute: Dispute | None, safety_report: SafetyReport | None) -> QuerySet[Evidence]:
    if dispute is not None:
        return Evidence.objects.filter(dispute=dispute)
    return Evidence.objects.filter(safety_report=safety_report)


def evidence_remaining(*, dispute: Dispute | None = None, safety_report: SafetyReport | None = None) -> int:
    """How many more files the dispute (or safety report) can take (R-EVD-2)."""
    already = _case_evidence(dispute, safety_report).count()
    return max(0, settings.EVIDENCE_MAX_FILES_PER_DISPUTE - already)


def _uploader_words(evidence: Evidence, actor, dispute: Dispute | None) -> str:
    if evidence.uploaded_by_id == getattr(actor, "pk", None):
        return _("you")
    if dispute is not None and evidence.uploaded_by_id == dispute.buyer_id:
        return _("the buyer")
    if dispute is not None and evidence.uploaded_by_id == dispute.seller_id:
        return _("the seller")
    return _("an arbiter")


def _refuse_duplicates(uploads, checked, *, actor, dispute, safety_report) -> None:
    errors = []
    first_by_hash: dict[str, str] = {}
    for upload, info in zip(uploads, checked, strict=True):
        name = safe_name(upload.name)
        if info.sha256 in first_by_hash:
            errors.append(
                _("“%(name)s” and “%(other)s” are the same file; attach it once.")
                % {"name": name, "other": first_by_hash[info.sha256]}
            )
        else:
            first_by_hash[info.sha256] = name
    existing = (
        _case_evidence(dispute, safety_report).filter(sha256__in=list(first_by_hash)).order_by("created_at")
    )
    seen = set()
    for evidence in existing:
        if evidence.sha256 in seen:
            continue
        seen.add(evidence.sha256)
        when = formats.date_format(timezone.localtime(evidence.created_at), "DATE_FORMAT")
        where = _("this dispute") if dispute is not None else _("this report")
        errors.append(
            _("“%(name)s” is already in %(where)s: %(who)s uploaded it on %(date)s as “%(original)s”.")
            % {
                "name": first_by_hash[evidence.sha256],
                "where": where,
                "who": _uploader_words(evidence, actor, dispute),
                "date": when,
                "original": evidence.original_name,
            }
        )
    if errors:
        raise EvidenceRejected(errors)


def evidence_add(
    *,
    uploaded_by,
    files: Iterable,
    dispute: Dispute | None = None,
    message: Message | None = None,
    complaint: Complaint | None = None,
    safety_report: SafetyReport | None = None,
) -> list[Evidence]:
    """Check and store files as evidence of a dispute (its message or complaint) or of a safety
    report. All or nothing: one refused file refuses the upload, and every refusal is reported.

    Called inside the caller's transaction, with the dispute (or new report) row locked, so two
    uploads to one dispute count and compare against each other. The thumbnails and renditions
    are made after commit (R-EVD-4).
    """
    uploads = [f for f in files if f]
    if not uploads:
        return []
    if (dispute is None) == (safety_report is None):
        raise ValueError("Evidence belongs to exactly one dispute or one safety report.")
    left = evidence_remaining(dispute=dispute, safety_report=safety_report)
    if len(uploads) > left:
        limit = settings.EVIDENCE_MAX_FILES_PER_DISPUTE
        values = {"max": limit, "count": limit - left, "left": left, "adding": len(uploads)}
        if left == 0:
            text = _("This case already has the most files it can have (%(max)s); no more can be added.")
        else:
            text = _(
                "A case can have up to %(max)s files. This one has %(count)s already, so you can add "
                "%(left)s more, not %(adding)s."
            )
        raise EvidenceRejected(text % values)
    checked = check_files(uploads)
    _refuse_duplicates(uploads, checked, actor=uploaded_by, dispute=dispute, safety_report=safety_report)
    stored = []
    for upload, info in zip(uploads, checked, strict=True):
        evidence = Evidence(
            dispute=dispute,
            message=message,
            complaint=complaint,
            safety_report=safety_report,
            uploaded_by=uploaded_by,
            original_name=safe_name(upload.name),
            content_type=info.content_type,
            kind=info.kind,
            size=info.size,
            sha256=info.sha256,
        )
        # A plain File over the same file object: storage copies it in chunks, and S3 records
        # the type found in the content, never the one the browser claimed.
        content = File(
            getattr(upload, "file", None) or upload, name=f"evidence{EXTENSIONS[info.content_type][0]}"
        )
        content.content_type = info.content_type
        content.size = info.size
        evidence.file.save(content.name, content, save=False)
        evidence.save()
        stored.append(evidence)
    for evidence in stored:
        transaction.on_commit(partial(_queue_processing, evidence.pk), robust=True)
    return stored


def _queue_processing(evidence_id: int) -> None:
    from arbitration.tasks import evidence_process_task

    evidence_process_task.delay(evidence_id)


# --- Immutable after upload (R-EVD-3) -------------------------------------------------------


@receiver(pre_save, sender=Evidence, dispatch_uid="arbitration.evidence.refuse_changes")
def _refuse_changes(sender, instance: Evidence, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if instance._state.adding:
        if instance.pk is not None and Evidence.objects.filter(pk=instance.pk).exists():
            raise EvidenceImmutable(_("Evidence can't be changed after upload."))
        return
    if update_fields is not None and set(update_fields) <= PROCESSING_FIELDS:
        return
    raise EvidenceImmutable(_("Evidence can't be changed after upload."))


@receiver(pre_delete, sender=Evidence, dispatch_uid="arbitration.evidence.refuse_deletion")
def _refuse_deletion(sender, instance: Evidence, **kwargs) -> None:
    raise EvidenceImmutable(_("Evidence can't be deleted."))


# --- Who sees what (R-EVD-3, R-SEC-1) -------------------------------------------------------


def is_evidence_staff(user) -> bool:
    """Arbiters and supervisors: staff with the permission to view evidence."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("arbitration.view_evidence")
    )


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence ``user`` may see: a dispute's buyer and seller see its thread's files; a
    complaint's files (bank statements …) are the complainant's and arbiters'; a safety
    report's are its reporter's and arbiters'. Staff with the permission see everything."""
    if not user.is_authenticated or not user.is_active:
        return Evidence.objects.none()
    if is_evidence_staff(user):
        return Evidence.objects.all()
    thread = Q(complaint__isnull=True, safety_report__isnull=True) & (
        Q(dispute__buyer=user) | Q(dispute__seller=user)
    )
    return Evidence.objects.filter(thread | Q(complaint__filed_by=user) | Q(safety_report__reporter=user))


def may_see_original(user, evidence: Evidence) -> bool:
    """The original (with its metadata) is for arbiters and the person who uploaded it."""
    return is_evidence_staff(user) or (user.is_authenticated and evidence.uploaded_by_id == user.pk)


def needs_rendition(evidence: Evidence) -> bool:
    """Files whose metadata may reveal the uploader's location: the other party sees a copy."""
    return evidence.kind == Evidence.Kind.IMAGE or evidence.content_type in ("video/mp4", "video/quicktime")


# --- Thumbnails and renditions (R-EVD-4) ----------------------------------------------------

_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply the embedded colour profile, so the copy looks the same without it."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        mode = "RGBA" if "A" in image.getbands() else "RGB"
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(mode)
        return ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _clean(image: Image.Image) -> Image.Image:
    """Pixels only: orientation applied, sRGB, and no info left for an encoder to copy."""
    if "transparency" in image.info:  # kept in info, which is dropped below: make it pixels
        image = image.convert("RGBA")
    image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    clean = image.copy()
    clean.info = {}
    return clean


def _encode(image: Image.Image, pil_format: str, **options) -> bytes:
    out = io.BytesIO()
    if pil_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    image.save(out, pil_format, **options)
    return out.getvalue()


def _image_renditions(evidence: Evidence) -> dict[str, ContentFile]:
    pil_format = _PIL_FORMATS[evidence.content_type]
    extension = EXTENSIONS[evidence.content_type][0]
    with (
        evidence.file.storage.open(evidence.file.name, "rb") as f,
        Image.open(f, formats=[pil_format]) as image,
    ):
        animated = getattr(image, "n_frames", 1) > 1 and pil_format in ("GIF", "WEBP")
        if animated:
            frames, durations = [], []
            for frame in ImageSequence.Iterator(image):
                durations.append(frame.info.get("duration", 100))
                frames.append(_clean(frame.convert("RGBA")))
            first = frames[0]
            rendition = _encode(
                first, pil_format, save_all=True, append_images=frames[1:], duration=durations,
                loop=image.info.get("loop", 0),
            )  # fmt: skip
        else:
            first = _clean(image)
            options = {"quality": 90} if pil_format in ("JPEG", "WEBP") else {}
            rendition = _encode(first, pil_format, **options)
    thumbnail = first.copy()
    thumbnail.thumbnail((settings.EVIDENCE_THUMBNAIL_PX, settings.EVIDENCE_THUMBNAIL_PX))
    if "A" in thumbnail.getbands() or thumbnail.mode == "P":
        background = Image.new("RGB", thumbnail.size, "white")
        rgba = thumbnail.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        thumbnail = background
    return {
        "rendition": ContentFile(rendition, name=f"rendition{extension}"),
        "thumbnail": ContentFile(_encode(thumbnail, "JPEG", quality=85), name="thumbnail.jpg"),
    }


_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"edts"}


def _video_metadata_edits(f: BinaryIO, size: int) -> list[tuple[int, int, bytes | None]]:
    """Byte ranges to overwrite: each metadata box becomes a zero-filled ``free`` box of the
    same size, so no offset in the file changes and the video plays as before."""
    edits: list[tuple[int, int, bytes | None]] = []

    def visit(start: int, end: int, depth: int) -> None:
        for box in _isobmff_boxes(f, start, end):
            is_xmp = box.kind == b"uuid" and _read_at(f, box.start + box.header, 16) == _XMP_UUID
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


def _video_rendition(evidence: Evidence) -> dict[str, File]:
    storage = evidence.file.storage
    # Closed by evidence_process once stored.
    out = tempfile.TemporaryFile(dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None))  # noqa: SIM115
    with storage.open(evidence.file.name, "rb") as f:
        edits = _video_metadata_edits(f, evidence.size)
        position = 0
        for chunk in _chunks(f):
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
    content = File(out, name=f"rendition{EXTENSIONS[evidence.content_type][0]}")
    content.content_type = evidence.content_type
    return {"rendition": content}


def evidence_process(*, evidence_id: int) -> str:
    """Make the thumbnail and the metadata-free rendition of one file, once (R-EVD-4).

    Safe to run twice at once: the files are made outside any lock, and only the first run to
    lock the row records its files; a later one deletes its own copies.
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return "gone"
    if evidence.processed_at is not None:
        return "already processed"
    made: dict[str, File] = {}
    try:
        if evidence.kind == Evidence.Kind.IMAGE:
            made = _image_renditions(evidence)
        elif evidence.content_type in ("video/mp4", "video/quicktime"):
            made = _video_rendition(evidence)
    except (_Damaged, _Foreign, Image.DecompressionBombError, SyntaxError, ValueError, struct.error) as exc:
        # Checked at upload, so this is a bug or a changed library; the other party keeps
        # seeing "being prepared" rather than the original. Arbiters see the original.
        log.error("Evidence %s could not be processed: %r", evidence_id, exc)
        return "failed"
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


def evidence_pending(*, older_than: timedelta = timedelta(minutes=5), limit: int = 500) -> list[int]:
    """Files still unprocessed some minutes after upload (a lost task message): to queue again."""
    cutoff = timezone.now() - older_than
    return list(
        Evidence.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
