"""Tracking codes: short, unguessable, unique, easy to read aloud. Knows no models."""

import re
import secrets

# No 0/O, 1/I/L or U: nothing a person reading over the phone can confuse.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUP = 4
PATTERN = re.compile(rf"^RD-[{ALPHABET}]{{{_GROUP}}}-[{ALPHABET}]{{{_GROUP}}}$")
_LOOKALIKES = str.maketrans({"0": "", "O": "", "1": "", "I": "", "L": "", "U": ""})


def new_tracking_code() -> str:
    """`RD-7K3F-9Q2M`: 8 symbols of 30, about 39 bits from the system's CSPRNG."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(_GROUP)) for _ in range(2))
    return "RD-" + "-".join(groups)


def normalize_tracking_code(value: str) -> str:
    """Accept what people type: lower case, spaces, missing dashes. Returns "" when it cannot be a code."""
    raw = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if raw.startswith("RD"):
        raw = raw[2:]
    if len(raw) != 2 * _GROUP or raw != raw.translate(_LOOKALIKES):
        return ""
    code = f"RD-{raw[:_GROUP]}-{raw[_GROUP:]}"
    return code if PATTERN.match(code) else ""
