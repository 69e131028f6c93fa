"""Normalising what victims type about a merchant. Knows no models."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Punctuation and symbols that victims add or drop at will: 【】《》「」 quotes, dashes, dots.
_PUNCT = re.compile(r"[\s\-_.,，。·•'\"“”‘’()（）\[\]【】《》「」<>|/\\:：;；!！?？~～@#*]+")


def clean_text(value: str) -> str:
    """Trim, NFKC-fold (full-width to half-width) and collapse whitespace; keep the person's wording."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value or "")).strip()


def normalize_name(value: str) -> str:
    """A comparison key for a merchant name: NFKC, case-folded, punctuation and spaces removed."""
    return _PUNCT.sub("", clean_text(value).casefold())
