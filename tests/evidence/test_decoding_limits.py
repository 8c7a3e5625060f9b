"""Decoding under a pixel and a decoded-size limit, and what the buyer is told (R-EVD-2, issue 13).

A picture is refused before it is decoded when width × height × bands (all frames of an
animation together) is over ``EVIDENCE_MAX_DECODED_MB``, besides the pixel limit; the message
names the real limit, never a size the file does not have. PNG is checked scanline by
scanline without building the picture, so these tests also hold that check to what Pillow's
decoder refused before. The peak memory itself is measured in test_memory.py.
"""

from __future__ import annotations

import io
import zlib

import pytest
from django.utils import translation
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from arbitration import services as arbitration
from arbitration.evidence import EvidenceRejected, check_file
from arbitration.evidence import pictures as pictures_module
from arbitration.models import Evidence
from tests.evidence import files
from tests.evidence.files import upload


def refusal(*uploads) -> str:
    with pytest.raises(EvidenceRejected) as excinfo:
        for item in uploads:
            check_file(item)
    return " ".join(excinfo.value.messages)


def rgba_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(out, "PNG")
    return out.getvalue()


# --- The decoded-size limit and its message ---------------------------------------------------


def test_r_evd_2_a_picture_over_the_decoded_size_limit_is_refused_naming_the_limit(settings):
    settings.EVIDENCE_MAX_DECODED_MB = 1  # 600 × 600 × 4 bands = 1.4 MB
    text = refusal(upload("screenshot.png", rgba_png(600, 600)))
    assert "“screenshot.png” is too large to open safely" in text
    assert "at 600 × 600 pixels it takes 1.4 MB once opened" in text
    assert "a picture can take up to 1 MB (0.35 megapixels in colour, 0.26 with transparency)" in text
    assert "(1 × 1)" not in text


def test_r_evd_2_the_same_size_without_transparency_fits_where_with_it_does_not(settings):
    """Bands count: 520 × 520 is 0.8 MB in colour, 1.03 MB with transparency."""
    settings.EVIDENCE_MAX_DECODED_MB = 1
    out = io.BytesIO()
    Image.new("RGB", (520, 520), "red").save(out, "PNG")
    assert check_file(upload("colour.png", out.getvalue())).content_type == "image/png"
    assert "too large to open safely" in refusal(upload("alpha.png", rgba_png(520, 520)))


def test_r_evd_2_the_issue_13_png_is_refused_by_default_naming_150_mb():
    """The 190 KB, 7,000 × 7,000 RGBA PNG of issue 13 takes 187 MB decoded: over the default."""
    text = refusal(upload("flat.png", rgba_png(7000, 7000)))
    assert "at 7\u202f000 × 7\u202f000 pixels it takes 187 MB once opened" in text
    assert "up to 150 MB (50 megapixels in colour, 39 with transparency)" in text


def test_r_evd_2_the_refusal_is_in_russian_for_a_russian_reader(settings):
    settings.EVIDENCE_MAX_DECODED_MB = 1
    with translation.override("ru"):
        text = refusal(upload("screenshot.png", rgba_png(600, 600)))
    assert "слишком большой, чтобы безопасно его открыть" in text
    assert "не больше 1 МБ" in text


# --- Animations: frame count × frame size -----------------------------------------------------


def test_r_evd_2_an_animation_is_refused_naming_its_frames_and_the_budget(settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 3 * 32 * 32
    text = refusal(upload("four.gif", files.gif(frames=4)))
    assert "its frames (4 of 32 × 32 pixels) add up to 0.0041 megapixels" in text
    assert "an animation can have up to 0.0031 megapixels in all its frames together" in text


def test_r_evd_2_a_gif_whose_header_says_1_by_1_is_counted_at_its_real_frame_size(settings):
    """Before issue 13 the budget used the header's screen size: three 64 × 64 frames counted
    3 pixels and were decoded in full; the refusal, when one came, said "(1 × 1)"."""
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 10_000  # 3 × 64 × 64 = 12,288
    text = refusal(upload("small-screen.gif", files.gif_on_small_screen(3, 64, 64)))
    assert "its frames (3 of 64 × 64 pixels)" in text
    assert "1 × 1" not in text


def test_r_evd_2_every_animation_frame_counts_four_bytes_against_the_decoded_size(settings):
    settings.EVIDENCE_MAX_DECODED_MB = 1  # 1 MB / 4 bytes = 262,144 pixels in all frames
    assert check_file(upload("short.gif", files.gif(frames=3, width=260, height=260))).kind == "image"
    text = refusal(upload("long.gif", files.gif(frames=4, width=260, height=260)))
    assert "add up to 0.27 megapixels, and an animation can have up to 0.26 megapixels" in text


def test_r_evd_2_an_animation_with_too_many_frames_is_refused_naming_the_frame_limit():
    text = refusal(upload("blink.gif", files.gif_of_single_pixels(5001)))
    assert "“blink.gif” has too many frames (5\u202f001) to open safely" in text
    assert "up to 5\u202f000 frames" in text
    assert "1 × 1" not in text


# --- PNG checked scanline by scanline ---------------------------------------------------------


def test_r_evd_2_a_png_missing_rows_of_its_image_data_is_damaged():
    rows = (b"\x00" + bytes(30)) * 9  # the header says 10 rows of 10 RGB pixels
    text = refusal(upload("cut.png", files.png_raw(10, 10, rows)))
    assert "“cut.png” is damaged or incomplete" in text


def test_r_evd_2_a_png_row_with_a_filter_type_that_does_not_exist_is_damaged():
    rows = (b"\x00" + bytes(30)) * 9 + b"\x07" + bytes(30)
    assert "is damaged or incomplete" in refusal(upload("bad.png", files.png_raw(10, 10, rows)))


def test_r_evd_2_a_png_whose_compressed_data_is_corrupt_is_damaged():
    good = files.png(64, 48)
    at = good.index(b"IDAT") + 20
    corrupt = good[:at] + bytes(b ^ 0x5A for b in good[at : at + 8]) + good[at + 8 :]
    assert "is damaged or incomplete" in refusal(upload("corrupt.png", corrupt))


@pytest.mark.parametrize(
    ("colour", "depth"), [(0, 1), (0, 4), (0, 16), (2, 8), (2, 16), (3, 2), (3, 8), (4, 8), (6, 16)]
)
def test_r_evd_2_pngs_of_every_colour_type_and_depth_are_accepted(colour, depth):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    width, height = 13, 7
    row = b"\x04" + bytes(range((width * channels * depth + 7) // 8))
    data = files.png_raw(width, height, row * height, colour=colour, depth=depth)
    Image.open(io.BytesIO(data)).load()  # Pillow decodes it: so must the check accept it
    assert check_file(upload("depth.png", data)).content_type == "image/png"


def test_r_evd_2_an_interlaced_png_is_accepted():
    assert check_file(upload("interlaced.png", files.png_interlaced())).content_type == "image/png"


def test_r_evd_1_markup_in_compressed_png_text_after_the_image_data_is_refused():
    """zTXt after IDAT: not in the raw bytes, and not read until a full decode before issue 13."""
    text_chunk = files.png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"<script>alert(1)</script>"))
    rows = (b"\x00" + bytes(30)) * 10
    data = files.png_raw(10, 10, rows, after_image=text_chunk)
    assert "hidden inside it (a web page or script)" in refusal(upload("page.png", data))


def test_r_evd_1_markup_in_compressed_international_png_text_is_refused():
    info = PngInfo()
    info.add_itxt("Description", "<iframe src=//evil.example>", zip=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    assert "hidden inside it (a web page or script)" in refusal(upload("itxt.png", out.getvalue()))


# --- The rendition's size is capped (R-EVD-4) ---------------------------------------------------


def test_r_evd_4_the_rendition_is_reduced_to_the_cap_keeping_its_shape(
    open_dispute, buyer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(pictures_module, "RENDITION_MAX_PIXELS", 800)  # 12 megapixels in production
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute,
            actor=buyer,
            body="A photo and a long screenshot",
            files=[upload("photo.jpg", files.jpeg(80, 40)), upload("chat.png", files.png(20, 400))],
        )
    sizes = {}
    for evidence in Evidence.objects.filter(dispute=open_dispute):
        with evidence.rendition.storage.open(evidence.rendition.name, "rb") as f:
            sizes[evidence.original_name] = Image.open(io.BytesIO(f.read())).size
    assert sizes == {"photo.jpg": (40, 20), "chat.png": (6, 126)}  # area ≤ 800, same shape


def test_r_evd_4_an_animation_rendition_shares_the_cap_over_its_frames(
    open_dispute, buyer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(pictures_module, "RENDITION_MAX_PIXELS", 3 * 16 * 16)
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute, actor=buyer, body="x", files=[upload("anim.gif", files.gif(frames=3))]
        )
    evidence = Evidence.objects.get(dispute=open_dispute)
    with evidence.rendition.storage.open(evidence.rendition.name, "rb") as f:
        rendition = Image.open(io.BytesIO(f.read()))
        assert (rendition.n_frames, rendition.size) == (3, (16, 16))
