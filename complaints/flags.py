"""Signals moderators weigh on each complaint: the same or a near-identical picture, or a near-identical account,
in another account's complaint against the same merchant, the same order or transaction number as another
complaint against it, and brigading (many complaints against one merchant from one account or one network address
in a short time). Flags inform the queue and the staff page; a brigading flag lowers priority, and such complaints
are never published or escalated without a moderator.

Comparisons stay within the merchant's own complaints (an index range, not a scan of all evidence): reused
evidence matters when it props up complaints against the same merchant.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from complaints.duplicates import is_near_duplicate_picture, near_duplicate_narratives, phash_distance
from complaints.ledger import order_key
from complaints.models import Complaint, Evidence, Flag
from complaints.priority import BRIGADING, complaint_filed_priority, complaint_priority_update

# How far back a new complaint is compared with the merchant's others.
LOOKBACK = timedelta(days=180)
NARRATIVE_CANDIDATES = 500
# Pictures are compared with those of the merchant's latest other complaints, as many.
PICTURE_COMPLAINTS = 500


def _raise(complaint: Complaint, kind: str, other: Complaint | None = None, score: float | None = None) -> bool:
    """Record a flag once (both ways for a pair); True if it is new."""
    created = False
    for one, two in [(complaint, other), (other, complaint)] if other else [(complaint, None)]:
        _flag, new = Flag.objects.get_or_create(complaint=one, kind=kind, other=two, defaults={"score": score})
        created = created or new
    return created


def _raise_pairs(complaint: Complaint, kind: str, scores: dict[int, float]) -> None:
    """Record the flags between the complaint and each of the others `scores` gives a score for, both ways, in one
    insert: a copied template matches hundreds of a surge's complaints."""
    pairs = [(complaint.pk, pk, score) for pk, score in scores.items()]
    pairs += [(pk, complaint.pk, score) for pk, score in scores.items()]
    Flag.objects.bulk_create(
        [Flag(complaint_id=one, kind=kind, other_id=two, score=score) for one, two, score in pairs],
        ignore_conflicts=True,
    )


def _others(complaint: Complaint):
    """The merchant's other recent complaints from other accounts."""
    return Complaint.objects.filter(
        merchant_id=complaint.merchant_id, submitted_at__gte=complaint.submitted_at - LOOKBACK
    ).exclude(complainant_key=complaint.complainant_key)


def _evidence_flags(evidence: Evidence) -> bool:
    """The same file (by SHA-256, through its index: any age in the lookback) or a near-identical picture among
    the merchant's PICTURE_COMPLAINTS latest other complaints: in a surge, comparing with every picture of the
    merchant made each file's check grow with the surge."""
    complaint = evidence.complaint
    others = _others(complaint)
    raised = False
    same = Evidence.objects.filter(complaint__in=others, sha256=evidence.sha256).values_list("complaint_id", flat=True)
    for other_id in same:
        raised |= _raise(complaint, Flag.Kind.SAME_EVIDENCE, Complaint(pk=other_id))
    if evidence.phash:
        latest = others.order_by("-submitted_at").values("pk")[:PICTURE_COMPLAINTS]
        pictures = (
            Evidence.objects.filter(complaint__in=latest)
            .exclude(phash="")
            .exclude(sha256=evidence.sha256)
            .values_list("phash", "complaint_id")
        )
        for phash, other_id in pictures:
            if is_near_duplicate_picture(evidence.phash, phash):
                distance = phash_distance(evidence.phash, phash)
                raised |= _raise(complaint, Flag.Kind.SIMILAR_PICTURE, Complaint(pk=other_id), distance)
    return raised


def _brigading_flags(complaint: Complaint) -> None:
    """Flag every complaint of a group from one account (or one address) against the merchant in the window, once
    the group is BRIGADING_COUNT strong: the members not flagged yet, in one query and one insert (behind a carrier's
    NAT a whole surge shares an address, and flagging it member by member grew with the surge)."""
    since = complaint.submitted_at - settings.BRIGADING_WINDOW
    recent = Complaint.objects.filter(merchant_id=complaint.merchant_id, submitted_at__gte=since)
    checks = [(Flag.Kind.BRIGADING_ACCOUNT, Q(complainant_key=complaint.complainant_key))]
    if complaint.client_ip_hash:
        checks.append((Flag.Kind.BRIGADING_ADDRESS, Q(client_ip_hash=complaint.client_ip_hash)))
    for kind, same_source in checks:
        group = recent.filter(same_source)
        size = group.count()
        if size < settings.BRIGADING_COUNT:
            continue
        flagged = Flag.objects.filter(complaint=OuterRef("pk"), kind=kind, other=None)
        unflagged = list(group.filter(~Exists(flagged)))
        Flag.objects.bulk_create(
            [Flag(complaint=member, kind=kind, other=None, score=size) for member in unflagged], ignore_conflicts=True
        )
        if kind in BRIGADING:
            for member in unflagged:
                complaint_priority_update(complaint=member)


def _transaction_flags(complaint: Complaint) -> None:
    """Another complaint against the merchant (its whole group: complaints follow merges) quoting the same order
    number, as the case's ledger compares them: one transaction claimed twice, whoever filed it. Any age and any
    status: a rejected complaint about the same order still tells the moderator something."""
    key = order_key(complaint.order_number)
    if not key:
        return
    quoted = (
        Complaint.objects.filter(merchant_id=complaint.merchant_id)
        .exclude(pk=complaint.pk)
        .exclude(order_number="")
        .values_list("pk", "order_number")
    )
    for other_pk, order_number in quoted:
        if order_key(order_number) == key:
            _raise(complaint, Flag.Kind.SAME_TRANSACTION, Complaint(pk=other_pk))


def flags_for_complaint(*, complaint_id: int) -> None:
    """After filing (a task): narratives, evidence hashes known at upload, order numbers, brigading."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return
    _brigading_flags(complaint)
    _transaction_flags(complaint)
    candidates = {
        other.pk: other.narrative
        for other in _others(complaint).only("pk", "narrative").order_by("-submitted_at")[:NARRATIVE_CANDIDATES]
    }
    similar = near_duplicate_narratives(complaint.narrative, candidates)
    _raise_pairs(complaint, Flag.Kind.SIMILAR_NARRATIVE, {other_pk: round(score, 1) for other_pk, score in similar})
    for evidence in complaint.evidence.all():
        _evidence_flags(evidence)
    # Here rather than in the filing's transaction: it updates the merchant's other open complaints, which
    # moderators may hold locked, and priority is advisory. It counts the flags just raised.
    complaint_filed_priority(complaint=complaint)


def flags_for_evidence(*, evidence: Evidence) -> None:
    """After an evidence file is processed (its perceptual hash is known)."""
    if evidence.complaint_id and _evidence_flags(evidence):
        complaint_priority_update(complaint=evidence.complaint)
