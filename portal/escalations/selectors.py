"""Reads about authorities and escalations."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum

from complaints.models import DailyRollup
from complaints.selectors import merchant_stats_many
from merchants.models import Merchant
from portal.escalations.models import Authority, Escalation

Status = Escalation.Status

# States in which each deadline still runs: acknowledging (or answering) stops the first, answering the second.
ACK_PENDING = frozenset({Status.PENDING, Status.DELIVERED})
RESPONSE_PENDING = frozenset({Status.PENDING, Status.DELIVERED, Status.ACKNOWLEDGED})


def ack_overdue_q(now: datetime) -> Q:
    return Q(status__in=sorted(ACK_PENDING), ack_due_at__lt=now)


def response_overdue_q(now: datetime) -> Q:
    return Q(status__in=sorted(RESPONSE_PENDING), response_due_at__lt=now)


def escalations_overdue(*, now: datetime):
    """Open escalations past a deadline the authority has not met (the moderators' overdue list), most overdue
    first. Uses the (status, ack_due_at) and (status, response_due_at) indexes."""
    return (
        Escalation.objects.filter(ack_overdue_q(now) | response_overdue_q(now))
        .select_related("merchant", "authority")
        .order_by("ack_due_at", "pk")
    )


def authority_for_user(*, user) -> Authority | None:
    """The authority a staff account works for, or None."""
    if not user.is_authenticated:
        return None
    return Authority.objects.filter(members__user_id=user.pk).first()


@dataclass(frozen=True)
class EscalationFacts:
    complaint_count: int
    claimed_loss: Decimal
    # One entry per complaint with a known province: routing counts them.
    complainant_regions: list[str]


def merchant_escalation_facts(*, merchant: Merchant) -> EscalationFacts:
    """A merchant's complaint count, claimed loss (CNY) and complainants' provinces, from the kept totals and
    daily rollups (never a scan of its complaints)."""
    stats = merchant_stats_many(merchant_ids=[merchant.pk]).get(merchant.pk)
    regions = (
        DailyRollup.objects.filter(merchant_id=merchant.pk)
        .exclude(region="")
        .values("region")
        .annotate(complaints=Sum("complaints"))
        .order_by("region")
    )
    return EscalationFacts(
        complaint_count=stats.complaints if stats else 0,
        claimed_loss=stats.loss if stats else Decimal("0.00"),
        complainant_regions=[row["region"] for row in regions for _ in range(row["complaints"])],
    )


def merchant_escalations(*, merchant: Merchant):
    """The merchant's escalations, open ones first, with their authorities (the moderators' merchant page)."""
    return (
        Escalation.objects.filter(merchant=merchant)
        .select_related("authority")
        .order_by(models.Case(models.When(status=Escalation.Status.CLOSED, then=1), default=0), "-opened_at")
    )


def escalations_open():
    """Every escalation not closed, for moderators, oldest first."""
    return (
        Escalation.objects.exclude(status=Escalation.Status.CLOSED)
        .select_related("merchant", "authority")
        .order_by("opened_at", "pk")
    )
