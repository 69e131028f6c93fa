"""Writes about merchants: resolving what victims typed to one merchant, merging and un-merging merchants
(representatives' claims: merchants.representatives).

Other apps call these, never the models directly.
"""

from dataclasses import dataclass, field, fields
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
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

    def errors(self) -> dict[str, ids.InvalidIdentifier]:
        """Claims that cannot be what their field says (a wrong USCC check character, a malformed app ID...)."""
        found = {}
        for name in self.IDENTIFIER_FIELDS:
            try:
                ids.parse_claim(name, getattr(self, name))
            except ids.InvalidIdentifier as error:
                found[name] = error
        return found


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


def _platform_for(code: str) -> Platform | None:
    if not code:
        return None
    if code not in Platform.Code.values:
        raise ValueError(f"unknown platform code {code!r}")
    # get_or_create: a test database flushed after a transactional test has lost the seeded rows.
    platform, _created = Platform.objects.get_or_create(code=code)
    return platform


def _parse(claims: MerchantClaims) -> tuple[list[_Claim], list[Link]]:
    parsed, invalid, seen = [], [], set()
    for name in claims.IDENTIFIER_FIELDS:
        try:
            values = ids.parse_claim(name, getattr(claims, name))
        except ids.InvalidIdentifier:
            invalid.append(Link(name, "", Link.INVALID))
            continue
        for value in values:
            if value.normalized and (value.kind, value.normalized) not in seen:
                seen.add((value.kind, value.normalized))
                parsed.append(_Claim(name, ids.clean_text(getattr(claims, name)), value))
    return parsed, invalid


def _kind_for(claims: MerchantClaims, platform: Platform | None, parsed: list[_Claim]) -> str:
    kinds = {c.parsed.kind for c in parsed}
    code = platform.code if platform else ""
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
    if not strong:
        return {}
    match = reduce(or_, (Q(kind=c.parsed.kind, normalized=c.parsed.normalized) for c in strong))
    rows = Identifier.objects.filter(match, strength=Identifier.Strength.STRONG).select_related("merchant__merged_into")
    return {(row.kind, row.normalized): row for row in rows}


def _best_name(names: list[_Claim], platform: Platform | None) -> tuple[NameCandidate | None, bool]:
    """The best name candidate over all the names given, and whether it is unambiguous (no other merchant
    scores as high)."""
    best, rivals = None, set()
    for claim in names:
        keys = NameKeys(claim.parsed.normalized, claim.parsed.pinyin)
        for candidate in name_candidates(keys=keys, platform=platform):
            root = merchant_root(candidate.identifier.merchant)
            if best is None or candidate.score > best.score:
                best = candidate
            if candidate.score >= CONFIDENT:
                rivals.add(root.pk)
    return best, len(rivals) <= 1


def _resolve(claims: MerchantClaims, platform: Platform | None) -> Resolution:
    parsed, links = _parse(claims)
    if not parsed:
        raise ValueError("merchant_resolve needs at least one readable identifier")
    strong = [c for c in parsed if c.parsed.kind in ids.STRONG_KINDS]
    names = [c for c in parsed if c.parsed.kind == ids.NAME]
    hits = _strong_hits(strong)
    resolution = None

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
                merge = merchant_merge(source=root, target=target, reason=str(reason), automatic=True)
                resolution.merges.append(merge)
                joined.add(root.pk)
                outcome = Link.MERGED
            links.append(Link(claim_field, identifier.kind, outcome, identifier.pk))
    else:
        best, unambiguous = _best_name(names, platform)
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
            merchant = Merchant.objects.create(
                name=_display_name(claims, parsed),
                kind=_kind_for(claims, platform, parsed),
                platform=platform,
                **_company_facts(claims, parsed),
            )
            resolution = Resolution(merchant=merchant, linked=merchant, created=True)
            if best is not None and best.score >= UNCERTAIN:
                resolution.proposal = _propose(merchant, merchant_root(best.identifier.merchant), best)

    resolution.links.extend(links)
    _hold(resolution)
    _record(resolution, parsed, hits)
    if not resolution.created:
        _fill_blanks(resolution.merchant, claims, parsed, platform)
    return resolution


def _propose(merchant: Merchant, candidate: Merchant, best: NameCandidate) -> MergeProposal:
    return MergeProposal.objects.create(
        merchant=merchant,
        candidate=candidate,
        score=round(best.score, 1),
        reasons=[*best.reasons, f"name:{best.identifier.value}"],
    )


def _hold(resolution: Resolution) -> None:
    """Lock the merchants the complaint will point at until the filing commits, and check they still stand as
    read: a merge or undo that committed in between would otherwise leave the complaint on a merged merchant.
    A merge or undo that starts later waits for the filing and then moves its complaint too."""
    locked = merchants_lock(resolution.merchant, resolution.linked)
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


def _record(resolution: Resolution, parsed: list[_Claim], hits: dict[tuple[str, str], Identifier]) -> None:
    """Record every identifier the claims gave on the linked merchant: new strong ones (the unique constraint
    turns a concurrent filing's identical insert into an IntegrityError, and the caller resolves again) and names
    it did not have."""
    # In one global order, so two filings giving the same two new identifiers in swapped fields wait on each
    # other instead of deadlocking.
    for claim in sorted(parsed, key=lambda c: (c.parsed.kind, c.parsed.normalized)):
        value = claim.parsed
        if (value.kind, value.normalized) in hits:
            continue
        strong = value.kind in ids.STRONG_KINDS
        identifier, created = Identifier.objects.get_or_create(
            merchant=resolution.linked,
            kind=value.kind,
            normalized=value.normalized,
            defaults={
                "strength": Identifier.Strength.STRONG if strong else Identifier.Strength.WEAK,
                "value": claim.raw[:IDENTIFIER_VALUE_LENGTH],
                "pinyin": value.pinyin,
            },
        )
        outcome = Link.RECORDED if created else Link.KNOWN
        resolution.links.append(Link(claim.field, value.kind, outcome, identifier.pk))


def _fill_blanks(merchant: Merchant, claims: MerchantClaims, parsed: list[_Claim], platform: Platform | None) -> None:
    """Facts a later complaint adds (the company behind the shop, its platform) fill what the merchant lacks;
    nothing a moderator or earlier complaint set is overwritten."""
    changed = []
    for name, value in _company_facts(claims, parsed).items():
        if value and not getattr(merchant, name):
            setattr(merchant, name, value)
            changed.append(name)
    if platform is not None and merchant.platform_id is None:
        merchant.platform = platform
        changed.append("platform")
    if changed:
        merchant.save(update_fields=[*changed, "updated_at"])


def merchant_resolve(*, claims: MerchantClaims) -> Resolution:
    """Find or create the merchant these claims name, record every identifier they give, and say why.

    Strong identifiers decide; when they point at two merchants, those are merged (a strong identifier cannot
    belong to two), unless moderators kept them apart. With no strong hit, names are matched on the same
    platform: a confident match links, an uncertain one creates a new merchant and a merge proposal.
    Deterministic: the same claims against the same data give the same answer.
    """
    if claims.is_empty():
        raise ValueError("merchant_resolve needs at least one identifier")
    platform = _platform_for(ids.clean_text(claims.platform))
    attempts = 3
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return _resolve(claims, platform)
        except (IntegrityError, MerchantError):
            # A concurrent filing recorded the same new identifier or merged one of our merchants first:
            # resolve again against what it wrote.
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# Merges -------------------------------------------------------------------------------------------------


def merchants_lock(*merchants: Merchant) -> dict[int, Merchant]:
    """Lock merchant rows in primary-key order, so two merges of the same pair cannot deadlock. FOR NO KEY UPDATE:
    other filings' foreign-key checks on the merchant (FOR KEY SHARE, at their commit) must not wait on it, or a
    surge against one merchant deadlocks with the rows those filings hold (seen in bench/surge.py)."""
    rows = Merchant.objects.select_for_update(no_key=True).filter(pk__in=[m.pk for m in merchants]).order_by("pk")
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
