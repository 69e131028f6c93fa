import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.codes import ALPHABET, new_tracking_code, normalize_tracking_code

CODE_FORMAT = re.compile(r"RD-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}")
codes = st.builds(
    lambda symbols: f"RD-{symbols[:4]}-{symbols[4:]}",
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)


def test_alphabet_has_no_symbol_people_confuse():
    assert not set("0O1ILU") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 30


def test_new_codes_have_the_readable_format():
    for _ in range(200):
        code = new_tracking_code()
        assert CODE_FORMAT.fullmatch(code)
        assert normalize_tracking_code(code) == code


def test_new_codes_do_not_repeat():
    drawn = [new_tracking_code() for _ in range(5_000)]
    assert len(set(drawn)) == len(drawn)
    # Every symbol of the alphabet turns up: the draw is not stuck on a part of it.
    assert set("".join(drawn).replace("RD-", "").replace("-", "")) == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "RD-7K3F-9Q2M",
        "rd-7k3f-9q2m",
        "RD 7K3F 9Q2M",
        " rd7k3f9q2m ",
        "7K3F9Q2M",
        "7k3f-9q2m",
        "ＲＤ－７Ｋ３Ｆ－９Ｑ２Ｍ",  # typed with a Chinese input method's full-width characters
        "RD-7K3F-9Q2M\u202e",  # pasted with an invisible direction mark
    ],
)
def test_normalize_accepts_what_people_type(typed):
    assert normalize_tracking_code(typed) == "RD-7K3F-9Q2M"


def test_a_code_starting_with_rd_is_found_without_its_prefix():
    assert normalize_tracking_code("RDAB-7K3F") == "RD-RDAB-7K3F"
    assert normalize_tracking_code("RD-RDAB-7K3F") == "RD-RDAB-7K3F"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "RD-0K3F-9Q2M",  # zero
        "RD-OK3F-9Q2M",  # letter O
        "RD-1K3F-9Q2M",
        "RD-IK3F-9Q2M",
        "RD-LK3F-9Q2M",
        "RD-UK3F-9Q2M",
        "RD-7K3F-9Q2",  # short
        "RD-7K3F-9Q2MM",  # long
        "XX-7K3F-9Q2M",
        "RD-7K3F-9Q2M-7K3F",
        "<script>alert(1)</script>",
        "果园小店",
    ],
)
def test_normalize_refuses_lookalikes_and_garbage(typed):
    assert normalize_tracking_code(typed) == ""


@given(codes)
def test_normalize_keeps_every_code(code):
    assert normalize_tracking_code(code) == code
    assert normalize_tracking_code(code.lower().replace("-", " ")) == code


@given(st.text())
def test_normalize_never_raises_and_returns_a_code_or_nothing(text):
    result = normalize_tracking_code(text)
    assert result == "" or CODE_FORMAT.fullmatch(result)
