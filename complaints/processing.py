"""Evidence file work: bytes in, verdict and clean derivatives out. Knows no models.

Images are opened by Pillow restricted to JPEG/PNG/WebP; the pixel count is read from the header and
refused above the cap before anything is decoded. The display copy and the thumbnail are encoded from the
decoded pixels with the metadata dropped, so EXIF/XMP/GPS, comments, ICC profiles, PNG text and anything
appended to the file (an HTML tail, a second format) never leave the system.

The full picture is decoded once and encoded once, as any re-encoding must; the rest is kept small
(bench/evidence_bench.py measures it against Pillow's bare open and save): no pixel copy that changes
nothing, the thumbnail and the perceptual hash made from a reduced picture, no second pass to optimise the
display copy's entropy coding.

PDFs are parsed with pypdf: encrypted or unparsable ones are refused, active content is flagged.
"""

import io
import warnings
from dataclasses import dataclass, field

import imagehash
from django.conf import settings
from PIL import ExifTags, Image, ImageOps
from pypdf import PdfReader

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
DISPLAY_MAX_SIDE = 2560
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
# Downscaling is reduce() by a whole factor (averaging boxes of pixels), then bicubic over at least this ratio.
# A thumbnail of a phone screenshot is then 44-48 dB (PSNR) from a bicubic resize of the full picture, made in
# 3.7 ms of CPU for a 1080x2340 one instead of 17 (Image.thumbnail's 2.0: 50-52 dB, 5.4 ms); saving it as JPEG
# then moves it further (34-40 dB).
REDUCING_GAP = 1.5
# Names in a PDF that make it act rather than show: scripts, launching programs, embedded files. They
# appear as keys (/JS, /OpenAction, /EmbeddedFiles) or as the value of an action's /S or an object's /Type.
ACTIVE_PDF_NAMES = {"/JavaScript": "pdf_javascript", "/JS": "pdf_javascript", "/Launch": "pdf_launch",
                    "/EmbeddedFile": "pdf_embedded_file", "/EmbeddedFiles": "pdf_embedded_file",
                    "/EF": "pdf_embedded_file", "/OpenAction": "pdf_open_action"}  # fmt: skip
_NAMING_KEYS = ("/S", "/Type")


class Refused(Exception):
    """The file is not acceptable evidence; `reason` is an Evidence.RejectReason value."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ImageResult:
    display: bytes
    display_ext: str
    thumbnail: bytes
    width: int
    height: int
    phash: str


@dataclass
class PdfResult:
    page_count: int
    flags: list[str] = field(default_factory=list)


def _encode(image: Image.Image, fmt: str, *, optimize: bool = False) -> bytes:
    """JPEG or PNG bytes of the pixels alone: nothing is passed that would write metadata.

    The display copy is not optimised: on phone screenshots, optimising a JPEG's Huffman tables doubles its
    encoding time for files 12-15% smaller, and optimize=True triples a PNG's for 5%. The thumbnail, a
    hundredth of the pixels and sent with every list of evidence, is.
    """
    out = io.BytesIO()
    if fmt == "JPEG":
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=optimize)
    else:
        image.save(out, "PNG", optimize=optimize)
    return out.getvalue()


def _within(image: Image.Image, side: int) -> Image.Image:
    """The image itself if it fits in side x side, else a reduced copy that does (Image.thumbnail's size and
    filter, without resizing in place or enlarging)."""
    width, height = image.size
    if max(width, height) <= side:
        return image
    scale = side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=REDUCING_GAP)


def process_image(stream) -> ImageResult:
    # Pillow's own bomb check is a warning below 2x its limit; ours is a hard cap from the header.
    try:
        with warnings.catch_warnings():
            # Our cap below is stricter; Pillow's own warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=ALLOWED_FORMATS)
    except (Image.UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        bomb = isinstance(error, Image.DecompressionBombError)
        raise Refused("too_many_pixels" if bomb else "unreadable_image") from None
    width, height = image.size
    if width * height > settings.EVIDENCE_MAX_PIXELS:
        raise Refused("too_many_pixels")
    source_format = image.format
    try:
        image.load()
        # exif_transpose copies every pixel even when there is nothing to turn.
        if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Refused("unreadable_image") from None
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and source_format == "PNG" else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    # Pillow keeps EXIF, XMP, GPS, ICC profiles, comments and PNG text in the info dict, and its JPEG and PNG
    # writers fall back to it for some of them (comments, ICC profiles): with it empty, only pixels are written.
    image.info = {}
    display = _within(image, DISPLAY_MAX_SIDE)
    thumbnail = _within(display, THUMBNAIL_SIDE)
    display_format = "PNG" if source_format == "PNG" else "JPEG"
    return ImageResult(
        display=_encode(display, display_format),
        display_ext="png" if display_format == "PNG" else "jpg",
        thumbnail=_encode(thumbnail, "JPEG", optimize=True),
        width=image.width,
        height=image.height,
        # From the thumbnail: phash shrinks the picture to 32x32 anyway, and a hash of the thumbnail is
        # 0 bits (82% of bench/phash's set) or 2 bits (18%) from one of the full picture, as a re-encoded
        # copy is: hashes stored before stay comparable (complaints/duplicates.py).
        phash=str(imagehash.phash(thumbnail)),
    )


def _active_names(obj, seen: set, found: set, depth: int = 0) -> None:
    """Walk the PDF's object graph (bounded) collecting the action names it contains."""
    if depth > 50 or len(seen) > 20000:
        return
    reference = getattr(obj, "indirect_reference", None)
    if reference is not None:
        key = (reference.idnum, reference.generation)
        if key in seen:
            return
        seen.add(key)
    try:
        obj = obj.get_object()
    except Exception:  # a dangling reference in a damaged PDF is not our concern here
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ACTIVE_PDF_NAMES:
                found.add(ACTIVE_PDF_NAMES[key])
            if key in _NAMING_KEYS and isinstance(value, str) and value in ACTIVE_PDF_NAMES:
                found.add(ACTIVE_PDF_NAMES[value])
            _active_names(value, seen, found, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            _active_names(value, seen, found, depth + 1)


def process_pdf(stream) -> PdfResult:
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise Refused("encrypted_pdf")
        page_count = len(reader.pages)
        found: set[str] = set()
        _active_names(reader.trailer, set(), found)
    except Refused:
        raise
    except Exception:
        # pypdf on hostile bytes raises nearly any type (its own errors and limits, AttributeError,
        # IndexError...); each one means the file cannot be trusted as a document.
        raise Refused("unreadable_pdf") from None
    if page_count == 0:
        raise Refused("unreadable_pdf")
    return PdfResult(page_count=page_count, flags=sorted(found))
