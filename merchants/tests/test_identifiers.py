import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from merchants.identifiers import clean_text, normalize_name
from merchants.services import MerchantClaims


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("【果园】小店", "果园 小店"),
        ("ＧＵＯＹＵＡＮ　Ｓｈｏｐ", "guoyuan shop"),  # full-width letters and space
        ("Guo-Yuan Shop!", "guoyuan shop"),
        ("《果园》·小店（旗舰）", "果园小店旗舰"),
        ("“果园”小店", '"果园" 小店'),
        ("STRASSE", "straße"),
    ],
)
def test_normalize_name_ignores_case_width_punctuation_and_space(one, other):
    assert normalize_name(one) == normalize_name(other)


@pytest.mark.parametrize(("one", "other"), [("果园小店", "果园大店"), ("Shop A", "Shop B"), ("果园小店", "果园小店2")])
def test_normalize_name_keeps_what_tells_merchants_apart(one, other):
    assert normalize_name(one) != normalize_name(other)


def test_clean_text_keeps_the_wording_but_folds_width_and_space():
    assert clean_text("  果园　小店\n\tＡＢＣ ") == "果园 小店 ABC"


@given(st.text())
@example("A´")  # NFKC splits the accent off a space; dropping the space must not leave it loose.
@example("【果园】小店")
def test_normalize_name_is_idempotent(text):
    key = normalize_name(text)
    assert normalize_name(key) == key


# What merchant names are written in: Latin letters, digits, Chinese characters (and spaces between).
# Not every script: Unicode's own case pairs are not symmetric (Turkish "ı".upper() is "I").
letters = st.characters(codec="ascii", categories=["Lu", "Ll", "Nd", "Zs"]) | st.characters(
    min_codepoint=0x4E00, max_codepoint=0x9FFF
)


@given(st.text(alphabet=letters))
def test_normalize_name_ignores_case(text):
    assert normalize_name(text.upper()) == normalize_name(text.lower()) == normalize_name(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_normalize_name_treats_full_width_like_half_width(text):
    # U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E.
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in text)
    assert normalize_name(full_width) == normalize_name(text)


@given(st.text(), st.lists(st.sampled_from(" 　【】《》「」“”()（）·.,，。-_!！"), max_size=6))
def test_normalize_name_ignores_punctuation_and_spaces_around_it(text, marks):
    assert normalize_name("".join(marks) + text + "".join(reversed(marks))) == normalize_name(text)


@given(st.text())
def test_normalizers_never_raise(text):
    assert isinstance(normalize_name(text), str)
    assert isinstance(clean_text(text), str)


def test_normalize_name_of_nothing_is_empty():
    assert normalize_name("") == normalize_name(None) == ""
    assert normalize_name("【】 ·") == ""


def test_invisible_characters_are_not_a_name():
    assert clean_text("\u200b\u202e\ufeff") == ""
    assert clean_text("果园\u200b小店\t1号") == "果园小店 1号"
    assert MerchantClaims(merchant_name="\u200b\u200d").is_empty()
