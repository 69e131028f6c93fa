"""Tracking codes: short, unguessable, unique, easy to read aloud. Knows no models."""

import re
import secrets
import unicodedata

# No 0/O, 1/I/L or U: nothing a person reading over the phone can confuse.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUP = 4
PATTERN = re.compile(rf"^RD-[{ALPHABET}]{{{_GROUP}}}-[{ALPHABET}]{{{_GROUP}}}$")


def new_tracking_code() -> str:
    """`RD-7K3F-9Q2M`: 8 symbols of 30, about 39 bits from the system's CSPRNG."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(_GROUP)) for _ in range(2))
    return "RD-" + "-".join(groups)


def normalize_tracking_code(value: str) -> str:
    """Accept what people type: lower case, spaces, missing dashes, full-width characters from a Chinese
    input method, with or without the "RD" prefix. Returns "" when it cannot be a code."""
    raw = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", value or "")).upper()
    # Only a prefix when there is room for one: "RDAB7K3F" without the prefix is a code of its own.
    if len(raw) == 2 * _GROUP + 2 and raw.startswith("RD"):
        raw = raw[2:]
    # The pattern refuses lookalikes (0, O, 1, I, L, U) rather than guess which symbol was meant.
    code = f"RD-{raw[:_GROUP]}-{raw[_GROUP:]}"
    return code if PATTERN.fullmatch(code) else ""
