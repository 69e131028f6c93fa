"""Evidence file work: bytes in, verdict and clean derivatives out. Knows no models.

Images are opened by Pillow restricted to JPEG/PNG/WebP; the pixel count is read from the header and
refused above the cap before anything is decoded. The display copy is re-encoded from pixels only, so
EXIF/XMP/GPS and anything appended to the file (an HTML tail, a second format) never leave the system.
PDFs are parsed with pypdf: encrypted or unparsable ones are refused, active content is flagged.
"""

import io
import warnings
from dataclasses import dataclass, field

import imagehash
from django.conf import settings
from PIL import Image, ImageOps
from pypdf import PdfReader

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
DISPLAY_MAX_SIDE = 2560
THUMBNAIL_SIDE = 320
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


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


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
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Refused("unreadable_image") from None
    # A fresh image from the pixels alone: no info dict, so no EXIF, XMP, GPS, comments or ICC tricks.
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") and image.format == "PNG" else "RGB"
    clean = Image.frombytes(mode, upright.size, upright.convert(mode).tobytes())
    clean.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))
    display_format = "PNG" if image.format == "PNG" else "JPEG"
    thumb = clean.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return ImageResult(
        display=_encode(clean, display_format),
        display_ext="png" if display_format == "PNG" else "jpg",
        thumbnail=_encode(thumb, "JPEG"),
        width=upright.width,
        height=upright.height,
        phash=str(imagehash.phash(clean)),
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
