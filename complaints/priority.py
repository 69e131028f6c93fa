"""Where a complaint stands in the moderators' queue: the worst cases first.

Points for the claimed loss (logarithmic: 100 yuan and 7 million yuan both matter, not equally), for a surge
of complaints against the same merchant in the last 24 hours (a run-away in progress), for the time it has
waited, and for a vulnerable victim; brigading flags take points away, since such complaints are never
fast-tracked.
"""

import math
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from complaints.models import Complaint, Flag

LOSS_POINTS = 8  # per power of ten yuan: 7,000 yuan is about 31 points
LOSS_MAX = 50
SURGE_POINTS = 3  # per complaint against the merchant in the last 24 hours
SURGE_MAX = 30
AGE_HOURS_PER_POINT = 6
AGE_MAX = 20
VULNERABLE_POINTS = 15
BRIGADING_PENALTY = 25
SURGE_WINDOW = timedelta(hours=24)
# Complaints in the window from which the surge points stay at SURGE_MAX.
SURGE_FULL = SURGE_MAX // SURGE_POINTS + 1
# Only an account's brigading costs points: behind carrier NAT or a proxy many genuine victims share an address,
# so the address flag informs the moderator without demoting a run-away's victims.
BRIGADING = (Flag.Kind.BRIGADING_ACCOUNT,)
OPEN = (Complaint.Status.SUBMITTED, Complaint.Status.IN_REVIEW, Complaint.Status.NEEDS_INFO)


def priority_score(
    *,
    amount: Decimal | None,
    vulnerable: bool,
    submitted_at: datetime,
    merchant_recent: int,
    brigading: bool,
    now: datetime,
) -> int:
    loss = min(LOSS_MAX, LOSS_POINTS * math.log10(1 + float(amount or 0)))
    surge = min(SURGE_MAX, SURGE_POINTS * max(merchant_recent - 1, 0))
    age = min(AGE_MAX, max((now - submitted_at).total_seconds(), 0) / 3600 / AGE_HOURS_PER_POINT)
    score = loss + surge + age + (VULNERABLE_POINTS if vulnerable else 0) - (BRIGADING_PENALTY if brigading else 0)
    return round(score)


def _recent_counts(merchant_ids, now: datetime) -> dict[int, int]:
    rows = (
        Complaint.objects.filter(merchant_id__in=set(merchant_ids), submitted_at__gte=now - SURGE_WINDOW)
        .values("merchant_id")
        .annotate(n=Count("pk"))
    )
    return {row["merchant_id"]: row["n"] for row in rows}


def _score(complaint: Complaint, recent: dict[int, int], brigaded: set[int], now: datetime) -> int:
    return priority_score(
        amount=complaint.amount if complaint.currency == "CNY" else None,
        vulnerable=complaint.vulnerable,
        submitted_at=complaint.submitted_at,
        merchant_recent=recent.get(complaint.merchant_id, 0),
        brigading=complaint.pk in brigaded,
        now=now,
    )


FIELDS = ("pk", "amount", "currency", "vulnerable", "submitted_at", "merchant_id", "priority")


def _refresh(queryset) -> int:
    """Recompute the priorities of these complaints with two queries, and save those that changed."""
    now = timezone.now()
    complaints = list(queryset.only(*FIELDS))
    recent = _recent_counts([c.merchant_id for c in complaints], now)
    brigaded = set(
        Flag.objects.filter(kind__in=BRIGADING, complaint__in=queryset.values("pk")).values_list(
            "complaint_id", flat=True
        )
    )
    changed = []
    for complaint in complaints:
        score = _score(complaint, recent, brigaded, now)
        if score != complaint.priority:
            complaint.priority = score
            changed.append(complaint)
    # In primary-key order, so two refreshes of overlapping complaints lock rows in the same order.
    Complaint.objects.bulk_update(sorted(changed, key=lambda c: c.pk), ["priority"], batch_size=500)
    return len(changed)


def filing_priority(*, amount: Decimal | None, currency: str, vulnerable: bool, submitted_at: datetime) -> int:
    """A new complaint's priority, without a query: no flag can be raised on it yet, and its surge points are added
    by complaint_filed_priority, in the flags task after the filing commits."""
    return priority_score(
        amount=amount if currency == "CNY" else None,
        vulnerable=vulnerable,
        submitted_at=submitted_at,
        merchant_recent=0,
        brigading=False,
        now=timezone.now(),
    )


def _recent_count(merchant_id: int, now: datetime, **before) -> int:
    """The merchant's complaints in the surge window, counted up to SURGE_FULL only: in a surge a full count
    would read every complaint of the day for each filing."""
    rows = Complaint.objects.filter(merchant_id=merchant_id, submitted_at__gte=now - SURGE_WINDOW, **before)
    return rows.order_by()[:SURGE_FULL].count()


def complaint_priority_update(*, complaint: Complaint) -> None:
    """After filing or a new flag; the instance given gets the new value too."""
    now = timezone.now()
    brigaded = set(Flag.objects.filter(complaint=complaint, kind__in=BRIGADING).values_list("complaint_id", flat=True))
    recent = {complaint.merchant_id: _recent_count(complaint.merchant_id, now)}
    complaint.priority = _score(complaint, recent, brigaded, now)
    Complaint.objects.filter(pk=complaint.pk).update(priority=complaint.priority)


def merchant_surge_refresh(*, merchant_id: int) -> None:
    """A new complaint raises the surge points of the merchant's other open complaints."""
    _refresh(Complaint.objects.filter(merchant_id=merchant_id, status__in=OPEN))


def complaint_filed_priority(*, complaint: Complaint) -> None:
    """After filing (the flags task): the complaint's surge points, and the other open complaints' of its merchant
    as long as the surge still raises them.

    Once SURGE_FULL complaints against the merchant came before this one in the window, the refresh done for the
    last of those (each does one, after its own commit) already gave every open complaint the capped surge points:
    the rest of a surge costs a bounded count per filing instead of a pass over all the merchant's open
    complaints each (quadratic in the surge). The hourly priorities_refresh follows the clock."""
    before = _recent_count(complaint.merchant_id, timezone.now(), submitted_at__lt=complaint.submitted_at)
    if before < SURGE_FULL:
        merchant_surge_refresh(merchant_id=complaint.merchant_id)
    else:
        complaint_priority_update(complaint=complaint)


def priorities_refresh() -> int:
    """Every open complaint (hourly: waiting time and surges change with the clock)."""
    return _refresh(Complaint.objects.filter(status__in=OPEN))
