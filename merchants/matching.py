"""Scoring two merchant names against each other. Pure: knows no models or database.

Names only suggest (strong identifiers decide). The score is 0-100 with the reasons that produced it, so a
moderator reading a merge proposal sees why two names were thought alike.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz

from merchants.identifiers import has_han

# At or above: the same merchant. Between the two: maybe, a moderator decides. Tuned on bench/data.
CONFIDENT = 90.0
UNCERTAIN = 72.0
# Keys this short are matched exactly or not at all: one letter off in "abc" is a different shop.
MIN_FUZZY_LENGTH = 4

SAME_NAME = "same_name"
SAME_PINYIN = "same_pinyin"
SIMILAR_NAME = "similar_name"
SIMILAR_PINYIN = "similar_pinyin"
HOMOPHONE = "homophone"


@dataclass(frozen=True)
class NameKeys:
    key: str
    pinyin: str


def name_score(a: NameKeys, b: NameKeys) -> tuple[float, list[str]]:
    """How alike two names are, and why.

    Two Chinese names are compared by their characters: the same pinyin with different characters (优品汇,
    优品会) is a homophone, which can be a typo or another shop, so it is never more than uncertain. When either
    name is written in Latin letters (pinyin or English), the pinyin keys are compared: that is what the
    victim could type.
    """
    if a.key and a.key == b.key:
        return 100.0, [SAME_NAME]
    if has_han(a.key) and has_han(b.key):
        if a.pinyin and a.pinyin == b.pinyin:
            return (CONFIDENT + UNCERTAIN) / 2, [HOMOPHONE]
        return _fuzzy(a.key, b.key, SIMILAR_NAME)
    if a.pinyin and a.pinyin == b.pinyin:
        return 100.0, [SAME_PINYIN]
    return _fuzzy(a.pinyin, b.pinyin, SIMILAR_PINYIN)


def _fuzzy(left: str, right: str, reason: str) -> tuple[float, list[str]]:
    if min(len(left), len(right)) < MIN_FUZZY_LENGTH:
        return 0.0, []
    score = fuzz.ratio(left, right)
    return (score, [reason]) if score > 0 else (0.0, [])
