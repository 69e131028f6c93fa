"""Finding and masking personal data in a complaint's narrative before it is published. Knows no models.

Victims write a phone number every way there is: "+86 138-1234-5678", full-width digits, a zero-width space pasted
from a chat between two digits, "电话13812345678找他". Detection runs on a normalised copy (NFKC character by
character, format characters such as zero-width spaces dropped) that remembers which original character each of
its characters came from, so findings carry offsets in the ORIGINAL text (the moderator's editor highlights them)
and masks replace exactly what was typed.

Recall over precision: a number shaped like an ID or a card is masked even when its check digit is wrong (a typo'd
ID still identifies the person). What a reader needs to judge the complaint stays: amounts, dates, times, model
names, and numbers introduced as order or tracking numbers.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric

MOBILE = "mobile"
LANDLINE = "landline"
RESIDENT_ID = "resident_id"
BANK_CARD = "bank_card"
EMAIL = "email"
WECHAT_ID = "wechat_id"
QQ = "qq"
KNOWN = "known"
KINDS = (MOBILE, LANDLINE, RESIDENT_ID, BANK_CARD, EMAIL, WECHAT_ID, QQ, KNOWN)


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS; KNOWN is a contact value the caller passed in `known`
    start: int  # offsets in the original text
    end: int


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC per character (full-width digits and "＋８６" become ASCII) without format characters (zero-width
    spaces, joiners, BOMs, bidi marks), and for each character of the result the index of its original character.
    Per character rather than per string so that every output character has exactly one origin."""
    chars, origin = [], []
    for index, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch):
            if unicodedata.category(out) != "Cf":
                chars.append(out)
                origin.append(index)
    return "".join(chars), origin


# A number is digit groups joined by what people put between them: spaces, dashes, dots, brackets. Commas, colons,
# slashes and line breaks end it, so "¥1,299.00", "19:30" and two numbers on two lines stay apart. A group may end
# in X: the check character of a resident ID.
_GROUP = re.compile(r"[0-9]+(?:[Xx](?![0-9]))?")
_RUN = re.compile(r"[0-9]+(?:[Xx](?![0-9]))?(?:(?:[^\S\r\n]|[-.()\u00b7\u2010-\u2015]){1,3}[0-9]+(?:[Xx](?![0-9]))?)*")
# No PII is longer than a 19-digit card behind a "0086", nor written in more groups than a card in fours.
_MAX_DIGITS = 23
_MAX_GROUPS = 6

_CUE_END = r"\s*(?:号码?|编号|number|no|id)?[\s:#.是为]{0,4}"
# The number right after these is an order or tracking number, which readers need; it may start with letters
# (SF1234…, DD2024…).
_ORDER_CUE = re.compile(
    rf"(?<![A-Za-z])(?:订单|单号|流水号|快递|运单|物流|order|tracking|waybill){_CUE_END}(?P<letters>[A-Za-z]{{0,4}})$",
    re.I,
)
# After these, 7-8 digits are a landline written without its area code.
_PHONE_CUE = re.compile(rf"(?<![A-Za-z])(?:电话|手机|座机|固话|联系方式|tel|phone){_CUE_END}$", re.I)
_QQ_CUE = re.compile(rf"(?<![A-Za-z])(?:qq|扣扣){_CUE_END}$", re.I)
_CUE_WINDOW = 24

_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
# National format (0 + area code) or international (86 + area code without its 0); phonenumbers decides.
_LANDLINE = re.compile(r"(?:0086|86|0)([1-9][0-9]{8,10})")
_LANDLINE_TYPES = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A WeChat ID is only told from a word by what introduces it. After "WeChat" in English an ID of letters alone would
# too often be the next word ("WeChat: refused"), so without an "ID" label it needs a digit, "_" or "-".
_WECHAT = re.compile(
    r"(?<![A-Za-z0-9])(?P<cue>微信|[威薇徽]信|v信|加我|加v|(?P<latin>vx|wx|(?P<english>weixin|wechat)))"
    r"(?P<label>\s*(?:id(?![A-Za-z0-9_-])|号码?))?(?P<sep>[\s:#是为]{0,4})"
    r"(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_@-])",
    re.I,
)
# The internal ID of accounts that never chose one, recognisable without a cue.
_WXID = re.compile(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]{4,30}", re.I)

# Separators the caller's contact values and the narrative may differ in: "北京市朝阳区 建国路88号" is the address
# typed as "北京市朝阳区建国路88号"; "." goes too, the same on both sides.
_COMPACT_DROP = frozenset(" \t\r\n\u00a0-\u2010\u2011\u2012\u2013\u2014\u2015\u00b7.()")
# A shorter contact value ("号", "1") would mask half the narrative.
_MIN_KNOWN = 4

# When readings of the same digits compete, the lower rank wins: what a check confirms, then what only the shape
# says, longest first, so a card failing Luhn is not cut into a landline ("6214-8323-0259-7595-491").
_CHECKED_ID, _MOBILE_RANK, _ID_SHAPE, _CHECKED_CARD, _CARD_SHAPE, _LANDLINE_RANK, _CUED = range(7)
# An ID's first two digits are its province (GB/T 2260), or Taiwan, Hong Kong, Macao on residence permits.
_PROVINCE = re.compile(r"1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]")


def _is_birth_date(value: str) -> bool:
    try:
        return 1900 <= datetime.date(int(value[:4]), int(value[4:6]), int(value[6:8])).year <= 2100
    except ValueError:
        return False


def _is_landline(digits: str) -> bool:
    match = _LANDLINE.fullmatch(digits)
    if not match:
        return False
    number = phonenumbers.parse("+86" + match[1])
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _LANDLINE_TYPES


def _card_shaped(lengths: list[int], *, after_four: bool, before_short: bool) -> bool:
    # Written whole or in fours ("6222 0212 3456 7890 123"): two dates in a row ("2024-05-03-2024-05-10") are not.
    # The fours run from the first four to the short group that ends them, or "6222 0212 3456 7891 2024" would
    # read as a card from its second group and "6222 0212 3456 7891 123" as one without its last three digits.
    fours = not after_four and not before_short and all(n == 4 for n in lengths[:-1]) and lengths[-1] <= 4
    return len(lengths) == 1 or fours


def _mobile_shaped(chars: str, lengths: list[int]) -> bool:
    # Written 138 1234 5678, 138 12345678, 1381234 5678 or whole, after a country code glued on or not: the
    # last digits of a card in fours ("…1845 0839 254") or a date and a serial ("19900307 123") are not a phone.
    country = len(chars) - 11
    first = lengths[0] - country if lengths[0] > country else (lengths[1] if len(lengths) > 1 else 0)
    return bool(_MOBILE.fullmatch(chars)) and first in (3, 7, 11)


def _is_resident_id(chars: str) -> bool:
    try:
        return ric.is_valid(chars.upper())
    except KeyError:
        # python-stdnum 2.2 fails on a prefecture's code (no county in its table): not a birthplace, so not valid.
        return False


def _classify(chars: str, lengths: list[int], *, qq_cue: bool, phone_cue: bool, **fours: bool) -> list[tuple]:
    """(kind, rank) for one candidate string of digits (a final X allowed) made of whole digit groups."""
    found = []
    if len(chars) == 18 and chars[:17].isdigit():
        if _is_resident_id(chars):
            found.append((RESIDENT_ID, _CHECKED_ID))
        elif _PROVINCE.fullmatch(chars[:2]) and _is_birth_date(chars[6:14]):
            # A wrong check digit is more often a typo than not an ID.
            found.append((RESIDENT_ID, _ID_SHAPE))
    if not chars.isdigit():
        return found
    if _mobile_shaped(chars, lengths):
        found.append((MOBILE, _MOBILE_RANK))
    if 16 <= len(chars) <= 19 and _card_shaped(lengths, **fours):
        found.append((BANK_CARD, _CHECKED_CARD if luhn.is_valid(chars) else _CARD_SHAPE))
    if _is_landline(chars):
        found.append((LANDLINE, _LANDLINE_RANK))
    if phone_cue and 7 <= len(chars) <= 8 and chars[0] in "23456789":
        found.append((LANDLINE, _CUED))
    if qq_cue and len(lengths) == 1 and 5 <= len(chars) <= 11 and chars[0] != "0":
        found.append((QQ, _CUED))
    return found


def _is_order_number(cue: re.Match | None, rank: int, chars: str) -> bool:
    """Whether a reading after an order or tracking cue (or a card-like tail of such a number written in groups) is
    that number, left alone. None is a checked ID, nor 11 digits shaped like a mobile with no letters before them:
    "快递：138…" is the courier's phone, "SF8613812345678" a waybill."""
    if cue is None or rank == _CHECKED_ID:
        return False
    return not (rank == _MOBILE_RANK and len(chars) == 11 and not cue["letters"])


def _widen(norm: str, kind: str, start: int, end: int) -> int:
    """The start of a phone number with its "+" and an opening bracket the number closes ("(+86) 138…")."""
    if kind not in (MOBILE, LANDLINE):
        return start
    if start and norm[start - 1] == "+":
        start -= 1
    if start and norm[start - 1] == "(" and ")" in norm[start:end] and "(" not in norm[start:end]:
        start -= 1
    return start


def _numbers(norm: str) -> list[tuple[str, int, int]]:
    found = []
    for run in _RUN.finditer(norm):
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run[0])]
        widths = [end - start for start, end in groups] + [0]
        before = norm[max(0, run.start() - _CUE_WINDOW) : run.start()]
        order_cue = _ORDER_CUE.search(before)
        candidates = []
        for i in range(len(groups)):
            # Cues name the number right after them, never one further along the run.
            cues = {"qq_cue": i == 0 and bool(_QQ_CUE.search(before)), "phone_cue": i == 0}
            cues["phone_cue"] = cues["phone_cue"] and bool(_PHONE_CUE.search(before))
            after_four = i > 0 and widths[i - 1] == 4
            chars = ""
            for j in range(i, len(groups)):
                if chars[-1:] in ("x", "X"):
                    break  # an X ends a number
                chars += norm[groups[j][0] : groups[j][1]]
                if len(chars) > _MAX_DIGITS or j - i >= _MAX_GROUPS:
                    break
                lengths = widths[i : j + 1]
                # A final X that is not an ID's may be the next word's first letter ("13812345678x…").
                variants = [(chars, lengths, 0)]
                if chars[-1] in "xX":
                    variants.append((chars[:-1], [*lengths[:-1], lengths[-1] - 1], 1))
                for text, shape, trim in variants:
                    fours = {"after_four": after_four, "before_short": 0 < widths[j + 1] < 4}
                    for kind, rank in _classify(text, shape, **fours, **cues):
                        if _is_order_number(order_cue, rank, text):
                            continue
                        start, end = groups[i][0], groups[j][1] - trim
                        candidates.append((rank, start - end, start, end, kind))
        taken: list[tuple[int, int]] = []
        for _rank, _length, start, end, kind in sorted(candidates):
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
                found.append((kind, _widen(norm, kind, start, end), end))
    return found


def _compact(norm: str) -> tuple[str, list[int]]:
    chars, where = [], []
    for index, ch in enumerate(norm):
        if ch not in _COMPACT_DROP:
            for out in ch.casefold():
                chars.append(out)
                where.append(index)
    return "".join(chars), where


def _known_key(value: str) -> str:
    key = _compact(_normalise(value)[0])[0]
    if re.fullmatch(r"\+?[0-9]+", key):
        # A phone is found however its country code and trunk 0 were written: match its national digits.
        key = key.lstrip("+")
        key = key[4:] if key.startswith("0086") else key[2:] if key.startswith("86") and len(key) >= 12 else key
        key = key.removeprefix("0")
    return key


def _known(norm: str, known: Iterable[str]) -> list[tuple[str, int, int]]:
    compact, where = _compact(norm)
    found = []
    for key in {_known_key(value) for value in known if value}:
        if len(key) < _MIN_KNOWN:
            continue
        at = compact.find(key)
        while at >= 0:
            found.append((KNOWN, where[at], where[at + len(key) - 1] + 1))
            at = compact.find(key, at + 1)
    return found


def _detect(text: str, known: Iterable[str]) -> tuple[str, list[tuple[str, int, int, int, int]]]:
    """The normalised text and its findings as (kind, start, end, normalised start, normalised end), sorted and
    not overlapping: overlapping candidates become one finding over their union, of the kind of the longest
    (an email wins over the phone number that is its local part), or KNOWN if one of them is."""
    norm, origin = _normalise(text)
    candidates = _numbers(norm) + _known(norm, known)
    candidates += [(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    candidates += [(WECHAT_ID, m.start(), m.end()) for m in _WXID.finditer(norm)]
    for m in _WECHAT.finditer(norm):
        if m["latin"] and not (m["label"] or m["sep"]):
            continue  # "wxabcdef…" is a word or an app ID, not a cue and an ID
        if m["english"] and not m["label"] and m["id"].isalpha():
            continue
        candidates.append((WECHAT_ID, m.start("id"), m.end("id")))
    clusters: list[list] = []
    for kind, nstart, nend in sorted(candidates, key=lambda c: (origin[c[1]], -c[2])):
        start, end = origin[nstart], origin[nend - 1] + 1
        if clusters and start < clusters[-1][2]:
            cluster = clusters[-1]
            if kind == KNOWN or (cluster[0] != KNOWN and nend - nstart > cluster[5]):
                cluster[0], cluster[5] = kind, nend - nstart
            cluster[2], cluster[4] = max(cluster[2], end), max(cluster[4], nend)
        else:
            clusters.append([kind, start, end, nstart, nend, nend - nstart])
    return norm, [(kind, start, end, nstart, nend) for kind, start, end, nstart, nend, _size in clusters]


def _keep_ends(value: str) -> str:
    # Two characters at each end are recognisable; on a short value they would give it away.
    keep = 2 if len(value) >= 8 else 1
    return value[:keep] + "****" + value[-keep:]


def _mask(kind: str, span: str) -> str:
    """The mask of one finding, from its normalised text; "***" when a merged finding does not fit its kind."""
    chars = "".join(ch for ch in span if ch in "0123456789xX")
    if kind == MOBILE and len(chars) >= 11:
        return ("+86 " if len(chars) > 11 else "") + chars[-11:-8] + "****" + chars[-4:]
    if kind == LANDLINE and 7 <= len(chars) <= 8:
        return "****" + chars[-4:]  # a local number: its area code was not given
    if kind == LANDLINE and (national := _LANDLINE.fullmatch(chars)):
        # Beijing, Shanghai, Guangzhou... have two-digit area codes (010, 021, 020), the rest three (0755).
        area = "0" + national[1][: 2 if national[1][0] in "12" else 3]
        return f"{area}-****{chars[-4:]}"
    if kind == RESIDENT_ID and len(chars) == 18:
        # The region code stays (the province is part of the complaint anyway); birth date and serial go.
        return chars[:6] + "*" * 10 + chars[-2:].upper()
    if kind == BANK_CARD and len(chars) >= 12:
        return f"{chars[:4]} **** **** {chars[-4:]}"
    if kind == EMAIL and "@" in span:
        local, _at, domain = span.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if kind == WECHAT_ID and len(span) >= 6:
        return _keep_ends(span)
    if kind == QQ and len(chars) >= 5:
        return _keep_ends(chars)
    return "***"


def find_pii(text: str, *, known: Iterable[str] = ()) -> list[Finding]:
    """Personal data in `text`, in order, with offsets in `text` itself. `known` are the complainant's contact
    values (email, phone, an address typed in a contact field), found wherever they appear after the same
    normalisation, separators ignored."""
    return [Finding(kind, start, end) for kind, start, end, _ns, _ne in _detect(text, known)[1]]


def redact(text: str, *, known: Iterable[str] = ()) -> str:
    """`text` with every finding of find_pii masked ("138****5678", "z***@example.com", contact values "***");
    the moderator may edit the result before publishing."""
    norm, findings = _detect(text, known)
    parts, last = [], 0
    for kind, start, end, nstart, nend in findings:
        parts += [text[last:start], _mask(kind, norm[nstart:nend])]
        last = end
    return "".join([*parts, text[last:]])
