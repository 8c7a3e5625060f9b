"""Peak memory of the upload check and of the rendition (R-EVD-2, R-EVD-4; issue 13 item 2).

Issue 13: a 190 KB single-colour 7,000 × 7,000 RGBA PNG cost 187 MB to check (a web worker)
and 754 MB to make its rendition (a Celery child); a 7,000 × 7,000 JPEG 188 MB and 567 MB; a
36-frame GIF of 1,000 × 1,000 197 MB for its rendition. Each figure here is the growth of the
peak resident size (``ru_maxrss``) of a fresh Python process around one call, after Django,
Pillow and its codecs are loaded: Pillow allocates pixels outside Python's allocator, so
``tracemalloc`` would not see them. Each bound is generous for the new code and fails the old.
The files are made by another process, so making them does not raise the peak measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MAKE_FILES = """
import struct, sys
from pathlib import Path
from PIL import Image
folder = Path(sys.argv[1])
Image.new("RGBA", (7000, 7000), (200, 30, 30, 255)).save(folder / "flat.png")
Image.new("RGB", (7000, 7000), (200, 30, 30)).save(folder / "photo.jpg", quality=90)
frames = [Image.new("RGB", (1000, 1000), colour) for colour in ("red", "green") * 18]
frames[0].save(folder / "animation.gif", save_all=True, append_images=frames[1:], duration=50, loop=0)
frames = [Image.new("RGB", (3000, 3000), colour) for colour in ("red", "green") * 5]
frames[0].save(folder / "small-screen.gif", save_all=True, append_images=frames[1:], duration=50)
data = bytearray((folder / "small-screen.gif").read_bytes())
data[6:10] = struct.pack("<HH", 1, 1)  # the header claims a 1 x 1 screen
(folder / "small-screen.gif").write_bytes(bytes(data))
"""

MEASURE = """
import io, json, resource, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from arbitration.evidence import EvidenceRejected, check_file
from arbitration.evidence.pictures import image_renditions
what, path, pil_format = sys.argv[1:4]
for warm in ("PNG", "JPEG", "GIF"):  # load the codecs before measuring
    out = io.BytesIO()
    Image.new("RGBA" if warm == "PNG" else "RGB", (64, 64)).save(out, warm)
    image_renditions(io.BytesIO(out.getvalue()), warm)
with open(path, "rb") as f:
    data = f.read()
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
before = peak()
if what == "check":
    try:
        check_file(SimpleUploadedFile(path.rsplit("/", 1)[-1], data))
        outcome = "accepted"
    except EvidenceRejected as exc:
        outcome = " ".join(exc.messages)
else:
    rendition, thumbnail = image_renditions(io.BytesIO(data), pil_format)
    outcome = Image.open(io.BytesIO(rendition)).size
print(json.dumps({"growth_mb": peak() - before, "outcome": outcome}))
"""


@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big-pictures")
    subprocess.run([sys.executable, "-c", MAKE_FILES, str(folder)], check=True, cwd=ROOT)
    return folder


def measure(what: str, path: Path, pil_format: str, **settings: int) -> tuple[float, object]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update({name: str(value) for name, value in settings.items()})
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, what, str(path), pil_format],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"{what} {path.name} {settings}: +{figures['growth_mb']:.0f} MB, {figures['outcome']}")
    return figures["growth_mb"], figures["outcome"]


def test_r_evd_2_issue_13_the_7000_px_rgba_png_is_refused_by_default_at_no_cost(big_files):
    """Default EVIDENCE_MAX_DECODED_MB=150: refused from its header (was 187 MB, accepted)."""
    growth, outcome = measure("check", big_files / "flat.png", "PNG")
    assert "too large to open safely" in outcome and "up to 150 MB" in outcome
    assert growth < 32


def test_r_evd_2_issue_13_checking_the_7000_px_rgba_png_holds_no_picture(big_files):
    """With the limit raised so it is accepted, the check reads it scanline by scanline:
    well below its 187 MB decoded (was 187 MB)."""
    growth, outcome = measure("check", big_files / "flat.png", "PNG", EVIDENCE_MAX_DECODED_MB=256)
    assert outcome == "accepted"
    assert growth < 32


def test_r_evd_4_issue_13_the_rendition_of_the_7000_px_rgba_png_is_bounded(big_files):
    """PNG has no reduced decode: the decoded picture (187 MB), then a 12-megapixel copy made in
    strips, the full-size pixels released before the working copy (was 754 MB)."""
    growth, size = measure("rendition", big_files / "flat.png", "PNG", EVIDENCE_MAX_DECODED_MB=256)
    assert size == [3464, 3464]
    assert growth < 350


def test_r_evd_2_issue_13_checking_a_49_megapixel_jpeg_decodes_it_at_one_eighth(big_files):
    """Was 188 MB: every block is still read, at 1/64 of the pixels."""
    growth, outcome = measure("check", big_files / "photo.jpg", "JPEG")
    assert outcome == "accepted"
    assert growth < 32


def test_r_evd_4_issue_13_the_rendition_of_a_49_megapixel_jpeg_is_made_from_a_reduced_decode(big_files):
    """Decoded at 1/2 scale (draft), reduced to 12 megapixels (was 567 MB)."""
    growth, size = measure("rendition", big_files / "photo.jpg", "JPEG")
    assert size == [3464, 3464]
    assert growth < 200


def test_r_evd_2_issue_13_checking_a_many_frame_gif_holds_one_frame_at_a_time(big_files):
    """36 frames of 1,000 × 1,000: the check already went frame by frame (13 MB before too);
    this holds it there."""
    growth, outcome = measure("check", big_files / "animation.gif", "GIF")
    assert outcome == "accepted"
    assert growth < 64


def test_r_evd_4_issue_13_the_rendition_of_a_many_frame_gif_shares_the_cap_over_its_frames(big_files):
    """Each frame reduced as it is decoded, all frames together at most 12 megapixels (was 197 MB)."""
    growth, size = measure("rendition", big_files / "animation.gif", "GIF")
    assert size == [577, 577]
    assert growth < 150


def test_r_evd_2_issue_13_a_gif_claiming_a_1_px_screen_is_refused_before_decoding(big_files):
    """Ten 3,000 × 3,000 frames behind a header that says 1 × 1: refused at the real size and the
    real limit, before a frame is decoded (before, it was accepted after decoding all ten)."""
    growth, outcome = measure("check", big_files / "small-screen.gif", "GIF")
    assert "its frames (10 of 3\u202f000 × 3\u202f000 pixels) add up to 90 megapixels" in outcome
    assert "up to 39 megapixels in all its frames together" in outcome
    assert "1 × 1" not in outcome
    assert growth < 32
