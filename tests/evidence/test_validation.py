"""What a file is, decided by its content; what is refused, and what the buyer is told.

R-EVD-1 (accepted types, by content; SVG, HTML, programs, archives, polyglots refused) and
R-EVD-2 (size per type, count per dispute, pixels, full decode). Files go through the real
service, ``dispute_post_message``, exactly as a buyer's upload does.
"""

from __future__ import annotations

import pytest

from arbitration import services as arbitration
from arbitration.evidence import CHUNK, EvidenceRejected, check_file, safe_name, sniff
from arbitration.models import Evidence
from tests.evidence import files
from tests.evidence.files import upload


def post(dispute, actor, *uploads):
    return arbitration.dispute_post_message(
        dispute=dispute, actor=actor, body="Photos attached", files=list(uploads)
    )


def refusal(dispute, actor, *uploads) -> str:
    with pytest.raises(EvidenceRejected) as excinfo:
        post(dispute, actor, *uploads)
    assert not Evidence.objects.filter(dispute=dispute).exists(), (
        "nothing is stored when an upload is refused"
    )
    return " ".join(excinfo.value.messages)


# --- Accepted, by content -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type", "kind"),
    [
        ("photo.jpg", lambda: files.jpeg(gps=True), "image/jpeg", "image"),
        ("screenshot.png", files.png, "image/png", "image"),
        ("scan.webp", files.webp, "image/webp", "image"),
        ("unboxing.gif", lambda: files.gif(frames=3), "image/gif", "image"),
        ("unboxing.mp4", files.mp4, "video/mp4", "video"),
        ("IMG_0001.MOV", lambda: files.mp4(brand=b"qt  "), "video/quicktime", "video"),
        ("recording.webm", files.webm, "video/webm", "video"),
        ("statement.pdf", files.pdf, "application/pdf", "pdf"),
    ],
)
def test_r_evd_1_each_accepted_type_is_stored_with_the_type_found_in_its_content(
    open_dispute, buyer, name, make, content_type, kind
):
    post(
        open_dispute, buyer, upload(name, make(), content_type="text/html")
    )  # the browser's claim is ignored
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert (evidence.content_type, evidence.kind, evidence.original_name) == (content_type, kind, name)


def test_r_evd_1_a_valid_jpeg_named_pdf_is_a_photo(open_dispute, buyer):
    """Decided by content, not by name: stored as a JPEG, and served as receipt.pdf.jpg."""
    post(open_dispute, buyer, upload("receipt.pdf", files.jpeg(), content_type="application/pdf"))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert (evidence.content_type, evidence.kind) == ("image/jpeg", "image")
    assert evidence.file.name.endswith(".jpg")


def test_r_evd_1_a_real_photo_named_jpg_exe_is_a_photo_and_is_never_stored_as_exe(open_dispute, buyer):
    post(open_dispute, buyer, upload("photo.jpg.exe", files.jpeg()))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.content_type == "image/jpeg"
    assert evidence.file.name.endswith(".jpg")


# --- Refused: not evidence ------------------------------------------------------------------


def test_r_evd_1_an_svg_with_a_script_is_refused_as_a_drawing(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("damage.svg", files.SVG_WITH_SCRIPT, "image/svg+xml"))
    assert "“damage.svg” is a web page or drawing (HTML, SVG or XML)" in text
    assert "screenshot" in text


def test_r_evd_1_an_html_page_is_refused_as_a_web_page(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("tracking.html", files.HTML_PAGE, "text/html"))
    assert "“tracking.html” is a web page or drawing" in text


def test_r_evd_1_a_program_named_jpg_exe_is_refused_as_a_program(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photo.jpg.exe", files.windows_program(), "image/jpeg"))
    assert "“photo.jpg.exe” is a program" in text


def test_r_evd_1_a_program_named_jpg_is_refused_as_a_program(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photo.jpg", files.windows_program(), "image/jpeg"))
    assert "“photo.jpg” is a program" in text


def test_r_evd_1_an_archive_is_refused_with_a_hint_to_unpack_it(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photos.zip", files.zip_archive({"a.jpg": files.jpeg()})))
    assert "“photos.zip” is an archive" in text
    assert "Unpack it" in text


def test_r_evd_1_a_heic_photo_is_refused_with_a_way_to_send_a_jpeg(open_dispute, buyer):
    heic = files.box(b"ftyp", b"heic" + bytes(4) + b"mif1heic") + files.box(b"meta", bytes(64))
    text = refusal(open_dispute, buyer, upload("IMG_0042.HEIC", heic))
    assert "HEIC" in text and "Most Compatible" in text


# --- Refused: polyglots ---------------------------------------------------------------------


def test_r_evd_1_a_png_with_an_html_page_appended_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("scratch.png", files.png() + files.HTML_PAGE))
    assert "“scratch.png” has something else hidden inside it (a web page or script)" in text


def test_r_evd_1_a_png_with_a_script_in_its_text_chunk_is_refused(open_dispute, buyer):
    polyglot = files.png(text={"Comment": "<svg/onload=alert(1)>"})
    text = refusal(open_dispute, buyer, upload("scratch.png", polyglot))
    assert "hidden inside it (a web page or script)" in text


def test_r_evd_1_a_png_with_anything_after_its_end_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("scratch.png", files.png() + b"\x01\x02 hidden payload"))
    assert "hidden inside it (extra data after its end)" in text


def test_r_evd_1_a_jpeg_that_is_also_a_zip_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("box.jpg", files.jpeg() + files.zip_archive()))
    assert "“box.jpg” has something else hidden inside it (an archive)" in text


def test_r_evd_1_a_jpeg_with_a_script_in_its_comment_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("box.jpg", files.jpeg(comment=b"<script>alert(1)</script>")))
    assert "hidden inside it (a web page or script)" in text


def test_r_evd_1_a_jpeg_with_a_phone_trailer_after_its_end_is_accepted(open_dispute, buyer):
    """Motion photos append a video after the picture; harmless, and the other party only ever
    sees the re-encoded copy."""
    post(open_dispute, buyer, upload("PXL_motion.jpg", files.jpeg() + files.mp4(location=False)))
    assert Evidence.objects.get(dispute=open_dispute).content_type == "image/jpeg"


def test_r_evd_1_a_video_with_a_web_page_appended_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("clip.mp4", files.mp4() + files.HTML_PAGE))
    assert "“clip.mp4” has something else hidden inside it (a web page or script)" in text


def test_r_evd_1_a_webm_with_data_after_its_segment_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("clip.webm", files.webm(trailer=b"\x01\x02\x03 not video")))
    assert "hidden inside it (extra data after its end)" in text


def test_r_evd_1_a_pdf_that_runs_javascript_is_refused_with_a_way_out(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("statement.pdf", files.pdf(javascript=True)))
    assert "“statement.pdf” contains scripts, attached files or other active content" in text
    assert "Save as PDF" in text


def test_r_evd_1_a_pdf_hiding_javascript_behind_name_escapes_is_refused(open_dispute, buyer):
    escaped = files.pdf(javascript=True).replace(b"/S /JavaScript", b"/S /J#61vaScr#69pt")
    assert b"/JavaScript" not in escaped
    text = refusal(open_dispute, buyer, upload("statement.pdf", escaped))
    assert "active content" in text


def test_r_evd_1_a_picture_with_a_pdf_inside_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photo.jpg", files.jpeg() + files.pdf()))
    assert "hidden inside it (a PDF document)" in text


# --- Refused: broken, empty, too big, too many (R-EVD-2) ------------------------------------


def test_r_evd_2_an_image_whose_header_claims_60000_by_60000_pixels_is_refused(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("huge.png", files.png_claiming(60_000, 60_000)))
    assert "“huge.png” is too large in pixels to open safely" in text
    assert "50 megapixels" in text


def test_r_evd_2_an_image_over_the_pixel_setting_is_refused_naming_its_size(open_dispute, buyer, settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1000
    text = refusal(open_dispute, buyer, upload("photo.jpg", files.jpeg(64, 48)))
    assert "“photo.jpg” is too large in pixels (64 × 48) to open safely" in text


def test_r_evd_2_an_animation_shares_the_pixel_budget_over_its_frames(open_dispute, buyer, settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 32 * 32 * 3  # three frames fit, four do not
    post(open_dispute, buyer, upload("three.gif", files.gif(frames=3)))
    text = refusal_after_first(open_dispute, buyer, upload("four.gif", files.gif(frames=4)))
    assert "“four.gif” is too large in pixels" in text


def refusal_after_first(dispute, actor, *uploads) -> str:
    with pytest.raises(EvidenceRejected) as excinfo:
        post(dispute, actor, *uploads)
    return " ".join(excinfo.value.messages)


def test_r_evd_2_a_truncated_jpeg_is_refused_as_damaged(open_dispute, buyer):
    whole = files.jpeg(256, 256)
    text = refusal(open_dispute, buyer, upload("photo.jpg", whole[: len(whole) // 2]))
    assert "“photo.jpg” is damaged or incomplete and can't be opened as a picture" in text


def test_r_evd_2_a_jpeg_cut_just_before_its_end_marker_is_refused_as_damaged(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photo.jpg", files.jpeg()[:-2]))
    assert "damaged or incomplete" in text


def test_r_evd_2_a_video_without_its_index_is_refused_as_damaged(open_dispute, buyer):
    moov_less = files.box(b"ftyp", b"isom" + bytes(4) + b"isom") + files.box(b"mdat", bytes(64))
    text = refusal(open_dispute, buyer, upload("clip.mp4", moov_less))
    assert "“clip.mp4” is damaged or incomplete and can't be played" in text


def test_r_evd_2_a_zero_byte_file_is_refused_as_empty(open_dispute, buyer):
    text = refusal(open_dispute, buyer, upload("photo.jpg", b""))
    assert "“photo.jpg” is empty (0 bytes)" in text


def test_r_evd_2_an_oversize_file_is_refused_with_the_limit_of_its_type(open_dispute, buyer, settings):
    settings.EVIDENCE_MAX_IMAGE_MB = 1
    big = files.jpeg() + b"\x00" * (1024 * 1024)  # padding after the picture: valid, but over 1 MB
    text = refusal(open_dispute, buyer, upload("photo.jpg", big))
    assert "“photo.jpg” is too large (1.0 MB). Photos can be up to 1 MB." in text


def test_r_evd_2_the_size_limit_depends_on_the_type(open_dispute, buyer, settings):
    settings.EVIDENCE_MAX_IMAGE_MB, settings.EVIDENCE_MAX_VIDEO_MB = 1, 3
    video = files.mp4(mdat=b"\x07" * (2 * 1024 * 1024))  # 2 MB: too big for a photo, fine for a video
    post(open_dispute, buyer, upload("clip.mp4", video))
    assert Evidence.objects.get(dispute=open_dispute).kind == "video"


def test_r_evd_2_one_file_past_the_per_dispute_count_is_refused(open_dispute, buyer, seller, settings):
    settings.EVIDENCE_MAX_FILES_PER_DISPUTE = 3
    post(open_dispute, buyer, upload("a.png", files.png(10, 10)), upload("b.png", files.png(11, 11)))
    with pytest.raises(EvidenceRejected) as excinfo:
        post(open_dispute, seller, upload("c.png", files.png(12, 12)), upload("d.png", files.png(13, 13)))
    assert excinfo.value.messages == [
        "A case can have up to 3 files. This one has 2 already, so you can add 1 more, not 2."
    ]
    post(open_dispute, seller, upload("c.png", files.png(12, 12)))
    with pytest.raises(EvidenceRejected) as excinfo:
        post(open_dispute, buyer, upload("e.png", files.png(14, 14)))
    assert "already has the most files it can have (3)" in excinfo.value.messages[0]
    assert Evidence.objects.filter(dispute=open_dispute).count() == 3


def test_r_evd_1_every_refused_file_of_an_upload_is_explained_and_none_is_stored(open_dispute, buyer):
    text = refusal(
        open_dispute,
        buyer,
        upload("good.jpg", files.jpeg()),
        upload("page.html", files.HTML_PAGE),
        upload("empty.png", b""),
    )
    assert "“page.html” is a web page" in text
    assert "“empty.png” is empty" in text
    assert "good.jpg" not in text


# --- File names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\system32\\photo.jpg", "photo.jpg"),
        ("/var/app/private-media/evidence/x.jpg", "x.jpg"),
        ("photo\x00.jpg", "photo.jpg"),
        ("bad\r\nSet-Cookie: x=1.jpg", "badSet-Cookie: x=1.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a right-to-left override would show "exe.jpg"
        ("..", "file"),
        ("", "file"),
        ("  .hidden.jpg  ", "hidden.jpg"),
    ],
)
def test_r_evd_3_path_traversal_and_control_characters_are_removed_from_names(raw, kept):
    assert safe_name(raw) == kept


def test_r_evd_3_an_uploaded_name_with_traversal_is_kept_only_as_harmless_metadata(open_dispute, buyer):
    post(open_dispute, buyer, upload("../../../etc/cron.d/evil\x07.jpg", files.jpeg()))
    evidence = Evidence.objects.get(dispute=open_dispute)
    assert evidence.original_name == "evil.jpg"
    assert evidence.file.name.startswith("evidence/")
    assert "evil" not in evidence.file.name and ".." not in evidence.file.name


def test_r_evd_3_a_very_long_name_is_shortened_keeping_its_extension():
    name = safe_name("a" * 500 + ".jpeg")
    assert len(name) == 200 and name.endswith(".jpeg")


# --- The type detector itself ---------------------------------------------------------------


def test_r_evd_1_the_type_comes_from_the_signature_only():
    assert sniff(files.jpeg()[:64]) == "image/jpeg"
    assert sniff(b"GIF89a" + bytes(20)) == "image/gif"
    assert sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42") == "video/mp4"
    assert sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ") == "video/quicktime"
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") is None
    assert sniff(b"   %PDF-1.7 leading junk is how PDF polyglots start") is None
    assert sniff(files.SVG_WITH_SCRIPT) is None


def test_r_evd_1_checking_a_file_twice_reads_it_once(buyer):
    photo = upload("photo.jpg", files.jpeg())
    first = check_file(photo)
    photo.file = None  # a second read would fail
    assert check_file(photo) is first


@pytest.mark.parametrize("shift", [-7, -3, -1, 0, 1])
def test_r_evd_1_a_script_split_across_two_read_chunks_is_still_found(open_dispute, buyer, shift):
    """The scan reads 1 MB at a time; a marker straddling two reads must not slip through.
    (After a JPEG's end, where phones put their trailers, every byte is scanned.)"""
    picture = files.jpeg()
    filler = CHUNK + shift - len(picture)  # "<script" starts `shift` bytes from the chunk boundary
    polyglot = picture + b"\x11" * filler + b"<script>alert(1)</script>" + b"\x11" * 4096
    assert polyglot.index(b"<script") == CHUNK + shift
    text = refusal(open_dispute, buyer, upload("photo.jpg", polyglot))
    assert "hidden inside it (a web page or script)" in text


def test_r_evd_1_markup_in_a_videos_boxes_is_refused(open_dispute, buyer):
    video = files.mp4()
    with_page = video.replace(
        files.box(b"mdat", b"\x00\x11\x22\x33" * 256), files.box(b"free", files.HTML_PAGE)
    )
    text = refusal(open_dispute, buyer, upload("clip.mp4", with_page + files.box(b"mdat", bytes(64))))
    assert "hidden inside it (a web page or script)" in text


def test_r_evd_1_a_chance_markup_like_run_inside_encoded_video_frames_is_not_a_page(open_dispute, buyer):
    """Encoded frames are random-looking bytes: in enough hours of video any short string turns
    up, so the media data itself is not searched (nothing reads HTML from inside it)."""
    post(open_dispute, buyer, upload("clip.mp4", files.mp4(mdat=b"\x11" * 1000 + b"<body " + b"\x11" * 1000)))
    assert Evidence.objects.get(dispute=open_dispute).content_type == "video/mp4"


def test_r_evd_1_markup_like_bytes_without_a_tag_shape_are_not_mistaken_for_a_page(open_dispute, buyer):
    """Compressed video contains every short byte string sometime; '<html' must look like a tag."""
    post(open_dispute, buyer, upload("clip.mp4", files.mp4(mdat=b"\x11<htmlq\x11<bodyz\x11" * 100)))
    assert Evidence.objects.get(dispute=open_dispute).content_type == "video/mp4"
