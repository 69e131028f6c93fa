"""Checks an upload can pass before it is stored: name, size, and what its bytes really are.

Knows no models. The declared Content-Type is never trusted: the type comes from the file's own bytes
(filetype's signatures) and must agree with the extension. Pixel and structure checks happen later, in
the evidence task (complaints/processing.py), so a request never decodes an image.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# extension -> the type its bytes must sniff as
ALLOWED_EXTENSIONS = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
KIND_FOR_TYPE = {"image/jpeg": "image", "image/png": "image", "image/webp": "image", "application/pdf": "pdf"}

MSG_EMPTY = _("“%(name)s” is empty (0 bytes).")
MSG_TOO_BIG = _("“%(name)s” is larger than %(limit)s.")
MSG_EXTENSION = _("“%(name)s” is not an accepted type. Accepted: JPEG, PNG, WebP pictures and PDF documents.")
MSG_MISMATCH = _("“%(name)s” is not really a %(ext)s file. Please upload the original picture or PDF.")
MSG_TOO_MANY = _("A complaint takes at most %(limit)d files; this one already has %(count)d.")

# Characters that change how a name is displayed without being visible: bidi overrides and isolates,
# zero-width marks. "invoice\u202egpj.exe" must not render as "invoiceexe.jpg".
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff",
}  # fmt: skip
MAX_NAME_LENGTH = 100
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: what to store and record."""

    upload: object
    display_name: str
    content_type: str
    kind: str
    size: int
    sha256: str


def sanitize_filename(name: str) -> str:
    """The name to show people: last path component, no control or invisible characters, at most 100."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch not in _INVISIBLE and unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".") or "file"
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:10]
        name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "…" + ext
    return name


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_upload(upload) -> CheckedUpload:
    """Refuse an upload with a ValidationError naming the file, or describe it for storage."""
    name = sanitize_filename(upload.name)
    params = {"name": name}
    ext = extension_of(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(MSG_EXTENSION, code="unsupported_type", params=params)
    if upload.size == 0:
        raise ValidationError(MSG_EMPTY, code="empty", params=params)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            MSG_TOO_BIG, code="too_large", params={**params, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    sniffed = filetype.guess_mime(head)
    if sniffed != ALLOWED_EXTENSIONS[ext]:
        raise ValidationError(MSG_MISMATCH, code="type_mismatch", params={**params, "ext": ext.upper()})
    return CheckedUpload(
        upload=upload,
        display_name=name,
        content_type=sniffed,
        kind=KIND_FOR_TYPE[sniffed],
        size=upload.size,
        sha256=_sha256(upload),
    )


def check_count(*, existing: int, adding: int) -> None:
    """Refuse a batch that would take a complaint past its file limit."""
    limit = settings.EVIDENCE_MAX_FILES
    if existing + adding > limit:
        raise ValidationError(MSG_TOO_MANY, code="too_many_files", params={"limit": limit, "count": existing})
