"""Writes about merchants: resolving what victims typed to one merchant, merging and un-merging merchants
(representatives' claims: merchants.representatives).

Other apps call these, never the models directly.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from functools import cached_property, reduce
from operator import or_

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants import identifiers as ids
from merchants.matching import CONFIDENT, UNCERTAIN, NameKeys
from merchants.models import Identifier, Merchant, MerchantMerge, MergeProposal, Platform
from merchants.selectors import (
    NameCandidate,
    merchant_group_ids,
    merchant_root,
    name_candidates,
)
from merchants.signals import merchant_merged, merchant_unmerged

IDENTIFIER_VALUE_LENGTH = Identifier._meta.get_field("value").max_length
NAME_LENGTH = Merchant._meta.get_field("name").max_length

MSG_SAME_MERCHANT = _("A merchant cannot be merged into itself.")
MSG_NOT_ACTIVE = _("This merchant has already been merged into another one.")
MSG_ALREADY_UNDONE = _("This merge has already been undone.")
MSG_PROPOSAL_DECIDED = _("This proposal has already been decided.")
MSG_REASON_REQUIRED = _("Say why, for the merchant's history.")

# When strong identifiers disagree, the one that says most about who is behind the shop picks the merchant.
STRONG_PRIORITY = [
    ids.USCC,
    ids.APP_ID,
    ids.SHOP_ID,
    ids.WECHAT_PAY_MCH,
    ids.BANK_CARD,
    ids.WALLET,
    ids.EMAIL,
    ids.WECHAT_ID,
    ids.PHONE,
    ids.WEBSITE,
]


NAME_FIELDS = ["merchant_name", "mini_program_name", "company_name"]
# Identifiers of a business, shown whole in public; the other strong kinds may be a person's (masked).
PUBLIC_KINDS = {ids.USCC, ids.APP_ID, ids.SHOP_ID, ids.WEBSITE}
# Kinds a shop normally has one of: a name match whose merchant has another value is likely another shop with
# the same name. Phones and email addresses are often several per shop.
SINGLE_VALUED = {
    ids.APP_ID, ids.USCC, ids.SHOP_ID, ids.WEBSITE, ids.WECHAT_ID, ids.WECHAT_PAY_MCH, ids.BANK_CARD, ids.WALLET,
}  # fmt: skip


class MerchantError(ValueError):
    """A merge or proposal decision that cannot be made; `message` is for the moderator."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, kw_only=True)
class MerchantClaims:
    """What a complainant typed about the merchant, as typed. Any may be empty; not all at once."""

    merchant_name: str = ""
    platform: str = ""
    mini_program_name: str = ""
    app_id: str = ""
    shop_url: str = ""
    merchant_phone: str = ""
    wechat_id: str = ""
    payee_account: str = ""
    company_name: str = ""
    company_uscc: str = ""

    # The claim fields that name the merchant, in the order they are read.
    IDENTIFIER_FIELDS = [
        "merchant_name",
        "mini_program_name",
        "company_name",
        "shop_url",
        "app_id",
        "wechat_id",
        "merchant_phone",
        "payee_account",
        "company_uscc",
    ]

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def is_empty(self) -> bool:
        return not any(ids.clean_text(getattr(self, name)) for name in self.IDENTIFIER_FIELDS)

    @cached_property
    def readings(self) -> dict[str, list[ids.Parsed] | ids.InvalidIdentifier]:
        """What each identifier field says (merchants.identifiers.parse_claim), or why it cannot be read: read once
        for the checks and the resolution."""
        found = {}
        for name in self.IDENTIFIER_FIELDS:
            try:
                found[name] = ids.parse_claim(name, getattr(self, name))
            except ids.InvalidIdentifier as error:
                found[name] = error
        return found

    def errors(self) -> dict[str, ids.InvalidIdentifier]:
        """Claims that cannot be what their field says (a wrong USCC check character, a malformed app ID...)."""
        return {name: value for name, value in self.readings.items() if isinstance(value, ids.InvalidIdentifier)}


@dataclass(frozen=True)
class Link:
    """Why one claim led where it did; stored with the complaint."""

    MATCHED = "matched"  # a known strong identifier decided the merchant
    MERGED = "merged"  # its merchant was merged into the one decided, because the claims joined them
    CONFLICT = "conflict"  # it belongs to a merchant moderators keep apart from the one decided
    NAME_MATCH = "name_match"  # the name matched a known merchant's name confidently
    RECORDED = "recorded"  # new: recorded on the merchant
    KNOWN = "known"  # a name the merchant already had
    INVALID = "invalid"  # could not be read as what its field says

    field: str
    kind: str
    outcome: str
    identifier: int | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "kind": self.kind,
            "outcome": self.outcome,
            "identifier": self.identifier,
            "score": self.score,
            "reasons": list(self.reasons),
        }


@dataclass
class Resolution:
    merchant: Merchant  # the active merchant the complaint counts against
    linked: Merchant  # the merchant the claims identified (merchant, or one merged into it)
    created: bool = False
    links: list[Link] = field(default_factory=list)
    merges: list[MerchantMerge] = field(default_factory=list)
    proposal: MergeProposal | None = None

    def links_json(self) -> list[dict]:
        return [link.as_dict() for link in self.links]


@dataclass(frozen=True)
class _Claim:
    field: str
    raw: str
    parsed: ids.Parsed


class _NamedPlatform:
    """The platform a complainant named (a code, or none), its row read only when needed: a known strong
    identifier decides the merchant without it."""

    def __init__(self, code: str):
        if code and code not in Platform.Code.values:
            raise ValueError(f"unknown platform code {code!r}")
        self.code = code

    @cached_property
    def row(self) -> Platform | None:
        if not self.code:
            return None
        # get_or_create: a test database flushed after a transactional test has lost the seeded rows.
        platform, _created = Platform.objects.get_or_create(code=self.code)
        return platform


class _Savepoint:
    """Opened before the first write of a resolution attempt, if it makes any (on `stack`): a concurrent filing
    that wins a race (IntegrityError) or a merge in between (MerchantError) undoes the attempt's writes, and it
    resolves again. An attempt that only reads, as most filings against a known merchant, needs none."""

    def __init__(self, stack: ExitStack):
        self.stack, self.open = stack, False

    def __call__(self) -> None:
        if not self.open:
            self.stack.enter_context(transaction.atomic())
            self.open = True


def _parse(claims: MerchantClaims) -> tuple[list[_Claim], list[Link]]:
    parsed, invalid, seen = [], [], set()
    for name, values in claims.readings.items():
        if isinstance(values, ids.InvalidIdentifier):
            invalid.append(Link(name, "", Link.INVALID))
            continue
        for value in values:
            if value.normalized and (value.kind, value.normalized) not in seen:
                seen.add((value.kind, value.normalized))
                parsed.append(_Claim(name, ids.clean_text(getattr(claims, name)), value))
    return parsed, invalid


def _kind_for(claims: MerchantClaims, platform: _NamedPlatform, parsed: list[_Claim]) -> str:
    kinds = {c.parsed.kind for c in parsed}
    code = platform.code
    if ids.APP_ID in kinds or claims.mini_program_name.strip() or code.endswith("mini_program"):
        return Merchant.Kind.MINI_PROGRAM
    if code == Platform.Code.WECHAT_SOCIAL or (ids.WECHAT_ID in kinds and not code):
        return Merchant.Kind.SOCIAL_SELLER
    if code == Platform.Code.WEBSITE or ids.WEBSITE in kinds:
        return Merchant.Kind.WEBSITE
    if code == Platform.Code.APP:
        return Merchant.Kind.APP
    if not code and kinds <= {ids.USCC, ids.NAME} and (claims.company_name.strip() or claims.company_uscc.strip()):
        return Merchant.Kind.COMPANY
    return Merchant.Kind.ONLINE_SHOP


def _company_facts(claims: MerchantClaims, parsed: list[_Claim]) -> dict:
    facts = {}
    uscc = next((c.parsed.normalized for c in parsed if c.parsed.kind == ids.USCC), "")
    if uscc:
        facts["uscc"] = uscc
        facts["registered_region"] = ids.uscc_province(uscc)
    company = ids.clean_text(claims.company_name)[:NAME_LENGTH]
    if company:
        facts["company_name"] = company
    return facts


def _display_name(claims: MerchantClaims, parsed: list[_Claim]) -> str:
    """The name a new merchant is shown under, in public: a name as typed if there is one, else a public
    identifier (a host, a shop or app ID), else a personal one masked (never a full phone or card number)."""
    for name in NAME_FIELDS:
        value = ids.scrub_personal(getattr(claims, name))
        if value.strip("* "):
            return value[:NAME_LENGTH]
    # A name typed was personal (a phone as the shop's name): its name identifier would print it whole.
    typed = [getattr(claims, name) for name in NAME_FIELDS if getattr(claims, name)]
    others = [c.parsed for c in parsed if c.parsed.kind != ids.NAME] if typed else [c.parsed for c in parsed]
    if not others:
        return ids.scrub_personal(typed[0])[:NAME_LENGTH]
    ranked = sorted(
        others,
        key=lambda p: (
            p.kind not in PUBLIC_KINDS,
            STRONG_PRIORITY.index(p.kind) if p.kind in STRONG_PRIORITY else len(STRONG_PRIORITY),
        ),
    )
    return ids.mask(ranked[0].kind, ranked[0].normalized)[:NAME_LENGTH]


def _kept_apart(a: Merchant, b: Merchant) -> bool:
    """Moderators separated these two before (an undone merge or a rejected proposal): never join them again
    automatically."""
    pair = Q(source=a, target=b) | Q(source=b, target=a)
    if MerchantMerge.objects.filter(pair, undone_at__isnull=False).exists():
        return True
    return MergeProposal.objects.filter(
        Q(merchant=a, candidate=b) | Q(merchant=b, candidate=a), status=MergeProposal.Status.REJECTED
    ).exists()


def _strong_hits(strong: list[_Claim]) -> dict[tuple[str, str], Identifier]:
    """The strong identifiers claimed that are known, with their merchants (the one each was merged into, if any,
    is read when needed: rarely)."""
    if not strong:
        return {}
    match = reduce(or_, (Q(kind=c.parsed.kind, normalized=c.parsed.normalized) for c in strong))
    rows = Identifier.objects.filter(match, strength=Identifier.Strength.STRONG).select_related("merchant")
    return {(row.kind, row.normalized): row for row in rows}


def _best_name(names: list[_Claim], platform: _NamedPlatform) -> tuple[NameCandidate | None, bool, list[Identifier]]:
    """The best name candidate over all the names given, whether it is unambiguous (no other merchant scores as
    high), and every candidate's identifier."""
    best, rivals, seen = None, set(), []
    for claim in names:
        keys = NameKeys(claim.parsed.normalized, claim.parsed.pinyin)
        for candidate in name_candidates(keys=keys, platform=platform.row):
            seen.append(candidate.identifier)
            root = merchant_root(candidate.identifier.merchant)
            if best is None or candidate.score > best.score:
                best = candidate
            if candidate.score >= CONFIDENT:
                rivals.add(root.pk)
    return best, len(rivals) <= 1, seen


def _resolve(claims: MerchantClaims, platform: _NamedPlatform, writing: _Savepoint) -> Resolution:
    parsed, links = _parse(claims)
    if not parsed:
        raise ValueError("merchant_resolve needs at least one readable identifier")
    strong = [c for c in parsed if c.parsed.kind in ids.STRONG_KINDS]
    names = [c for c in parsed if c.parsed.kind == ids.NAME]
    hits = _strong_hits(strong)
    resolution, names_known = None, []

    if hits:
        ranked = sorted(hits.values(), key=lambda i: (STRONG_PRIORITY.index(i.kind), i.merchant_id))
        decider = ranked[0]
        target = merchant_root(decider.merchant)
        resolution = Resolution(merchant=target, linked=decider.merchant)
        joined = {target.pk}
        fields_by_key = {(c.parsed.kind, c.parsed.normalized): c.field for c in strong}
        for identifier in ranked:
            claim_field = fields_by_key[(identifier.kind, identifier.normalized)]
            root = merchant_root(identifier.merchant)
            if root.pk in joined:
                outcome = Link.MATCHED
            elif _kept_apart(root, target):
                outcome = Link.CONFLICT
            else:
                reason = _(
                    "Automatic: one complaint gave this merchant's %(kind)s and %(other_kind)s of %(other)s."
                ) % {
                    "kind": identifier.get_kind_display(),
                    "other_kind": decider.get_kind_display(),
                    "other": target.name,
                }
                writing()
                merge = merchant_merge(source=root, target=target, reason=str(reason), automatic=True)
                resolution.merges.append(merge)
                joined.add(root.pk)
                outcome = Link.MERGED
            links.append(Link(claim_field, identifier.kind, outcome, identifier.pk))
    else:
        best, unambiguous, names_known = _best_name(names, platform)
        confident = best is not None and best.score >= CONFIDENT and unambiguous
        if confident and _contradicts(merchant_root(best.identifier.merchant), strong):
            confident = False
        if confident:
            linked = best.identifier.merchant
            resolution = Resolution(merchant=merchant_root(linked), linked=linked)
            links.append(
                Link("", ids.NAME, Link.NAME_MATCH, best.identifier.pk, round(best.score, 1), tuple(best.reasons))
            )
        else:
            writing()
            merchant = Merchant.objects.create(
                name=_display_name(claims, parsed),
                kind=_kind_for(claims, platform, parsed),
                platform=platform.row,
                **_company_facts(claims, parsed),
            )
            resolution = Resolution(merchant=merchant, linked=merchant, created=True)
            if best is not None and best.score >= UNCERTAIN:
                resolution.proposal = _propose(merchant, merchant_root(best.identifier.merchant), best)

    resolution.links.extend(links)
    # Nobody else sees a merchant created here until the filing commits: it needs no lock.
    fill = False
    if not resolution.created:
        # Filling the merchant's blanks writes its row, which takes its exclusive lock: decided on the row as read,
        # so that the usual filing only shares it.
        fill = bool(_blanks(resolution.merchant, claims, parsed, platform))
        _hold(resolution, exclusive=fill)
    _record(resolution, parsed, hits, writing, known=names_known)
    if fill:
        writing()
        _fill_blanks(resolution.merchant, claims, parsed, platform)
    return resolution


def _propose(merchant: Merchant, candidate: Merchant, best: NameCandidate) -> MergeProposal:
    return MergeProposal.objects.create(
        merchant=merchant,
        candidate=candidate,
        score=round(best.score, 1),
        reasons=[*best.reasons, f"name:{best.identifier.value}"],
    )


def _hold(resolution: Resolution, *, exclusive: bool = False) -> None:
    """Lock the merchants the complaint will point at until the filing commits, and check they still stand as
    read: a merge or undo that committed in between would otherwise leave the complaint on a merged merchant.
    A merge or undo that starts later waits for the filing and then moves its complaint too.

    Shared, unless the filing writes the merchant's row (`exclusive`): in a surge against one merchant the filings
    hold it together instead of queueing for it one by one."""
    lock = merchants_lock if exclusive else merchants_share
    locked = lock(resolution.merchant, resolution.linked)
    root, linked = locked[resolution.merchant.pk], locked[resolution.linked.pk]
    if not root.is_active or (linked.pk != root.pk and linked.merged_into_id != root.pk):
        raise MerchantError(MSG_NOT_ACTIVE)
    resolution.merchant, resolution.linked = root, linked


def _contradicts(merchant: Merchant, strong: list[_Claim]) -> bool:
    """A shop has one app ID, one company, one shop ID...: a name match whose merchant has another is probably a
    different shop with a similar name, for a moderator to look at."""
    claimed = {c.parsed.kind: c.parsed.normalized for c in strong if c.parsed.kind in SINGLE_VALUED}
    if not claimed:
        return False
    known = Identifier.objects.filter(merchant_id__in=merchant_group_ids(merchant), kind__in=claimed)
    return any(claimed[kind] != value for kind, value in known.values_list("kind", "normalized"))


def _record(
    resolution: Resolution,
    parsed: list[_Claim],
    hits: dict[tuple[str, str], Identifier],
    writing: _Savepoint,
    known: list[Identifier] = (),
) -> None:
    """Record every identifier the claims gave on the linked merchant: new strong ones (the unique constraint
    turns a concurrent filing's identical insert into an IntegrityError, and the caller resolves again) and names
    it did not have. `known`: identifiers already read (the name candidates), which need no query."""
    linked = resolution.linked
    found = {(i.kind, i.normalized): i for i in known if i.merchant_id == linked.pk}
    # A strong identifier not among the hits exists nowhere (strong kinds are always strong), and a merchant
    # created here has none yet: only its names and weak kinds may already be on the merchant, read in one query.
    unread = [
        c.parsed
        for c in parsed
        if (c.parsed.kind, c.parsed.normalized) not in hits.keys() | found.keys()
        and c.parsed.kind not in ids.STRONG_KINDS
        and not resolution.created
    ]
    if unread:
        match = reduce(or_, (Q(kind=value.kind, normalized=value.normalized) for value in unread))
        found.update({(i.kind, i.normalized): i for i in Identifier.objects.filter(match, merchant=linked)})
    # In one global order, so two filings giving the same two new identifiers in swapped fields wait on each
    # other instead of deadlocking.
    for claim in sorted(parsed, key=lambda c: (c.parsed.kind, c.parsed.normalized)):
        value = claim.parsed
        key = (value.kind, value.normalized)
        if key in hits:
            continue
        identifier = found.get(key)
        if identifier is None:
            writing()
            strong = value.kind in ids.STRONG_KINDS
            identifier = Identifier.objects.create(
                merchant=linked,
                kind=value.kind,
                normalized=value.normalized,
                strength=Identifier.Strength.STRONG if strong else Identifier.Strength.WEAK,
                value=claim.raw[:IDENTIFIER_VALUE_LENGTH],
                pinyin=value.pinyin,
            )
        outcome = Link.KNOWN if key in found else Link.RECORDED
        resolution.links.append(Link(claim.field, value.kind, outcome, identifier.pk))


def _blanks(merchant: Merchant, claims: MerchantClaims, parsed: list[_Claim], platform: _NamedPlatform) -> dict:
    """Facts a later complaint adds (the company behind the shop, its platform) that the merchant lacks."""
    facts = {
        name: value for name, value in _company_facts(claims, parsed).items() if value and not getattr(merchant, name)
    }
    if platform.code and merchant.platform_id is None:
        facts["platform"] = platform.row
    return facts


def _fill_blanks(merchant: Merchant, claims: MerchantClaims, parsed: list[_Claim], platform: _NamedPlatform) -> None:
    """Fill what the merchant lacks; nothing a moderator or earlier complaint set is overwritten."""
    facts = _blanks(merchant, claims, parsed, platform)
    for name, value in facts.items():
        setattr(merchant, name, value)
    if facts:
        merchant.save(update_fields=[*facts, "updated_at"])


def merchant_resolve(*, claims: MerchantClaims) -> Resolution:
    """Find or create the merchant these claims name, record every identifier they give, and say why.

    Strong identifiers decide; when they point at two merchants, those are merged (a strong identifier cannot
    belong to two), unless moderators kept them apart. With no strong hit, names are matched on the same
    platform: a confident match links, an uncertain one creates a new merchant and a merge proposal.
    Deterministic: the same claims against the same data give the same answer.
    """
    if claims.is_empty():
        raise ValueError("merchant_resolve needs at least one identifier")
    code = ids.clean_text(claims.platform)
    attempts = 3
    for attempt in range(attempts):
        try:
            with ExitStack() as stack:
                writing = _Savepoint(stack)
                if not transaction.get_connection().in_atomic_block:
                    # Called on its own, not in a filing: one transaction, its locks held to its end.
                    writing()
                # The platform read afresh: a row created by an attempt undone would be gone.
                return _resolve(claims, _NamedPlatform(code), writing)
        except (IntegrityError, MerchantError):
            # A concurrent filing recorded the same new identifier or merged one of our merchants first:
            # resolve again against what it wrote.
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# Merges -------------------------------------------------------------------------------------------------


# The space of the merchants' advisory locks (pg_advisory_xact_lock(space, key)). Filings hold a merchant shared, and
# anything that changes its row exclusively: PostgreSQL queues these fairly, so a merge waiting for the filings in
# progress is not overtaken by the next ones, as it would be by share locks on the row itself in a surge.
MERCHANT_LOCKS = 0x4D52


def _merchant_locks(keys: list[int], *, shared: bool) -> None:
    """Take the merchants' advisory locks until the end of the transaction, in the order given. SQLite has none: it
    serialises writers."""
    if connection.vendor != "postgresql" or not keys:
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        # A 32-bit key: two merchants 2**31 apart would share one (wait for each other), nothing worse.
        cursor.execute(
            "SELECT " + ", ".join([f"{function}(%s, %s)"] * len(keys)),
            [value for key in keys for value in (MERCHANT_LOCKS, key % 2**31)],
        )


def merchants_share(*merchants: Merchant) -> dict[int, Merchant]:
    """Hold merchants shared until the commit, and read them afresh once held: any number of filings hold one at
    once, while a merge or its undo (merchants_lock) waits for all of them, and they for it."""
    keys = sorted({m.pk for m in merchants})
    _merchant_locks(keys, shared=True)
    return Merchant.objects.in_bulk(keys)


def merchants_lock(*merchants: Merchant) -> dict[int, Merchant]:
    """Lock merchant rows in primary-key order, so two merges of the same pair cannot deadlock: exclusively against
    filings (merchants_share) and other changes, then the rows themselves. FOR NO KEY UPDATE: other filings'
    foreign-key checks on the merchant (FOR KEY SHARE, at their commit) must not wait on it, or a surge against one
    merchant deadlocks with the rows those filings hold (seen in bench/surge.py)."""
    keys = sorted({m.pk for m in merchants})
    _merchant_locks(keys, shared=False)
    rows = Merchant.objects.select_for_update(no_key=True).filter(pk__in=keys).order_by("pk")
    return {row.pk: row for row in rows}


@transaction.atomic
def merchant_merge(
    *,
    source: Merchant,
    target: Merchant,
    reason: str,
    actor=None,
    automatic: bool = False,
    proposal: MergeProposal | None = None,
) -> MerchantMerge:
    """Merge source into target: complaints and statistics follow (through merchant_merged), the source's
    identifiers now find the target, and its page redirects there. Undo with merchant_unmerge."""
    if source.pk == target.pk:
        raise MerchantError(MSG_SAME_MERCHANT)
    if not (reason or "").strip():
        raise MerchantError(MSG_REASON_REQUIRED)
    locked = merchants_lock(source, target)
    source, target = locked[source.pk], locked[target.pk]
    if not (source.is_active and target.is_active):
        raise MerchantError(MSG_NOT_ACTIVE)
    repointed = list(Merchant.objects.filter(merged_into=source).values_list("pk", flat=True))
    Merchant.objects.filter(pk__in=repointed).update(merged_into=target, updated_at=timezone.now())
    source.status, source.merged_into = Merchant.Status.MERGED, target
    source.save(update_fields=["status", "merged_into", "updated_at"])
    merge = MerchantMerge.objects.create(
        source=source,
        target=target,
        automatic=automatic,
        actor=actor,
        reason=reason.strip(),
        proposal=proposal,
        repointed=repointed,
    )
    merchant_merged.send(sender=Merchant, merge=merge)
    return merge


@transaction.atomic
def merchant_unmerge(*, merge: MerchantMerge, actor, reason: str) -> Merchant:
    """Undo a merge: the source is active again with the merchants that were merged into it, and the
    complaints identified through them go back. The pair is then kept apart from automatic merges."""
    if not (reason or "").strip():
        raise MerchantError(MSG_REASON_REQUIRED)
    merge = MerchantMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise MerchantError(MSG_ALREADY_UNDONE)
    source = merchants_lock(merge.source)[merge.source_id]
    root = source.merged_into
    restored = [
        source.pk,
        *Merchant.objects.filter(pk__in=merge.repointed, merged_into=root).values_list("pk", flat=True),
    ]
    Merchant.objects.filter(pk__in=restored[1:]).update(merged_into=source, updated_at=timezone.now())
    source.status, source.merged_into = Merchant.Status.ACTIVE, None
    source.save(update_fields=["status", "merged_into", "updated_at"])
    merge.undone_at, merge.undone_by, merge.undo_reason = timezone.now(), actor, reason.strip()
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    merchant_unmerged.send(sender=Merchant, merge=merge, restored=restored, root=root)
    return source


@transaction.atomic
def proposal_accept(*, proposal: MergeProposal, actor, note: str = "") -> MerchantMerge | None:
    """The two are one merchant: merge the new one into the candidate (or into whatever each became)."""
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MergeProposal.Status.OPEN:
        raise MerchantError(MSG_PROPOSAL_DECIDED)
    source = merchant_root(Merchant.objects.select_related("merged_into").get(pk=proposal.merchant_id))
    target = merchant_root(Merchant.objects.select_related("merged_into").get(pk=proposal.candidate_id))
    merge = None
    if source.pk != target.pk:
        reason = note.strip() or str(_("Merge proposal accepted (name score %(score)s).") % {"score": proposal.score})
        merge = merchant_merge(source=source, target=target, reason=reason, actor=actor, proposal=proposal)
    _decide(proposal, MergeProposal.Status.ACCEPTED, actor, note)
    return merge


@transaction.atomic
def proposal_reject(*, proposal: MergeProposal, actor, note: str = "") -> MergeProposal:
    """Two different merchants: keep them apart, now and in later automatic merges."""
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MergeProposal.Status.OPEN:
        raise MerchantError(MSG_PROPOSAL_DECIDED)
    return _decide(proposal, MergeProposal.Status.REJECTED, actor, note)


def _decide(proposal: MergeProposal, status: str, actor, note: str) -> MergeProposal:
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, timezone.now()
    proposal.note = (note or "").strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return proposal
