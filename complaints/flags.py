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
from django.db.models import Q

from complaints.duplicates import is_near_duplicate_picture, near_duplicate_narratives, phash_distance
from complaints.ledger import order_key
from complaints.models import Complaint, Evidence, Flag
from complaints.priority import complaint_filed_priority, complaint_priority_update

# How far back a new complaint is compared with the merchant's others.
LOOKBACK = timedelta(days=180)
NARRATIVE_CANDIDATES = 500


def _raise(complaint: Complaint, kind: str, other: Complaint | None = None, score: float | None = None) -> bool:
    """Record a flag once (both ways for a pair); True if it is new."""
    created = False
    for one, two in [(complaint, other), (other, complaint)] if other else [(complaint, None)]:
        _flag, new = Flag.objects.get_or_create(complaint=one, kind=kind, other=two, defaults={"score": score})
        created = created or new
    return created


def _others(complaint: Complaint):
    """The merchant's other recent complaints from other accounts."""
    return Complaint.objects.filter(
        merchant_id=complaint.merchant_id, submitted_at__gte=complaint.submitted_at - LOOKBACK
    ).exclude(complainant_key=complaint.complainant_key)


def _evidence_flags(evidence: Evidence) -> bool:
    complaint = evidence.complaint
    others = Evidence.objects.filter(complaint__in=_others(complaint)).select_related("complaint")
    raised = False
    for other in others.filter(sha256=evidence.sha256):
        raised |= _raise(complaint, Flag.Kind.SAME_EVIDENCE, other.complaint)
    if evidence.phash:
        for other in others.exclude(phash="").exclude(sha256=evidence.sha256).only("phash", "complaint"):
            if is_near_duplicate_picture(evidence.phash, other.phash):
                distance = phash_distance(evidence.phash, other.phash)
                raised |= _raise(complaint, Flag.Kind.SIMILAR_PICTURE, other.complaint, distance)
    return raised


def _brigading_flags(complaint: Complaint) -> bool:
    since = complaint.submitted_at - settings.BRIGADING_WINDOW
    recent = Complaint.objects.filter(merchant_id=complaint.merchant_id, submitted_at__gte=since)
    raised = False
    checks = [(Flag.Kind.BRIGADING_ACCOUNT, Q(complainant_key=complaint.complainant_key))]
    if complaint.client_ip_hash:
        checks.append((Flag.Kind.BRIGADING_ADDRESS, Q(client_ip_hash=complaint.client_ip_hash)))
    for kind, same_source in checks:
        group = list(recent.filter(same_source))
        if len(group) >= settings.BRIGADING_COUNT:
            for member in group:
                _flag, created = Flag.objects.get_or_create(
                    complaint=member, kind=kind, other=None, defaults={"score": len(group)}
                )
                if created:
                    raised = True
                    complaint_priority_update(complaint=member)
    return raised


def _transaction_flags(complaint: Complaint) -> bool:
    """Another complaint against the merchant (its whole group: complaints follow merges) quoting the same order
    number, as the case's ledger compares them: one transaction claimed twice, whoever filed it. Any age and any
    status: a rejected complaint about the same order still tells the moderator something."""
    key = order_key(complaint.order_number)
    if not key:
        return False
    quoted = (
        Complaint.objects.filter(merchant_id=complaint.merchant_id)
        .exclude(pk=complaint.pk)
        .exclude(order_number="")
        .values_list("pk", "order_number")
    )
    raised = False
    for other_pk, order_number in quoted:
        if order_key(order_number) == key:
            raised |= _raise(complaint, Flag.Kind.SAME_TRANSACTION, Complaint(pk=other_pk))
    return raised


def flags_for_complaint(*, complaint_id: int) -> None:
    """After filing (a task): narratives, evidence hashes known at upload, order numbers, brigading."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return
    raised = _brigading_flags(complaint)
    raised |= _transaction_flags(complaint)
    candidates = {
        other.pk: other.narrative
        for other in _others(complaint).only("pk", "narrative").order_by("-submitted_at")[:NARRATIVE_CANDIDATES]
    }
    for other_pk, score in near_duplicate_narratives(complaint.narrative, candidates):
        raised |= _raise(complaint, Flag.Kind.SIMILAR_NARRATIVE, Complaint(pk=other_pk), round(score, 1))
    for evidence in complaint.evidence.all():
        raised |= _evidence_flags(evidence)
    if raised:
        complaint_priority_update(complaint=complaint)
    # Here rather than in the filing's transaction: it updates the merchant's other open complaints, which
    # moderators may hold locked, and priority is advisory.
    complaint_filed_priority(complaint=complaint)


def flags_for_evidence(*, evidence: Evidence) -> None:
    """After an evidence file is processed (its perceptual hash is known)."""
    if evidence.complaint_id and _evidence_flags(evidence):
        complaint_priority_update(complaint=evidence.complaint)
