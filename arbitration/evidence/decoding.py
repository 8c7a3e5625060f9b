"""Images decoded fully, every frame, under the pixel limit (R-EVD-2)."""

from __future__ import annotations

import struct
import warnings
from typing import BinaryIO

from PIL import Image, ImageSequence

from arbitration.evidence.policy import max_image_pixels
from arbitration.evidence.reading import Damaged
from arbitration.evidence.sniffing import PIL_FORMATS


class TooManyPixels(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height)
        self.width, self.height = width, height


_MAX_FRAMES = 5000


def decode_fully(f: BinaryIO, content_type: str) -> list[bytes]:
    """Open the image as the detected format only, decode every frame; return its text chunks."""
    limit = max_image_pixels()
    f.seek(0)
    # The explicit pixel check below does not depend on the process-wide warnings filter
    # (catch_warnings is not thread-safe); Pillow's own bomb check, as an error, is a second line.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(f, formats=[PIL_FORMATS[content_type]]) as image:
                width, height = image.size
                if width * height > limit:
                    raise TooManyPixels(width, height)
                decoded = 0
                for number, frame in enumerate(ImageSequence.Iterator(image)):
                    decoded += width * height
                    if decoded > limit or number >= _MAX_FRAMES:
                        raise TooManyPixels(width, height)
                    frame.load()
                texts = getattr(image, "text", None) or {}
                return [str(value).encode("utf-8", "replace") for value in texts.values()]
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooManyPixels(0, 0) from None
        except TooManyPixels:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError):
            raise Damaged from None
