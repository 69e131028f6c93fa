"""Looking a merchant up by whatever a visitor has before paying: an app ID, a phone, a payee account, a shop
URL, a company registration number, or a name in Chinese characters or pinyin.

A strong identifier names one merchant, so an exact hit on one comes first; names only suggest and follow,
best first. Results are active merchants: an identifier of a merged merchant finds the one it was merged into.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from merchants import identifiers as ids
from merchants.matching import NameKeys
from merchants.models import Identifier, Merchant
from merchants.selectors import merchant_root, name_candidates

# Shorter queries match too much to be a check of one merchant, and cost a scan of every name.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
LOOKUP_LIMIT = 10
MATCHED_BY_NAME = "name"
EXACT_SCORE = 100.0

# Whatever the visitor typed is read as each strong kind in turn; one text can be several (digits can be a
# phone, a WeChat ID or a bank card), and the database says which of them is known.
STRONG_NORMALIZERS = [
    (ids.APP_ID, ids.normalize_app_id),
    (ids.USCC, ids.normalize_uscc),
    (ids.PHONE, ids.normalize_phone),
    (ids.BANK_CARD, ids.normalize_bank_card),
    (ids.WALLET, ids.normalize_wallet),
    (ids.EMAIL, ids.normalize_email),
    (ids.WECHAT_ID, ids.normalize_wechat_id),
]


@dataclass(frozen=True)
class LookupHit:
    merchant: Merchant  # active, with its platform loaded
    matched_by: str  # the identifier kind that matched exactly, or "name"
    score: float  # 100 for an exact identifier, else the name score (merchants.matching)


def _payee(text: str) -> list[ids.Parsed]:
    return [ids.parse_payee(text)]


def _readings(text: str) -> list[tuple[str, str]]:
    """Every (kind, normalised value) of a strong identifier the text can be read as, each once."""
    readings = []
    for kind, normalize in STRONG_NORMALIZERS:
        try:
            readings.append((kind, normalize(text)))
        except ids.InvalidIdentifier:
            continue
    # The payee reading adds a WeChat Pay merchant number (10 digits from 1), which no normaliser above reads.
    # An email is not also read as a link to its mail host.
    parsers = [_payee] if any(kind == ids.EMAIL for kind, _value in readings) else [_payee, ids.parse_url]
    for parse in parsers:
        try:
            readings += [(parsed.kind, parsed.normalized) for parsed in parse(text)]
        except ids.InvalidIdentifier:
            continue
    return list(dict.fromkeys((kind, value) for kind, value in readings if kind in ids.STRONG_KINDS and value))


def _strong_hits(text: str) -> list[tuple[int, str]]:
    """(root merchant pk, kind) for each known strong identifier the text can be, in the readings' order."""
    readings = _readings(text)
    if not readings:
        return []
    match = reduce(or_, (Q(kind=kind, normalized=normalized) for kind, normalized in readings))
    rows = Identifier.objects.filter(match, strength=Identifier.Strength.STRONG).values_list(
        "kind", "normalized", "pk", "merchant_id", "merchant__merged_into_id"
    )
    order = {reading: index for index, reading in enumerate(readings)}
    found = sorted(rows, key=lambda row: (order[(row[0], row[1])], row[2]))
    return [(merged_into or merchant, kind) for kind, _normalized, _pk, merchant, merged_into in found]


def _name_hits(text: str) -> list[tuple[int, float]]:
    key = ids.normalize_name(text)
    if not key:
        return []
    keys = NameKeys(key, ids.name_pinyin(text))
    return [
        (merchant_root(candidate.identifier.merchant).pk, candidate.score)
        for candidate in name_candidates(keys=keys, platform=None, all_platforms=True)
    ]


def merchant_lookup(*, q: str, limit: int = LOOKUP_LIMIT) -> list[LookupHit]:
    """Active merchants the text may name, at most `limit`: exact strong-identifier hits first, then names by
    score. Each merchant appears once, under its best match."""
    text = ids.clean_text(q)[:MAX_QUERY_LENGTH]
    if len(text) < MIN_QUERY_LENGTH:
        return []
    ranked: dict[int, tuple[str, float]] = {}
    for merchant_id, kind in _strong_hits(text):
        ranked.setdefault(merchant_id, (kind, EXACT_SCORE))
    for merchant_id, score in _name_hits(text):
        ranked.setdefault(merchant_id, (MATCHED_BY_NAME, round(score, 1)))
    best = list(ranked)[:limit]
    merchants = Merchant.objects.filter(pk__in=best, status=Merchant.Status.ACTIVE).select_related("platform")
    by_pk = {merchant.pk: merchant for merchant in merchants}
    return [LookupHit(by_pk[pk], *ranked[pk]) for pk in best if pk in by_pk]
