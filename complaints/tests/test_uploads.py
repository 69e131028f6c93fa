import hashlib
import unicodedata

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import given
from hypothesis import strategies as st

from complaints.tests import files
from complaints.uploads import (
    MAX_NAME_LENGTH,
    MSG_EMPTY,
    MSG_EXTENSION,
    MSG_MISMATCH,
    MSG_TOO_BIG,
    MSG_TOO_MANY,
    check_count,
    check_upload,
    sanitize_filename,
)

BIDI_AND_INVISIBLE = set("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def refused(upload) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload)
    return caught.value


# Names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("../../x.png", "x.png"),
        ("/etc/passwd/../x.png", "x.png"),
        ("C:\\evil\\a.png", "a.png"),
        ("..\\..\\windows\\a.png", "a.png"),
        ("invoice\u202egnp.png", "invoicegnp.png"),
        ("\u2067收据\u2069.jpg", "收据.jpg"),
        ("a\x00b\x1f\x7fc\n\r\t.png", "abc.png"),
        ("  receipt.pdf  ", "receipt.pdf"),
        (".hidden.png", "hidden.png"),
        ("", "file"),
        ("../../", "file"),
        ("\u202e", "file"),
        ("付款截图.PNG", "付款截图.PNG"),
    ],
)
def test_sanitize_filename(typed, shown):
    assert sanitize_filename(typed) == shown


def test_a_rtl_override_cannot_disguise_the_extension():
    shown = sanitize_filename("invoice\u202egnp.exe")
    assert not BIDI_AND_INVISIBLE & set(shown)
    assert shown.endswith(".exe")


def test_long_names_are_cut_to_100_keeping_the_extension():
    shown = sanitize_filename("收" * 296 + ".png")
    assert len(shown) <= MAX_NAME_LENGTH == 100
    assert shown.endswith(".png")
    assert shown.startswith("收收收")

    no_extension = sanitize_filename("x" * 300)
    assert len(no_extension) <= MAX_NAME_LENGTH


@given(st.text())
def test_sanitized_names_are_short_flat_and_visible(name):
    shown = sanitize_filename(name)
    assert 0 < len(shown) <= MAX_NAME_LENGTH
    assert "/" not in shown and "\\" not in shown
    assert not shown.startswith(".")
    assert not BIDI_AND_INVISIBLE & set(shown)
    assert all(unicodedata.category(ch)[0] != "C" for ch in shown)


# What is accepted ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "kind"),
    [
        ("receipt.jpg", files.jpeg_bytes(), "image/jpeg", "image"),
        ("receipt.JPEG", files.jpeg_bytes(), "image/jpeg", "image"),
        ("order.png", files.png_bytes(), "image/png", "image"),
        ("chat.webp", files.webp_bytes(), "image/webp", "image"),
        ("contract.pdf", files.pdf_bytes(), "application/pdf", "pdf"),
    ],
)
def test_accepted_types_are_described_with_the_hash_of_their_bytes(name, content, content_type, kind):
    # The declared type is a lie on purpose: only the bytes count.
    checked = check_upload(files.upload(name, content, content_type="text/html"))

    assert checked.display_name == name
    assert checked.content_type == content_type
    assert checked.kind == kind
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    # The upload is rewound for storage.
    assert checked.upload.read() == content


def test_a_file_of_exactly_the_size_limit_is_accepted():
    content = files.jpeg_bytes()
    content += b"\0" * (settings.EVIDENCE_MAX_BYTES - len(content))
    assert check_upload(files.upload("big.jpg", content)).size == settings.EVIDENCE_MAX_BYTES


def test_the_stored_name_is_the_sanitised_one():
    checked = check_upload(files.upload("../../invoice\u202egnp.png", files.png_bytes()))
    assert checked.display_name == "invoicegnp.png"


# What is refused, with which message ---------------------------------------------------------------

ELEVEN_MB = files.png_bytes() + b"\0" * (11 * 1024 * 1024)

REFUSALS = [
    # (name, content, code, message constant, its parameters, the English text)
    (
        "a.jpg.php",
        files.jpeg_bytes(),
        "unsupported_type",
        MSG_EXTENSION,
        {"name": "a.jpg.php"},
        "“a.jpg.php” is not an accepted type. Accepted: JPEG, PNG, WebP pictures and PDF documents.",
    ),
    (
        "setup.exe",
        b"MZ\x90\x00" + b"\0" * 100,
        "unsupported_type",
        MSG_EXTENSION,
        {"name": "setup.exe"},
        "“setup.exe” is not an accepted type. Accepted: JPEG, PNG, WebP pictures and PDF documents.",
    ),
    (
        "animation.gif",
        b"GIF89a" + b"\0" * 100,
        "unsupported_type",
        MSG_EXTENSION,
        {"name": "animation.gif"},
        "“animation.gif” is not an accepted type. Accepted: JPEG, PNG, WebP pictures and PDF documents.",
    ),
    ("empty.png", b"", "empty", MSG_EMPTY, {"name": "empty.png"}, "“empty.png” is empty (0 bytes)."),
    (
        "huge.png",
        ELEVEN_MB,
        "too_large",
        MSG_TOO_BIG,
        {"name": "huge.png", "limit": "10.0\xa0MB"},
        "“huge.png” is larger than 10.0\xa0MB.",
    ),
    (
        "page.png",
        HTML,
        "type_mismatch",
        MSG_MISMATCH,
        {"name": "page.png", "ext": "PNG"},
        "“page.png” is not really a PNG file. Please upload the original picture or PDF.",
    ),
    (
        "contract.png",
        files.pdf_bytes(),
        "type_mismatch",
        MSG_MISMATCH,
        {"name": "contract.png", "ext": "PNG"},
        "“contract.png” is not really a PNG file. Please upload the original picture or PDF.",
    ),
    (
        "photo.jpg",
        files.png_bytes(),
        "type_mismatch",
        MSG_MISMATCH,
        {"name": "photo.jpg", "ext": "JPG"},
        "“photo.jpg” is not really a JPG file. Please upload the original picture or PDF.",
    ),
    (
        "report.pdf",
        files.jpeg_bytes(),
        "type_mismatch",
        MSG_MISMATCH,
        {"name": "report.pdf", "ext": "PDF"},
        "“report.pdf” is not really a PDF file. Please upload the original picture or PDF.",
    ),
]


@pytest.mark.parametrize(("name", "content", "code", "message", "params", "english"), REFUSALS)
def test_refused_uploads_say_why_in_the_requests_language(name, content, code, message, params, english):
    upload = files.upload(name, content, content_type="image/png")

    with translation.override("en"):
        error = refused(upload)
        assert error.code == code
        assert error.messages == [english]
    with translation.override("zh-hans"):
        # The constant is lazy, so the message is rendered in the language active when it is shown.
        assert isinstance(message, Promise)
        if "limit" in params:
            params = {**params, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        assert refused(upload).messages == [str(message) % params]


def test_the_count_limit_refuses_the_eleventh_file():
    limit = settings.EVIDENCE_MAX_FILES
    check_count(existing=limit - 1, adding=1)
    check_count(existing=0, adding=limit)

    with pytest.raises(ValidationError) as caught, translation.override("en"):
        check_count(existing=limit, adding=1)
    assert caught.value.code == "too_many_files"
    with translation.override("en"):
        assert caught.value.messages == ["A complaint takes at most 10 files; this one already has 10."]
    with translation.override("zh-hans"):
        assert caught.value.messages == [str(MSG_TOO_MANY) % {"limit": limit, "count": limit}]

    with pytest.raises(ValidationError):
        check_count(existing=3, adding=limit - 2)
