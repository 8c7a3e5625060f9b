"""The structure of each accepted type: where the file ends, where its metadata is (R-EVD-1).

Each walk seeks through the file in bounded reads and raises ``Damaged`` for a truncated or
malformed file, ``Foreign`` for junk where the format allows none.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import IO

from arbitration.evidence.reading import MB, TAIL, Damaged, Foreign, chunks, is_padding, read_at

_MAX_PARTS = 200_000  # chunks, segments or boxes: a file with more is not a photo or a video


# Chunks that carry pixels or the header; every other chunk is metadata, scanned for markup.
PNG_PIXEL_CHUNKS = frozenset({b"IDAT", b"fdAT", b"IHDR", b"PLTE", b"IEND"})


def png_structure(f: IO[bytes], size: int) -> tuple[int, list[tuple[bytes, int, int]]]:
    """Where the PNG ends, and its chunks in order: (type, start of data, end of data)."""
    pos, found = 8, []
    for _part in range(_MAX_PARTS):
        header = read_at(f, pos, 8)
        if len(header) < 8:
            raise Damaged
        length, kind = struct.unpack(">I4s", header)
        end = pos + 12 + length
        if not kind.isalpha() or end > size:
            raise Damaged
        found.append((kind, pos + 8, pos + 8 + length))
        pos = end
        if kind == b"IEND":
            return pos, found
    raise Damaged


_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_skip_scan(f: IO[bytes], pos: int) -> int:
    """After a start-of-scan header: the offset of the next marker (entropy-coded data ends there)."""
    carry = b""
    base = pos
    for chunk in chunks(f, pos):
        buf = carry + chunk
        match = _JPEG_MARKER.search(buf)
        if match:
            return base + match.start()
        carry = buf[-1:]
        base += len(buf) - len(carry)
    raise Damaged  # no end marker: truncated


def jpeg_structure(f: IO[bytes], size: int) -> tuple[int, list[tuple[int, int]]]:
    pos = 2
    regions: list[tuple[int, int]] = []
    for _part in range(_MAX_PARTS):
        header = read_at(f, pos, 2)
        if len(header) < 2 or header[0] != 0xFF:
            raise Damaged
        marker = header[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            return pos + 2, regions
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length_bytes = read_at(f, pos + 2, 2)
        if len(length_bytes) < 2:
            raise Damaged
        length = struct.unpack(">H", length_bytes)[0]
        end = pos + 2 + length
        if length < 2 or end > size:
            raise Damaged
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn (EXIF, XMP …) and comments
            regions.append((pos + 4, end))
        pos = end
        if marker == 0xDA:
            pos = _jpeg_skip_scan(f, pos)
    raise Damaged


def _gif_sub_blocks(f: IO[bytes], pos: int, size: int, keep: bool) -> tuple[int, bytes]:
    kept = bytearray()
    while True:
        length_byte = read_at(f, pos, 1)
        if not length_byte:
            raise Damaged
        length = length_byte[0]
        if length == 0:
            return pos + 1, bytes(kept)
        if pos + 1 + length > size:
            raise Damaged
        if keep and len(kept) < MB:
            kept += read_at(f, pos + 1, length)
        pos += 1 + length


def gif_structure(f: IO[bytes], size: int) -> tuple[int, list[bytes]]:
    screen = read_at(f, 6, 7)
    if len(screen) < 7:
        raise Damaged
    pos = 13 + (3 * 2 ** ((screen[4] & 7) + 1) if screen[4] & 0x80 else 0)
    texts: list[bytes] = []
    for _part in range(_MAX_PARTS):
        introducer = read_at(f, pos, 1)
        if introducer == b"\x3b":
            return pos + 1, texts
        if introducer == b"\x2c":  # an image: descriptor, local colours, LZW data
            descriptor = read_at(f, pos + 1, 9)
            if len(descriptor) < 9:
                raise Damaged
            pos += 10 + (3 * 2 ** ((descriptor[8] & 7) + 1) if descriptor[8] & 0x80 else 0) + 1
            pos, _data = _gif_sub_blocks(f, pos, size, keep=False)
        elif introducer == b"\x21":  # an extension: comments, application data, plain text
            label = read_at(f, pos + 1, 1)
            keep = label in (b"\xfe", b"\xff", b"\x01")
            pos, data = _gif_sub_blocks(f, pos + 2, size, keep=keep)
            if keep:
                texts.append(data)
        else:
            raise Damaged
    raise Damaged


def webp_structure(f: IO[bytes], size: int) -> tuple[int, list[tuple[int, int]]]:
    riff_size = struct.unpack("<I", read_at(f, 4, 4))[0]
    end = 8 + riff_size
    if end > size or riff_size < 4:
        raise Damaged
    pos = 12
    regions: list[tuple[int, int]] = []
    for _part in range(_MAX_PARTS):
        if pos >= end:
            return end, regions
        header = read_at(f, pos, 8)
        if len(header) < 8:
            raise Damaged
        kind, length = struct.unpack("<4sI", header)
        if pos + 8 + length > end:
            raise Damaged
        if kind not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF", b"VP8X", b"ANIM"):
            regions.append((pos + 8, pos + 8 + length))
        pos += 8 + length + (length & 1)
    raise Damaged


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    header: int
    end: int


def isobmff_boxes(f: IO[bytes], start: int, end: int) -> list[_Box]:
    """The boxes between ``start`` and ``end``; raises Foreign for junk, Damaged for truncation."""
    boxes: list[_Box] = []
    pos = start
    while pos < end:
        if len(boxes) >= _MAX_PARTS:
            raise Damaged
        header = read_at(f, pos, 16)
        if len(header) < 8:
            if is_padding(f, pos, end):
                break
            raise Damaged
        size, kind = struct.unpack(">I4s", header[:8])
        length = 8
        if size == 1:
            if len(header) < 16:
                raise Damaged
            size, length = struct.unpack(">Q", header[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if not all(0x20 <= c <= 0x7E or c == 0xA9 for c in kind):
            if is_padding(f, pos, end):
                break
            raise Foreign("trailer")
        if size < length or pos + size > end:
            raise Damaged
        boxes.append(_Box(kind, pos, length, pos + size))
        pos += size
    return boxes


def isobmff_media(f: IO[bytes], size: int) -> list[tuple[int, int]]:
    """Check the top-level boxes; return the byte ranges of the encoded media (mdat payloads)."""
    boxes = isobmff_boxes(f, 0, size)
    if not any(box.kind == b"moov" for box in boxes):
        raise Damaged  # no index: no player can show it
    return [(box.start + box.header, box.end) for box in boxes if box.kind == b"mdat"]


def _ebml_vint(f: IO[bytes], pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, unknown) of the EBML variable-length integer at ``pos``."""
    first = read_at(f, pos, 1)
    if not first or first[0] == 0:
        raise Damaged
    length = 9 - first[0].bit_length()
    raw = read_at(f, pos, length)
    if len(raw) < length:
        raise Damaged
    value = int.from_bytes(raw, "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, unknown


def webm_structure(f: IO[bytes], size: int) -> None:
    element, id_length, _unknown = _ebml_vint(f, 0, keep_marker=True)
    header_size, size_length, _unknown = _ebml_vint(f, id_length, keep_marker=False)
    pos = id_length + size_length + header_size
    element, id_length, _unknown = _ebml_vint(f, pos, keep_marker=True)
    if element != 0x18538067:  # Segment
        raise Damaged
    segment_size, size_length, unknown = _ebml_vint(f, pos + id_length, keep_marker=False)
    if unknown:  # live recordings (MediaRecorder) don't know their length; nothing to compare
        return
    end = pos + id_length + size_length + segment_size
    if end > size:
        raise Damaged
    if end < size and not is_padding(f, end, size):
        raise Foreign("trailer")


def pdf_structure(f: IO[bytes], size: int) -> None:
    start = max(0, size - TAIL)
    tail = read_at(f, start, size - start)
    at = tail.rfind(b"%%EOF")
    if at < 0:
        raise Damaged
    if tail[at + 5 :].strip(b"\x00 \t\r\n"):
        raise Foreign("trailer")
