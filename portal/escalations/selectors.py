"""Reads about authorities and escalations."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum

from complaints.models import DailyRollup
from complaints.selectors import merchant_stats_many
from merchants.models import Merchant
from portal.escalations.models import Authority, Escalation, MerchantRisk

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


# Risk levels, from the score the risk engine keeps: one rule that escalates on its own (a surge, a vanished
# merchant) makes a merchant high risk; a young company or a large volume alone makes it medium.
RISK_HIGH = 60
RISK_MEDIUM = 30
RISK_LEVELS = ("high", "medium", "low")
RISK_ID_LIST_MAX = 5000


def risk_level(score: int | None) -> str:
    if score is not None and score >= RISK_HIGH:
        return "high"
    return "medium" if score is not None and score >= RISK_MEDIUM else "low"


def risk_scores(*, merchant_ids) -> dict[int, int]:
    """The kept risk score of each of these merchants that has one."""
    return dict(MerchantRisk.objects.filter(merchant_id__in=list(merchant_ids)).values_list("merchant_id", "score"))


def risk_level_q(levels) -> Q:
    """Rollup cells or complaints of merchants at any of these risk levels; a merchant without a score is low.

    Written as a list of merchant ids (the few medium and high ones), not a join: the database then reads only
    those merchants' cells through the (merchant, day) index, where joining every cell to its merchant's risk made
    a high-risk view several times slower (bench/README.md)."""
    levels = set(levels)
    if levels >= set(RISK_LEVELS):
        return Q()
    wanted = levels - {"low"} if "low" not in levels else set(RISK_LEVELS) - levels
    scored = MerchantRisk.objects.filter(_score_q(wanted)).order_by("merchant_id").values_list("merchant_id", flat=True)
    ids = list(scored[: RISK_ID_LIST_MAX + 1])
    # Past a few thousand merchants a literal list costs more to plan than it saves: let the database join.
    merchants = scored if len(ids) > RISK_ID_LIST_MAX else ids
    return ~Q(merchant_id__in=merchants) if "low" in levels else Q(merchant_id__in=merchants)


def _score_q(levels) -> Q:
    q = Q(pk__in=[])
    if "high" in levels:
        q |= Q(score__gte=RISK_HIGH)
    if "medium" in levels:
        q |= Q(score__gte=RISK_MEDIUM, score__lt=RISK_HIGH)
    return q


def escalation_counts(*, authority: Authority | None, merchant_ids, now: datetime) -> dict:
    """Open and overdue escalations: those of one authority (None: all of them), of these merchants if given."""
    escalations = Escalation.objects.exclude(status=Status.CLOSED)
    if authority is not None:
        escalations = escalations.filter(authority=authority)
    if merchant_ids is not None:
        escalations = escalations.filter(merchant_id__in=merchant_ids)
    return escalations.aggregate(
        open=models.Count("pk"), overdue=models.Count("pk", filter=ack_overdue_q(now) | response_overdue_q(now))
    )


def merchant_group_escalations(*, merchant_ids) -> models.QuerySet[Escalation]:
    """Escalations of any merchant of a group, oldest first, with their authorities (the collective case's
    timeline). Escalations stay with the merchant they were opened about when it is later merged into another."""
    return (
        Escalation.objects.filter(merchant_id__in=list(merchant_ids))
        .select_related("authority")
        .order_by("opened_at", "pk")
    )
