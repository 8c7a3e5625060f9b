"""The metadata-free copy and the thumbnail of a photo, made from a reduced decode (R-EVD-4).

Issue 13: making the copy of a 190 KB, 7,000 × 7,000 PNG once took a Celery child from 89 MB
to 843 MB (the picture decoded, converted, copied and copied again at full size). Now:

* **The rendition has at most 12 megapixels** (``RENDITION_MAX_PIXELS``), all frames of an
  animation together. The other party looks at it on a screen: a 4K screen shows 8.3
  megapixels, and the most common phone photo (12 megapixels, 4,032 × 3,024) keeps every
  pixel. An area, not a long edge, so a phone's scrolling screenshot (1,290 × 30,000) stays
  readable (844 × 19,600) instead of becoming a 176-pixel-wide strip.
* **Decoded reduced where the format allows**: a JPEG at the smallest DCT scale that is still
  at least the rendition's size (``Image.draft``), so a 48-megapixel photo is decoded at a
  quarter of its pixels. PNG, WebP and GIF have no reduced decode in Pillow; their decoded
  size is bounded by ``EVIDENCE_MAX_DECODED_MB`` at upload, and the full-size pixels are
  released as soon as the reduced copy exists. Animation frames are reduced one at a time.
* **One working copy**: orientation, sRGB and the metadata drop are done on the reduced
  picture, and the thumbnail is made from it in place (``Image.thumbnail``, which reduces by
  whole factors before resampling) once the rendition is encoded.
"""

from __future__ import annotations

import io
import math
from typing import IO

from django.conf import settings
from PIL import Image, ImageCms, ImageOps, ImageSequence

RENDITION_MAX_PIXELS = 12_000_000
# Modes Pillow resamples smoothly; others (palette, 1-bit) are converted first.
_RESAMPLED_MODES = frozenset({"L", "LA", "RGB", "RGBA", "CMYK", "I", "F"})
_STRIP_BYTES = 8 * 1024 * 1024  # of the source, cut out and resampled at a time
_SRGB = ImageCms.createProfile("sRGB")


def _fitting(width: int, height: int, max_pixels: float) -> tuple[int, int]:
    """The size with the same shape and at most ``max_pixels`` (never larger than the original)."""
    if width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _resampled(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` at ``size``, smoothly (Lanczos); a new picture unless the size is already right.

    Made in horizontal strips: each strip of the source, with the rows the filter reaches
    beyond it, is cut out, converted (palette and RGBA pictures are resampled as premultiplied
    RGBA, which Pillow would otherwise copy at full size) and resampled into its rows of the
    result, which is the same picture a single resize makes, without full-size temporaries.
    """
    if image.size == size:
        return image
    width, height = image.size
    mode = image.mode
    if mode not in _RESAMPLED_MODES or "transparency" in image.info:
        mode = "RGBA" if image.has_transparency_data else "RGB"
    result = Image.new(mode, size)
    scale = height / size[1]
    reach = math.ceil(3 * max(width / size[0], scale)) + 2  # Lanczos reaches 3 source pixels a step
    step = max(1, int(_STRIP_BYTES / (width * 4) / scale))  # result rows from 8 MB of source rows
    for top in range(0, size[1], step):
        bottom = min(size[1], top + step)
        first, last = top * scale, bottom * scale
        cut_top, cut_bottom = max(0, math.floor(first) - reach), min(height, math.ceil(last) + reach)
        strip = image.crop((0, cut_top, width, cut_bottom))
        if strip.mode != mode:
            strip = strip.convert(mode)
        box = (0, first - cut_top, width, last - cut_top)
        result.paste(strip.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=box), (0, top))
    result.info = dict(image.info)  # orientation and colour profile, applied and dropped later
    return result


def _reduced(opened: Image.Image) -> Image.Image:
    """The opened picture decoded at (or reduced to) at most RENDITION_MAX_PIXELS."""
    size = _fitting(*opened.size, RENDITION_MAX_PIXELS)
    if size != opened.size:
        opened.draft(None, size)  # JPEG: decode at 1/2, 1/4 or 1/8 scale, still at least `size`
    opened.load()
    return _resampled(opened, size)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply the embedded colour profile, so the copy looks the same without it."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        mode = "RGBA" if "A" in image.getbands() else "RGB"
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(mode)
        converted = ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode=mode
        )
        return image if converted is None else converted  # None only when converting in place
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _clean(image: Image.Image) -> Image.Image:
    """Pixels only: orientation applied, sRGB, and no info left for an encoder to copy.
    Always a new picture (``exif_transpose`` copies when it does not turn), so its info is ours."""
    if "transparency" in image.info:  # kept in info, which is dropped below: make it pixels
        image = image.convert("RGBA")
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    image.info = {}
    return image


def _encode(image: Image.Image, pil_format: str, **options) -> bytes:
    out = io.BytesIO()
    if pil_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    image.save(out, pil_format, **options)
    return out.getvalue()


def _animation(opened: Image.Image, pil_format: str) -> tuple[bytes, Image.Image]:
    """Every frame reduced as soon as it is decoded, so all frames together have at most
    RENDITION_MAX_PIXELS; the encoded animation and its first frame."""
    size = _fitting(*opened.size, RENDITION_MAX_PIXELS / getattr(opened, "n_frames", 1))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(opened):
        durations.append(frame.info.get("duration", 100))
        frames.append(_clean(_resampled(frame.convert("RGBA"), size)))
    loop = opened.info.get("loop", 0)
    encoded = _encode(
        frames[0], pil_format, save_all=True, append_images=frames[1:], duration=durations, loop=loop
    )
    return encoded, frames[0]


def image_renditions(f: IO[bytes], pil_format: str) -> tuple[bytes, bytes]:
    """The rendition (same format, no metadata, at most 12 megapixels) and the JPEG thumbnail."""
    with Image.open(f, formats=[pil_format]) as opened:
        if getattr(opened, "n_frames", 1) > 1 and pil_format in ("GIF", "WEBP"):
            rendition, picture = _animation(opened, pil_format)
        else:
            reduced = _reduced(opened)
            if reduced is not opened:
                opened.close()  # the full-size pixels go before the working copy is made
            picture = _clean(reduced)
            del reduced
            options = {"quality": 90} if pil_format in ("JPEG", "WEBP") else {}
            rendition = _encode(picture, pil_format, **options)
    picture.thumbnail((settings.EVIDENCE_THUMBNAIL_PX, settings.EVIDENCE_THUMBNAIL_PX))
    if "A" in picture.getbands() or picture.mode == "P":
        background = Image.new("RGB", picture.size, "white")
        rgba = picture.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        picture = background
    return rendition, _encode(picture, "JPEG", quality=85)
