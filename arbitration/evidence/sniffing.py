"""Deciding the type from the first bytes, never from the name or the browser (R-EVD-1).

The accepted types are recognised by their exact signatures; everything else is refused with
a message that says what the file is (a program, an archive, a web page or drawing, an office
document, a HEIC photo …), named with the help of the pure-Python ``filetype`` package so
``make demo`` needs no libmagic. A JPEG named ``.pdf`` is a photo.
"""

from __future__ import annotations

import struct

import filetype
from django.utils.translation import gettext as _

from arbitration.evidence.reading import Damaged
from arbitration.models import Evidence

HEAD = 64 * 1024  # bytes the type is decided from

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
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
# For the <input accept> hint and the rules shown beside every upload field.
ACCEPT = ",".join([*ALLOWED, *(ext for exts in EXTENSIONS.values() for ext in exts)])


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
        raise Damaged
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        raise Damaged
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
    except Damaged:
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


def refusal_for_unknown(head: bytes, name: str) -> str:
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
