import io
import re

import imagehash
import pytest
from PIL import Image, ImageDraw, ImageOps
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from bench.phash.make_screenshots import crop_top, jpeg, png, resized, screenshot
from complaints import processing
from complaints.duplicates import is_near_duplicate_picture, phash_distance
from complaints.models import Evidence
from complaints.tests import files

HEX16 = re.compile(r"[0-9a-f]{16}")
ORIENTATION = 0x0112


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def picture(variant: int = 0, size=(400, 300)) -> Image.Image:
    """A picture with shapes in it, so perceptual hashes have something to tell apart."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 40):
        top = (x * 7 + variant * 50) % (size[1] - 50)
        draw.rectangle([x, top, x + 25, top + 40], fill=(x % 255, 80, 200 - x % 200))
    draw.ellipse([100 + variant * 30, 50, 250, 200], fill=(20, 160, 60))
    return image


def image_result(content: bytes) -> processing.ImageResult:
    return processing.process_image(io.BytesIO(content))


def refusal(process, content: bytes) -> str:
    with pytest.raises(processing.Refused) as caught:
        process(io.BytesIO(content))
    return caught.value.reason


def pdf_writer(pages=1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    return writer


def pdf_of(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_every_refusal_reason_is_a_reject_reason_the_owner_can_read():
    reasons = {"too_many_pixels", "unreadable_image", "unreadable_pdf", "encrypted_pdf"}
    assert reasons <= set(Evidence.RejectReason.values)


# Images: metadata ----------------------------------------------------------------------------------


def test_display_copy_of_a_gps_photo_has_no_metadata():
    original = files.jpeg_bytes((64, 48), exif=files.gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really has GPS

    result = image_result(original)

    for derived in (result.display, result.thumbnail):
        reopened = Image.open(io.BytesIO(derived))
        assert not reopened.getexif()
        assert "exif" not in reopened.info
        assert b"Exif" not in derived
        assert b"PhoneMaker" not in derived


def test_display_copy_drops_xmp_comments_and_icc_profiles():
    original = encode(
        picture(),
        "JPEG",
        xmp=b"<x:xmpmeta><exif:GPSLatitude>39,54.45N</exif:GPSLatitude></x:xmpmeta>",
        comment=b"taken at home, 12 Garden Road",
        icc_profile=b"\0" * 128,
    )
    assert b"GPSLatitude" in original and b"Garden Road" in original

    result = image_result(original)

    assert b"GPSLatitude" not in result.display and b"xmpmeta" not in result.display
    assert b"Garden Road" not in result.display
    reopened = Image.open(io.BytesIO(result.display))
    assert not {"xmp", "comment", "icc_profile", "exif"} & set(reopened.info)


def png_with_metadata() -> bytes:
    """A PNG carrying GPS in an eXIf chunk, an address in tEXt, zTXt and iTXt (XMP) chunks, and an ICC profile."""
    text = PngInfo()
    text.add_text("Comment", "taken at home, 12 Garden Road")
    text.add_text("Description", "Garden Road again", zip=True)
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta><exif:GPSLatitude>39,54.45N</exif:GPSLatitude></x:xmpmeta>")
    return encode(picture(), "PNG", exif=files.gps_exif(), pnginfo=text, icc_profile=b"\0" * 128)


def rotated_gps_jpeg() -> bytes:
    """GPS and an orientation tag: turning the picture upright keeps the rest of its EXIF, which must go too."""
    exif = files.gps_exif()
    exif[ORIENTATION] = 6
    return encode(picture(), "JPEG", exif=exif)


def webp_with_metadata() -> bytes:
    xmp = b"<x:xmpmeta><exif:GPSLatitude>39,54.45N</exif:GPSLatitude></x:xmpmeta>"
    return encode(picture(), "WEBP", exif=files.gps_exif(), xmp=xmp, icc_profile=b"\0" * 128)


@pytest.mark.parametrize("content", [png_with_metadata(), rotated_gps_jpeg(), webp_with_metadata()],
                         ids=["png-text-exif-icc", "rotated-jpeg-gps", "webp-exif-xmp-icc"])  # fmt: skip
def test_no_metadata_of_any_format_reaches_the_display_copy_or_the_thumbnail(content):
    opened = Image.open(io.BytesIO(content))
    assert opened.getexif().get_ifd(0x8825)  # the fixture really has GPS

    result = image_result(content)

    for derived in (result.display, result.thumbnail):
        reopened = Image.open(io.BytesIO(derived))
        assert not reopened.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "Comment", "Description", "XML:com.adobe.xmp"} & set(
            reopened.info
        )
        for marker in (b"Exif", b"PhoneMaker", b"GPSLatitude", b"Garden Road", b"xmpmeta"):
            assert marker not in derived


def test_orientation_is_applied_to_the_pixels():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90 degrees clockwise to view
    original = encode(Image.new("RGB", (40, 20), (200, 30, 30)), "JPEG", exif=exif)

    result = image_result(original)

    assert (result.width, result.height) == (20, 40)
    assert Image.open(io.BytesIO(result.display)).size == (20, 40)
    assert Image.open(io.BytesIO(result.thumbnail)).size == (20, 40)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_each_orientation_turns_the_pixels_as_exif_transpose_does(orientation):
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    original = encode(picture(size=(120, 80)), "PNG", exif=exif)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))

    result = image_result(original)

    display = Image.open(io.BytesIO(result.display))
    assert (result.width, result.height) == display.size == upright.size
    assert display.tobytes() == upright.tobytes()  # PNG in, PNG out: the pixels compare exactly
    assert Image.open(io.BytesIO(result.thumbnail)).size == upright.size


def test_a_palette_png_keeps_its_transparency():
    original = Image.new("P", (40, 20), 1)
    original.putpalette([255, 255, 255, 200, 30, 30])
    original.paste(0, (0, 0, 20, 20))

    result = image_result(encode(original, "PNG", transparency=0))

    display = Image.open(io.BytesIO(result.display))
    assert display.mode == "RGBA"
    assert display.getpixel((5, 5))[3] == 0
    assert display.getpixel((30, 5)) == (200, 30, 30, 255)


def test_a_png_with_an_html_tail_is_served_as_pixels_only():
    original = files.png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    result = image_result(original)

    assert b"<html" not in result.display.lower()
    assert b"<script" not in result.display.lower()
    assert b"<html" not in result.thumbnail.lower()
    assert Image.open(io.BytesIO(result.display)).format == "PNG"


@pytest.mark.parametrize(
    ("content", "display_format", "display_ext"),
    [
        (files.jpeg_bytes(), "JPEG", "jpg"),
        (files.png_bytes(), "PNG", "png"),
        (files.webp_bytes(), "JPEG", "jpg"),
        (encode(Image.new("RGBA", (30, 20), (0, 0, 0, 0)), "PNG"), "PNG", "png"),
        (encode(Image.new("CMYK", (30, 20), (0, 50, 90, 0)), "JPEG"), "JPEG", "jpg"),
        (encode(Image.new("I;16", (30, 20), 300), "PNG"), "PNG", "png"),
    ],
)
def test_accepted_formats_are_re_encoded(content, display_format, display_ext):
    result = image_result(content)
    assert result.display_ext == display_ext
    assert Image.open(io.BytesIO(result.display)).format == display_format
    assert Image.open(io.BytesIO(result.thumbnail)).format == "JPEG"


# Images: size and sizes ----------------------------------------------------------------------------


def test_a_png_decompression_bomb_is_refused_from_its_header():
    bomb = files.png_bomb_bytes(20000)
    assert len(bomb) < 1_000_000  # a small file claiming 400 megapixels
    assert refusal(processing.process_image, bomb) == "too_many_pixels"


def test_a_100_megapixel_jpeg_is_refused():
    claimed = files.jpeg_claiming_size(10000, 10000)
    with pytest.warns(Image.DecompressionBombWarning):
        assert Image.open(io.BytesIO(claimed)).size == (10000, 10000)
    assert refusal(processing.process_image, claimed) == "too_many_pixels"


def test_the_pixel_cap_comes_from_the_settings(settings):
    content = files.png_bytes((64, 48))
    settings.EVIDENCE_MAX_PIXELS = 64 * 48
    assert image_result(content).width == 64
    settings.EVIDENCE_MAX_PIXELS = 64 * 48 - 1
    assert refusal(processing.process_image, content) == "too_many_pixels"


def test_thumbnail_and_display_copy_are_bounded():
    result = image_result(encode(picture(size=(3000, 1500)), "JPEG"))

    assert (result.width, result.height) == (3000, 1500)
    assert Image.open(io.BytesIO(result.display)).size == (processing.DISPLAY_MAX_SIDE, 1280)
    thumbnail = Image.open(io.BytesIO(result.thumbnail))
    assert max(thumbnail.size) <= processing.THUMBNAIL_SIDE == 320
    assert thumbnail.size == (320, 160)


def test_small_pictures_are_not_enlarged():
    result = image_result(files.png_bytes((64, 48)))
    assert Image.open(io.BytesIO(result.thumbnail)).size == (64, 48)


# Images: refused -----------------------------------------------------------------------------------


def test_a_truncated_jpeg_is_unreadable():
    whole = encode(picture(), "JPEG")
    assert refusal(processing.process_image, whole[: len(whole) // 2]) == "unreadable_image"


@pytest.mark.parametrize(
    "content",
    [
        encode(Image.new("RGB", (20, 20)), "GIF"),
        encode(Image.new("RGB", (20, 20)), "BMP"),
        encode(Image.new("RGB", (20, 20)), "TIFF"),
        encode(Image.new("RGB", (20, 20)), "ICO"),
        b"<html><body>not a picture</body></html>",
        files.pdf_bytes(),
        b"",
    ],
    ids=["gif", "bmp", "tiff", "ico", "html", "pdf", "empty"],
)
def test_formats_outside_the_allow_list_are_refused(content):
    assert refusal(processing.process_image, content) == "unreadable_image"


# Images: perceptual hash ---------------------------------------------------------------------------


def test_perceptual_hash_survives_re_encoding_and_tells_pictures_apart():
    same = [
        encode(picture(), "PNG"),
        encode(picture(), "JPEG", quality=70),
        encode(picture(), "WEBP", quality=60),
        encode(picture().resize((800, 600)), "JPEG"),
    ]
    hashes = {image_result(content).phash for content in same}
    assert len(hashes) == 1
    (phash,) = hashes
    assert HEX16.fullmatch(phash)

    other = image_result(encode(picture(variant=2), "PNG")).phash
    assert HEX16.fullmatch(other)
    assert other != phash


def test_a_stored_hash_of_the_full_picture_still_matches_copies_and_not_another_chat():
    """The hash was once taken of the full picture and is now taken of the thumbnail; hashes stored then are
    compared with hashes made now (complaints/flags.py), so both must agree on what is the same picture."""
    original, other_chat = screenshot("wechat_chat", 0), screenshot("wechat_chat", 1)
    stored_before = str(imagehash.phash(original))  # what this pipeline stored for png(original) before
    copies = {
        "the same file": png(original),
        "re-encoded": jpeg(original, 80),
        "sent through a chat": jpeg(resized(original, 0.6), 70),
        "screenshotted again without the status bar": png(resized(crop_top(original, 0.03), 0.9)),
    }

    assert phash_distance(stored_before, image_result(copies["the same file"]).phash) <= 2
    for name, content in copies.items():
        assert is_near_duplicate_picture(stored_before, image_result(content).phash), name
    assert not is_near_duplicate_picture(stored_before, image_result(png(other_chat)).phash)
    assert not is_near_duplicate_picture(str(imagehash.phash(other_chat)), image_result(copies["re-encoded"]).phash)


# PDFs ----------------------------------------------------------------------------------------------


def test_a_valid_pdf_reports_its_pages_and_no_flags():
    result = processing.process_pdf(io.BytesIO(files.pdf_bytes(pages=3)))
    assert result.page_count == 3
    assert result.flags == []


def test_a_pdf_written_by_pypdf_is_accepted():
    assert processing.process_pdf(io.BytesIO(pdf_of(pdf_writer(pages=2)))).page_count == 2


def test_javascript_open_action_is_flagged():
    result = processing.process_pdf(io.BytesIO(files.pdf_bytes(javascript=True)))
    assert result.page_count == 1
    assert "pdf_javascript" in result.flags
    assert "pdf_open_action" in result.flags


def test_document_level_javascript_is_flagged():
    writer = pdf_writer()
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    scripts = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})
    assert "pdf_javascript" in processing.process_pdf(io.BytesIO(pdf_of(writer))).flags


def test_launch_action_is_flagged():
    writer = pdf_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    flags = processing.process_pdf(io.BytesIO(pdf_of(writer))).flags
    assert "pdf_launch" in flags
    assert "pdf_javascript" not in flags


def test_embedded_file_is_flagged():
    writer = pdf_writer()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    assert "pdf_embedded_file" in processing.process_pdf(io.BytesIO(pdf_of(writer))).flags


def test_an_encrypted_pdf_is_refused():
    writer = pdf_writer()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    assert refusal(processing.process_pdf, pdf_of(writer)) == "encrypted_pdf"


def test_a_pdf_locked_only_by_an_owner_password_is_refused_too():
    writer = pdf_writer()
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    assert refusal(processing.process_pdf, pdf_of(writer)) == "encrypted_pdf"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + b"\x00garbage\xff" * 200,
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        files.pdf_bytes(pages=2)[:120],
        files.pdf_bytes(pages=0),
        b"",
    ],
    ids=["garbage", "no-trailer", "cut-short", "no-pages", "empty"],
)
def test_an_unparsable_pdf_is_refused(content):
    assert refusal(processing.process_pdf, content) == "unreadable_pdf"


def test_a_pdf_whose_objects_refer_to_each_other_does_not_loop():
    writer = pdf_writer()
    loop = DictionaryObject()
    reference = writer._add_object(loop)
    loop[NameObject("/Self")] = reference
    writer._root_object[NameObject("/Loop")] = reference
    assert processing.process_pdf(io.BytesIO(pdf_of(writer))).page_count == 1
