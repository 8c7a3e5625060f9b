"""What a person is told when a picture is over a decoding limit (R-EVD-2, issue 13): the real
limit, in megapixels and megabytes, and what to do; never a size the file does not have."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from arbitration.evidence.decoding import MAX_FRAMES, TooLarge, animation_pixel_budget
from arbitration.evidence.policy import max_decoded_bytes, max_image_pixels
from arbitration.evidence.reading import MB


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # 7 000: a narrow space groups the digits


def _short(value: float) -> str:
    """49, 5.2, 0.26: whole above 10, else two significant digits, in the reader's notation."""
    return formats.number_format(round(value) if value >= 10 else float(f"{value:.2g}"))


def _megapixels(pixels: float) -> str:
    return _short(pixels / 1_000_000)


def too_large_message(name: str, exc: TooLarge) -> str:
    values = {"name": name, "width": _count(exc.width), "height": _count(exc.height)}
    if exc.what == "frames":
        return _(
            "“%(name)s” has too many frames (%(frames)s) to open safely: an animation can have up to "
            "%(max)s frames. Make it shorter, or upload a video instead."
        ) % {**values, "frames": _count(exc.frames), "max": _count(MAX_FRAMES)}
    if exc.what == "animation":
        return _(
            "“%(name)s” is too large in pixels to open safely: its frames (%(frames)s of %(width)s × "
            "%(height)s pixels) add up to %(total)s megapixels, and an animation can have up to "
            "%(budget)s megapixels in all its frames together. Make it shorter or smaller, or upload a "
            "video instead."
        ) % {
            **values,
            "frames": _count(exc.frames),
            "total": _megapixels(exc.frames * exc.width * exc.height),
            "budget": _megapixels(animation_pixel_budget()),
        }
    if exc.what == "memory":
        limit = max_decoded_bytes()
        return _(
            "“%(name)s” is too large to open safely: at %(width)s × %(height)s pixels it takes %(size)s MB "
            "once opened, and a picture can take up to %(limit)s MB (%(colour)s megapixels in colour, "
            "%(alpha)s with transparency). Resize it or take a screenshot, and upload that."
        ) % {
            **values,
            "size": _short(exc.width * exc.height * exc.bands / MB),
            "limit": _count(limit // MB),
            "colour": _megapixels(min(max_image_pixels(), limit // 3)),
            "alpha": _megapixels(min(max_image_pixels(), limit // 4)),
        }
    details = f" ({values['width']} × {values['height']})" if exc.width else ""
    return _(
        "“%(name)s” is too large in pixels%(details)s to open safely: photos can have up to "
        "%(megapixels)s megapixels. Resize it or take a screenshot, and upload that."
    ) % {**values, "details": details, "megapixels": max(1, round(max_image_pixels() / 1_000_000))}
