"""Reads about merchants, for this app's services and for other apps."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from rapidfuzz import process

from merchants.identifiers import has_han
from merchants.matching import UNCERTAIN, NameKeys, name_score
from merchants.models import Identifier, Merchant, MerchantMerge, MergeProposal, Platform, Representative

# Name candidates scored per lookup: enough for near-duplicates of one name, bounded for hot names.
CANDIDATE_LIMIT = 20
# Trigram similarity a name needs to be scored at all. Names rapidfuzz scores at UNCERTAIN or more share
# about half their trigrams; 0.3 (pg_trgm's default) also returns thousands that score far below.
TRIGRAM_THRESHOLD = 0.45
# What the trigram search runs with (set_config(..., true), as SET LOCAL). Besides the threshold: no parallel
# workers. PostgreSQL estimates how many names are `%` a text from the statistics of the whole normalized column,
# which phones and accounts share with names, so a phone typed in looks similar to thousands of rows; for those it
# started a worker, some 20 ms on a busy machine, to search the few names that match (bench/reads.py explains the
# lookup by phone).
TRIGRAM_SETTINGS = {"pg_trgm.similarity_threshold": str(TRIGRAM_THRESHOLD), "max_parallel_workers_per_gather": "0"}


def platform_choices():
    """(code, label) pairs for forms and the API, in the order DESIGN.md section 7 gives."""
    return list(Platform.Code.choices)


def merchant_root(merchant: Merchant) -> Merchant:
    """The active merchant this one counts as: itself, or the one it was merged into (merges keep it flat)."""
    return merchant.merged_into if merchant.merged_into_id else merchant


def merchant_get(*, uuid) -> Merchant:
    """Any merchant by its public id, merged or not (a merged one's page redirects to its root); 404 if unknown."""
    return get_object_or_404(Merchant.objects.select_related("platform", "merged_into"), uuid=uuid)


def merchant_find(*, uuid) -> Merchant | None:
    """The active merchant a public id stands for (its root when merged), or None if there is none."""
    merchant = Merchant.objects.select_related("platform", "merged_into").filter(uuid=uuid).first()
    return merchant_root(merchant) if merchant else None


def merchant_ids_all() -> list[int]:
    """Every merchant's primary key, in order (for maintenance that walks them in batches)."""
    return list(Merchant.objects.order_by("pk").values_list("pk", flat=True))


def merchants_by_ids(ids) -> dict[int, Merchant]:
    """Merchants by primary key, with their platforms, in one query."""
    return Merchant.objects.select_related("platform").in_bulk(list(ids))


def merchant_group_ids(merchant: Merchant) -> list[int]:
    """The active merchant and every merchant merged into it."""
    return [merchant.pk, *Merchant.objects.filter(merged_into=merchant).values_list("pk", flat=True)]


def representative_merchant_ids(*, user) -> set[int]:
    """Every merchant whose complaints the user answers for: the groups (root and merged-in merchants) of the
    merchants they are an approved representative of. Empty for anyone else."""
    if not user.is_authenticated:
        return set()
    roots = Merchant.objects.filter(
        representatives__user=user, representatives__status=Representative.Status.APPROVED
    ).select_related("merged_into")
    root_ids = {merchant_root(merchant).pk for merchant in roots}
    if not root_ids:
        return set()
    merged = Merchant.objects.filter(merged_into_id__in=root_ids).values_list("pk", flat=True)
    return root_ids | set(merged)


def representative_user_ids(*, merchant: Merchant) -> list[int]:
    """The approved representatives of the merchant's group: whoever representative_merchant_ids gives it to."""
    group = merchant_group_ids(merchant_root(merchant))
    rows = Representative.objects.filter(status=Representative.Status.APPROVED, merchant_id__in=group)
    return sorted(set(rows.values_list("user_id", flat=True)))


def representatives_by_merchant() -> dict[int, set[int]]:
    """Every merchant someone answers for, with the user ids of its approved representatives (whole groups)."""
    reps = Representative.objects.filter(status=Representative.Status.APPROVED).select_related("merchant__merged_into")
    by_root: dict[Merchant, set[int]] = {}
    for rep in reps:
        by_root.setdefault(merchant_root(rep.merchant), set()).add(rep.user_id)
    answered: dict[int, set[int]] = {}
    for root, user_ids in by_root.items():
        for merchant_id in merchant_group_ids(root):
            answered.setdefault(merchant_id, set()).update(user_ids)
    return answered


def merchant_identifiers(*, merchant: Merchant) -> list[Identifier]:
    """Every identifier of the merchant's group, one per (kind, value), strong ones first: one query, the group
    (merchant_group_ids) read as a subquery."""
    seen, result = set(), []
    group = Merchant.objects.filter(Q(pk=merchant.pk) | Q(merged_into=merchant)).values("pk")
    rows = Identifier.objects.filter(merchant_id__in=group).order_by("-strength", "kind", "id")
    for identifier in rows:
        if (identifier.kind, identifier.normalized) not in seen:
            seen.add((identifier.kind, identifier.normalized))
            result.append(identifier)
    return result


def merchant_history(*, merchant: Merchant) -> QuerySet[MerchantMerge]:
    """Merges into or out of the merchant's group, newest first, with who did them."""
    group = merchant_group_ids(merchant)
    return MerchantMerge.objects.filter(Q(source_id__in=group) | Q(target_id__in=group)).select_related(
        "source", "target", "actor", "undone_by"
    )


def proposals_open() -> QuerySet[MergeProposal]:
    return MergeProposal.objects.filter(status=MergeProposal.Status.OPEN).select_related(
        "merchant__platform", "candidate__platform"
    )


def proposal_get(*, uuid) -> MergeProposal:
    return get_object_or_404(
        MergeProposal.objects.select_related("merchant__platform", "candidate__platform"), uuid=uuid
    )


@dataclass(frozen=True)
class NameCandidate:
    identifier: Identifier
    score: float
    reasons: list[str]


def name_candidates(*, keys: NameKeys, platform: Platform | None, all_platforms: bool = False) -> list[NameCandidate]:
    """Name identifiers that may be the same merchant, best first, scored with merchants.matching.

    Names are matched on the same platform: two shops called 优品汇 on Taobao and on Douyin are different
    merchants until a strong identifier says otherwise. A name given without a platform, or a merchant known
    without one, may match on any platform (two equally good candidates then leave it undecided). Lookups by
    visitors search every platform.
    """
    rows = Identifier.objects.filter(kind=Identifier.Kind.NAME).select_related("merchant__merged_into")
    if platform is not None and not all_platforms:
        rows = rows.filter(Q(merchant__platform=platform) | Q(merchant__platform__isnull=True))
    find = _trigram_candidates if connection.vendor == "postgresql" else _python_candidates
    found = find(rows, keys)
    scored = []
    for identifier in found:
        score, reasons = name_score(keys, NameKeys(identifier.normalized, identifier.pinyin))
        if score >= UNCERTAIN:
            scored.append(NameCandidate(identifier, score, reasons))
    scored.sort(key=lambda c: (-c.score, c.identifier.merchant_id))
    return scored


def _trigram_candidates(rows: QuerySet[Identifier], keys: NameKeys) -> list[Identifier]:
    """Exact keys first, through the btree indexes (most filings name a shop as others did); otherwise `%`
    (trigram_similar) through the GIN indexes of migration 0005, at a similarity threshold raised from
    pg_trgm's 0.3, which lets thousands of loosely similar pinyin strings through to be scored and dropped.

    The closest names are chosen in a subquery, before their merchants are joined: planned as one query, the
    overestimate above (TRIGRAM_SETTINGS) made PostgreSQL join every merchant (a hash join over a scan of the
    whole table) to the one name that matched."""
    same_name = list(rows.filter(normalized=keys.key)[:CANDIDATE_LIMIT])
    if same_name:
        return same_name
    same_pinyin = list(rows.filter(pinyin=keys.pinyin)[:CANDIDATE_LIMIT]) if keys.pinyin else []
    # For a name typed in Latin letters the pinyin is the name. For Chinese characters the same pinyin may be a
    # homophone (优品会 for 优品汇) while a closer name in characters exists: look further.
    if same_pinyin and not has_han(keys.key):
        return same_pinyin
    match = Q(normalized__trigram_similar=keys.key)
    closeness = TrigramSimilarity("normalized", keys.key)
    if keys.pinyin:
        match |= Q(pinyin__trigram_similar=keys.pinyin)
        closeness = Greatest(closeness, TrigramSimilarity("pinyin", keys.pinyin))
    closest = rows.filter(match).annotate(closeness=closeness).order_by("-closeness", "id").values("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        # Local settings last until the transaction ends: the caller's, when it has one (a filing's later queries
        # are lookups by key, which use neither `%` nor parallel workers).
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(TRIGRAM_SETTINGS)),
            [part for setting in TRIGRAM_SETTINGS.items() for part in setting],
        )
        similar = list(
            rows.filter(pk__in=closest[:CANDIDATE_LIMIT]).annotate(closeness=closeness).order_by("-closeness", "id")
        )
    return list({row.pk: row for row in [*same_pinyin, *similar]}.values())


def _python_candidates(rows: QuerySet[Identifier], keys: NameKeys) -> list[Identifier]:
    """SQLite has no trigram index: rank the platform's names in Python with rapidfuzz (the embedded default
    holds demo-sized data; production runs on PostgreSQL)."""
    names = list(rows)
    choices = {index: f"{n.normalized} {n.pinyin}" for index, n in enumerate(names)}
    best = process.extract(f"{keys.key} {keys.pinyin}", choices, limit=CANDIDATE_LIMIT, score_cutoff=40)
    return [names[index] for _choice, _score, index in best]


# Representatives ----------------------------------------------------------------------------------------------

LIVE_CLAIM_STATUSES = [Representative.Status.PENDING, Representative.Status.APPROVED]


def representative_may_claim(*, user) -> bool:
    """A signed-in account with a verified address that neither moderates nor works for an authority: those
    decide or oversee complaints and may not also speak for a merchant."""
    if not (user.is_authenticated and user.email_verified):
        return False
    role = get_user_model().Role
    return user.role not in {role.MODERATOR, role.AUTHORITY}


def merchant_usccs(*, merchant: Merchant) -> list[str]:
    """The registration numbers (USCC) on record for the merchant's group: the merchants' own and the USCC
    identifiers victims gave, sorted, without repeats."""
    group = merchant_group_ids(merchant_root(merchant))
    own = Merchant.objects.filter(pk__in=group).exclude(uscc="").values_list("uscc", flat=True)
    given = Identifier.objects.filter(merchant_id__in=group, kind=Identifier.Kind.USCC).values_list(
        "normalized", flat=True
    )
    return sorted({value.strip().upper() for value in [*own, *given]})


def representatives_for_moderators(*, status: str = Representative.Status.PENDING) -> QuerySet[Representative]:
    """Claims in one status: the pending queue oldest first (uses representative_status_idx), others newest
    decision first."""
    rows = Representative.objects.filter(status=status).select_related("merchant__platform", "user", "decided_by")
    if status == Representative.Status.PENDING:
        return rows.order_by("created_at", "id")
    return rows.order_by("-decided_at", "-id")


def representative_get(*, uuid) -> Representative:
    """A claim by its public id, for moderators; 404 if unknown."""
    return get_object_or_404(
        Representative.objects.select_related("merchant__platform", "merchant__merged_into", "user", "decided_by"),
        uuid=uuid,
    )


def representative_get_for_user(*, user, uuid) -> Representative:
    """A claim its claimant or a moderator may see; 404 for anyone else, as if it did not exist."""
    if not user.is_authenticated:
        raise Http404
    rows = Representative.objects.select_related("merchant", "user")
    if not user.is_moderator:
        rows = rows.filter(user=user)
    return get_object_or_404(rows, uuid=uuid)


def representatives_of_user(*, user) -> QuerySet[Representative]:
    """The user's own claims, newest first."""
    return Representative.objects.filter(user=user).select_related("merchant__platform").order_by("-created_at", "-id")


def merchant_representatives(*, merchant: Merchant) -> QuerySet[Representative]:
    """The live claims (pending or approved) on the merchant's group, for a moderator weighing another one."""
    group = merchant_group_ids(merchant_root(merchant))
    return Representative.objects.filter(merchant_id__in=group, status__in=LIVE_CLAIM_STATUSES).select_related(
        "merchant", "user"
    )
