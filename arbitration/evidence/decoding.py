"""Images decoded fully, every frame, without holding more than the limits allow (R-EVD-2).

Issue 13: a 190 KB single-colour PNG of 7,000 × 7,000 pixels once cost 185 MB to check. Two
limits now bound the work before anything is decoded: pixels (``EVIDENCE_MAX_IMAGE_PIXELS``)
and decoded size in bytes (``EVIDENCE_MAX_DECODED_MB``: width × height × bands). An animation
shares both over all its frames, each frame counted as colour with transparency (Pillow holds
every frame after the first as RGBA), and has at most 5,000 frames.

Within the limits, the check does not hold the whole picture where the format allows:

* JPEG is decoded at 1/8 scale (``Image.draft``): libjpeg still reads every coded block, so a
  truncated or corrupt file fails exactly as before, but only 1/64 of the pixels are made.
* PNG (not animated) is inflated in 1 MB pieces and every scanline is checked: its count, its
  filter type and the zlib stream are all that Pillow's decoder can fail on, and unfiltering
  the rows into pixels cannot fail, so no picture is built at all.
* GIF, WebP and animated PNG have no reduced decode: Pillow decodes one frame at a time, so
  the limits bound what is held (a frame or two), and all frames together bound the time.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Iterator
from typing import IO

from PIL import Image, ImageSequence

from arbitration.evidence.policy import max_decoded_bytes, max_image_pixels
from arbitration.evidence.reading import MB, Damaged, chunks, read_at
from arbitration.evidence.sniffing import PIL_FORMATS

MAX_FRAMES = 5000
ANIMATION_BANDS = 4  # bytes a pixel of every frame of an animation takes once decoded

_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type: samples per pixel
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7 passes: first column, first row, column step, row step.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")


class TooLarge(Exception):
    """Decoding would cost more than a limit allows. ``what`` names the limit: "pixels",
    "memory" (decoded bytes), "animation" (all frames together) or "frames" (their number)."""

    def __init__(self, what: str, *, width: int = 0, height: int = 0, bands: int = 0, frames: int = 1):
        super().__init__(what, width, height, bands, frames)
        self.what, self.width, self.height, self.bands, self.frames = what, width, height, bands, frames


def animation_pixel_budget() -> int:
    """The most pixels all frames of an animation may have together."""
    return min(max_image_pixels(), max_decoded_bytes() // ANIMATION_BANDS)


PngChunks = list[tuple[bytes, int, int]]  # (type, start of data, end of data), in file order


def decode_fully(f: IO[bytes], content_type: str, png_chunks: PngChunks | None = None) -> list[bytes]:
    """Open the image as the detected format only and decode every frame under the limits;
    return its text metadata (PNG text chunks, decompressed) to be scanned for markup."""
    f.seek(0)
    # The explicit checks below do not depend on the process-wide warnings filter
    # (catch_warnings is not thread-safe); Pillow's own bomb check, as an error, is a second line.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(f, formats=[PIL_FORMATS[content_type]]) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > 1:
                    _decode_frames(image, frames)
                    return _texts(getattr(image, "text", None))
                refuse_too_large(*image.size, len(image.getbands()))
                if content_type == "image/jpeg":
                    image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
                elif content_type == "image/png":
                    _check_png_pixels(f, png_chunks or [])
                    return _png_texts(f, png_chunks or [])
                image.load()
                return []
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge("pixels") from None
        except (TooLarge, Damaged):
            raise
        except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError, zlib.error):
            raise Damaged from None


def refuse_too_large(width: int, height: int, bands: int) -> None:
    """Raise TooLarge if a still picture of this size is over the pixel or the decoded-size limit."""
    if width * height > max_image_pixels():
        raise TooLarge("pixels", width=width, height=height)
    if width * height * bands > max_decoded_bytes():
        raise TooLarge("memory", width=width, height=height, bands=bands)


def _decode_frames(image: Image.Image, frames: int) -> None:
    """Every frame, one at a time; the budget is checked before each frame is decoded, with the
    frame's real size (a GIF frame may be larger than the screen size in its header)."""
    if frames > MAX_FRAMES:
        raise TooLarge("frames", frames=frames)
    budget = animation_pixel_budget()
    width, height = image.size
    if frames * width * height > budget:
        raise TooLarge("animation", width=width, height=height, frames=frames)
    decoded = 0
    for frame in ImageSequence.Iterator(image):
        width, height = frame.size
        decoded += width * height
        if decoded > budget:
            raise TooLarge("animation", width=width, height=height, frames=frames)
        frame.load()


def _texts(text: dict | None) -> list[bytes]:
    return [str(value).encode("utf-8", "replace") for value in (text or {}).values()]


# --- PNG, checked scanline by scanline ------------------------------------------------------


def _png_rows(width: int, height: int, channels: int, depth: int, interlaced: bool) -> list[tuple[int, int]]:
    """(rows, bytes per row with its filter byte) of each pass of the image data."""
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    rows = []
    for x0, y0, dx, dy in passes:
        pass_width = (width - x0 + dx - 1) // dx if width > x0 else 0
        pass_height = (height - y0 + dy - 1) // dy if height > y0 else 0
        if pass_width and pass_height:
            rows.append((pass_height, 1 + (pass_width * channels * depth + 7) // 8))
    return rows


def _inflated(f: IO[bytes], ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    """The zlib stream of the IDAT chunks, inflated at most 1 MB at a time."""
    stream = zlib.decompressobj()
    for start, end in ranges:
        for piece in chunks(f, start, end):
            while True:
                data = stream.decompress(piece, MB)
                if data:
                    yield data
                piece = stream.unconsumed_tail
                if stream.eof:
                    return
                if not piece and len(data) < MB:  # a full piece may leave output inside zlib
                    break


def _check_png_pixels(f: IO[bytes], png_chunks: PngChunks) -> None:
    """Every scanline is there and starts with a valid filter type (0-4), and the zlib stream of
    the first run of IDAT chunks inflates without error; Pillow reads no further either."""
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", read_at(f, 16, 13)
    )
    if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        raise Damaged
    kinds = [kind for kind, _start, _end in png_chunks]
    if b"IDAT" not in kinds:
        raise Damaged
    first = kinds.index(b"IDAT")
    ranges = []
    for kind, start, end in png_chunks[first:]:
        if kind != b"IDAT":
            break
        ranges.append((start, end))
    passes = _png_rows(width, height, _PNG_CHANNELS[colour], depth, bool(interlace))
    number, done = 0, 0  # the pass, and how many of its bytes have been seen
    for data in _inflated(f, ranges):
        at = 0
        while at < len(data) and number < len(passes):
            rows, stride = passes[number]
            take = min(len(data) - at, rows * stride - done)
            # The filter bytes in this piece: every stride-th byte from the next row start.
            filters = data[at + (-done) % stride : at + take : stride]
            if filters and max(filters) > 4:
                raise Damaged
            at, done = at + take, done + take
            if done == rows * stride:
                number, done = number + 1, 0
        if number == len(passes):
            return
    raise Damaged  # fewer rows than the header says: truncated


def _png_texts(f: IO[bytes], png_chunks: PngChunks) -> list[bytes]:
    """The text of tEXt, zTXt and iTXt chunks, decompressed (at most 1 MB each, as Pillow)."""
    texts = []
    for kind, start, end in png_chunks:
        if kind not in _PNG_TEXT_CHUNKS:
            continue
        _keyword, _nul, value = read_at(f, start, min(end - start, MB)).partition(b"\0")
        compressed = kind == b"zTXt"
        if kind == b"iTXt":
            compressed, value = value[:1] == b"\1", value[2:]
            value = value.split(b"\0", 2)[-1]  # after the language tag and translated keyword
        elif compressed:
            value = value[1:]
        if compressed:
            stream = zlib.decompressobj()
            try:
                value = stream.decompress(value, MB)
            except zlib.error:
                value = b""
            if stream.unconsumed_tail:
                raise Damaged  # Pillow refuses text that inflates past 1 MB
        texts.append(value)
    return texts
