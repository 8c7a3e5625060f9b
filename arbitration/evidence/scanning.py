"""Looking for foreign content: polyglots, files that are two things at once (R-EVD-1).

Refused: any file that ends with a ZIP directory (a JPEG that is also a ZIP, a GIF that is
also a JAR); any file with a web page, script or PHP inside, or a RAR/7z archive or (outside
PDFs) a PDF inside; HTML, SVG or scripts in an image's metadata; PDFs with JavaScript, launch
actions, attached files or rich media.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Iterator
from typing import IO

from arbitration.evidence.reading import TAIL, Foreign, chunks, read_at

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


def hash_and_scan(f: IO[bytes], *, pdf: bool, media: Iterable[tuple[int, int]] = ()) -> str:
    """One streaming pass: the SHA-256, and a refusal if web content or an archive is inside
    (outside the ``media`` byte ranges, a video's encoded frames)."""
    digest = hashlib.sha256()
    media = list(media)
    binary = {k: v for k, v in _STRICT_BINARY.items() if not (pdf and v == "pdf")}
    carry, position = b"", 0
    pieces = chunks(f)
    chunk = next(pieces, b"")
    while chunk:
        digest.update(chunk)
        following = next(pieces, b"")
        buf = carry + chunk.lower()
        base = position - len(carry)  # the file offset of buf[0]
        # A marker starting in the last _OVERLAP bytes is looked at again with the next chunk.
        limit = len(buf) if not following else len(buf) - _OVERLAP
        for at, what in _marker_hits(buf, limit, binary):
            if not any(start <= base + at < end for start, end in media):
                raise Foreign(what)
        carry = buf[-_OVERLAP:]
        position += len(chunk)
        chunk = following
    return digest.hexdigest()


def has_zip_directory(f: IO[bytes], size: int) -> bool:
    """True if a ZIP reader would open the file: an end-of-directory record near the end that
    points at a central directory (at its offset, or just before the record when the ZIP was
    appended to something else)."""
    start = max(0, size - TAIL)
    tail = read_at(f, start, size - start)
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        record = tail[at : at + 22]
        if len(record) == 22:
            cd_size, cd_offset = struct.unpack("<II", record[12:20])
            end_record = start + at
            zip64 = cd_offset == 0xFFFFFFFF and end_record >= 20
            if zip64 and read_at(f, end_record - 20, 4) == b"PK\x06\x07":
                return True
            for cd_start in (cd_offset, end_record - cd_size):
                if 0 <= cd_start < end_record and read_at(f, cd_start, 4) == b"PK\x01\x02":
                    return True
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return False


def scan_metadata(f: IO[bytes], regions: Iterable[tuple[int, int]], extra: Iterable[bytes] = ()) -> None:
    for start, end in regions:
        carry = b""
        for chunk in chunks(f, start, end):
            buf = carry + chunk
            if _METADATA_MARKUP.search(buf):
                raise Foreign("markup")
            carry = buf[-_OVERLAP:]
    for text in extra:
        if _METADATA_MARKUP.search(text):
            raise Foreign("markup")


def _name_pattern(name: str) -> bytes:
    # PDF names may spell any character as #xx: /J#61vaScript is /JavaScript.
    return b"".join(b"(?:" + re.escape(ch.encode()) + b"|#" + f"{ord(ch):02x}".encode() + b")" for ch in name)


_PDF_ACTIVE = re.compile(
    b"/(?:"
    + b"|".join(_name_pattern(n) for n in ("JavaScript", "Launch", "EmbeddedFile", "RichMedia"))
    + b")",
    re.I,
)


def pdf_active_content(f: IO[bytes]) -> bool:
    carry = b""
    for chunk in chunks(f):
        buf = carry + chunk
        if _PDF_ACTIVE.search(buf):
            return True
        carry = buf[-_OVERLAP * 2 :]
    return False
