"""Normalising what victims type about a merchant. Knows no models."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Punctuation and symbols that victims add or drop at will: 【】《》「」 quotes, dashes, dots.
_PUNCT = re.compile(r"[\s\-_.,，。·•'\"“”‘’()（）\[\]【】《》「」<>|/\\:：;；!！?？~～@#*]+")


def clean_text(value: str) -> str:
    """Trim, NFKC-fold (full-width to half-width), drop invisible format and control characters (zero-width
    spaces, bidi overrides) and collapse whitespace; keep the person's wording."""
    folded = unicodedata.normalize("NFKC", value or "")
    visible = "".join({"Cf": "", "Cc": " "}.get(unicodedata.category(ch), ch) for ch in folded)
    return _SPACE.sub(" ", visible).strip()


def normalize_name(value: str) -> str:
    """A comparison key for a merchant name: NFKC, case-folded, punctuation and spaces removed.

    Repeated until nothing changes (two rounds in practice; the bound only guards against a surprise),
    so the key of a key is the key: removing a space can join a letter to the accent NFKC split from it
    ("A´" -> "a" + U+0301), which the next round composes into "á".
    """
    key = value or ""
    for _round in range(8):
        folded = _PUNCT.sub("", unicodedata.normalize("NFKC", clean_text(key).casefold()))
        if folded == key:
            break
        key = folded
    return key
