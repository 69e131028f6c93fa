"""Duplicate signals between complaints: near-identical pictures and near-identical accounts. Knows no models.

A match is a signal for moderators (the same screenshot, or the same copy-pasted account, in complaints from
different accounts), never a verdict: victims of one scam share screenshots in their groups, and brigades share
them too. Equal SHA-256 needs no function: the stored hex digests are compared for equality.
"""

import unicodedata

from rapidfuzz import fuzz, process

# Pictures whose perceptual hashes (Evidence.phash: 64-bit imagehash.phash of the thumbnail as 16 hex digits; those
# of the full picture stored before are 0-2 bits from it, bench/phash/README.md) differ in at most this many bits
# are flagged as the same picture. Tuned by `.venv/bin/python bench/phash/make_screenshots.py &&
# .venv/bin/python bench/phash/tune.py` on 40 phone screenshots in 5 app templates, each re-shared 8 ways (360
# files). A screenshot re-encoded, resized, sent through WeChat or converted is 0-2 bits from its original; with
# a tone edit up to 6, with its status bar cropped, a sticker added, or cropped and sent through WeChat up to 10;
# two such copies up to 14 apart. Two different chats of one app are at least 10 bits apart (12 in WeChat). No
# threshold flags 99% of copies and no two different chats; 8 is the largest flagging no different chats: every
# plain copy and 96.9% of chat copies. (Every hash has 32 bits set, so distances are even: 9 would flag the same.)
# Order pages, bills and group-buy pages differ in small text only and hash alike, down to 0 bits for two victims'
# own pages from one shop: there a match means "the same page of the same shop", and only equal SHA-256 proves
# the same file.
PHASH_THRESHOLD = 8

# Accounts scoring at least this (0-100) are the same text copied with edits. Tuned on the labelled pairs in
# complaints/tests/test_duplicates.py: copies with another name, product, date or amount, a line added or
# dropped, score 78.3-96.6; independent accounts of the same scam in similar words 25.7-72.8; the middle.
NARRATIVE_THRESHOLD = 75.5
# Shorter accounts (in letters and digits) say too little: "付款后一直不发货" is written independently by many.
NARRATIVE_MIN_LENGTH = 20


def phash_distance(a: str, b: str) -> int:
    """Bits that differ between two perceptual hashes as stored (hex strings of equal length)."""
    if len(a) != len(b):
        raise ValueError("perceptual hashes of different sizes")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def is_near_duplicate_picture(a: str, b: str) -> bool:
    """Whether two stored perceptual hashes are the same picture; a missing hash (a PDF, pending) matches nothing."""
    if not a or not b:
        return False
    return phash_distance(a, b) <= PHASH_THRESHOLD


def normalise_narrative(text: str) -> str:
    """Letters and digits only, in one form: full-width and compatibility characters folded (NFKC), case folded,
    whitespace and punctuation dropped, so re-typed spacing or Chinese versus Latin punctuation changes nothing."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if unicodedata.category(char)[0] in "LN")


def narrative_similarity(a: str, b: str) -> float:
    """0-100: how much of two accounts is the same text in the same order (rapidfuzz's normalised Indel ratio).

    fuzz.ratio and not token_set_ratio: Chinese has no spaces, so after normalising there are no tokens to set
    apart; and on English, token_set_ratio scores two accounts 100 when one's words are a subset of the other's,
    which is what two victims of one shop writing independently produce. Copying keeps the order of the text,
    so an edited copy keeps a high ratio while a re-telling in the same words does not.
    """
    return fuzz.ratio(normalise_narrative(a), normalise_narrative(b))


def is_near_duplicate_narrative(a: str, b: str) -> bool:
    left, right = normalise_narrative(a), normalise_narrative(b)
    if min(len(left), len(right)) < NARRATIVE_MIN_LENGTH:
        return False
    return fuzz.ratio(left, right) >= NARRATIVE_THRESHOLD


def near_duplicate_narratives(text: str, candidates: dict) -> list[tuple[object, float]]:
    """The candidates (key -> account) that are near-duplicates of text, with their scores: one normalisation
    of each and rapidfuzz's batch scorer, for comparing a new complaint with a merchant's others."""
    query = normalise_narrative(text)
    if len(query) < NARRATIVE_MIN_LENGTH:
        return []
    choices = {key: normalise_narrative(other) for key, other in candidates.items()}
    choices = {key: other for key, other in choices.items() if len(other) >= NARRATIVE_MIN_LENGTH}
    found = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=NARRATIVE_THRESHOLD, limit=None)
    return [(key, score) for _choice, score, key in found]
