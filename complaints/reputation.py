"""How a merchant answers its complaints, and its complaints month by month: what its public profile and the
"check before you pay" results show next to the counts.

Reply figures count only complaints that stand (accepted by a moderator, whatever happened after): a complaint
still in review, rejected or withdrawn is nothing a merchant was asked to answer. Every function here reads a
fixed number of queries, whatever the number of merchants or complaints asked about.
"""

import uuid as uuid_module
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from complaints.models import (
    ACCEPTED_STATUSES,
    Category,
    Complaint,
    DailyRollup,
    MerchantReply,
    ResolutionProposal,
)

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class ReplyRecord:
    """A merchant's answers to its standing complaints.

    `answerable` leaves out complaints whose reply is not due yet and not given: a merchant accepted against
    yesterday has had no chance to answer, and counting it unanswered would make a fair merchant look silent.
    """

    answerable: int
    replied: int
    on_time: int  # first reply no later than it was due (CFPB's "timely response")
    overdue: int  # accepted, due date passed, no reply yet

    @property
    def response_rate(self) -> float | None:
        """The share of answerable complaints the merchant replied to; None when none was answerable."""
        return round(self.replied / self.answerable, 2) if self.answerable else None

    @property
    def timely_share(self) -> float | None:
        """The share of answerable complaints answered within the reply period."""
        return round(self.on_time / self.answerable, 2) if self.answerable else None


NO_RECORD = ReplyRecord(answerable=0, replied=0, on_time=0, overdue=0)


def _reply_counts(now: datetime) -> dict:
    not_yet_due = Q(first_reply_at__isnull=True, reply_due_at__gte=now)
    # Rows are counted by merchant_id (never null), not by id: complaint_reply_record_idx holds every column read
    # but the id, so the count is an index-only scan. Django refuses COUNT(*) with a filter.
    return {
        "answerable": Count("merchant", filter=~not_yet_due),
        "replied": Count("merchant", filter=Q(first_reply_at__isnull=False)),
        "on_time": Count("merchant", filter=Q(first_reply_at__isnull=False, first_reply_at__lte=F("reply_due_at"))),
        "overdue": Count(
            "merchant",
            filter=Q(status=Complaint.Status.ACCEPTED, first_reply_at__isnull=True, reply_due_at__lt=now),
        ),
    }


def merchant_reply_records(*, merchant_ids, now: datetime | None = None) -> dict[int, ReplyRecord]:
    """Reply records of several merchants in one query; a merchant without standing complaints is absent (use
    NO_RECORD).

    On PostgreSQL the query reads complaint_reply_record_idx alone (migration complaints 0010): the busiest
    merchant's 5,600 complaints are 30 index pages there, against a table page each (bench/RESULTS.md, Reads)."""
    rows = (
        Complaint.objects.filter(merchant_id__in=list(merchant_ids), status__in=sorted(ACCEPTED_STATUSES))
        .values("merchant_id")
        .annotate(**_reply_counts(now or timezone.now()))
        .order_by("merchant_id")
    )
    return {
        row["merchant_id"]: ReplyRecord(
            answerable=row["answerable"], replied=row["replied"], on_time=row["on_time"], overdue=row["overdue"]
        )
        for row in rows
    }


def merchant_reply_record(*, merchant_id: int, now: datetime | None = None) -> ReplyRecord:
    return merchant_reply_records(merchant_ids=[merchant_id], now=now).get(merchant_id, NO_RECORD)


# Complaints over time ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: date  # its first day
    complaints: int
    counts: list[int]  # one per MonthlyCounts.categories, in that order

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class MonthlyCounts:
    """Complaints filed per month, in total and by category. Rejected and withdrawn complaints are not in it."""

    categories: list[tuple[str, str]]  # (code, label) of those that occur, most frequent first
    rows: list[MonthRow]  # oldest month first, every month present


def _months_back(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def merchant_monthly(*, merchant_id: int, months: int = MONTHS_SHOWN, today: date | None = None) -> MonthlyCounts:
    """The last `months` calendar months (this one included) from the daily rollups, in one query on the
    (merchant, day) index: never a scan of the merchant's complaints."""
    calendar = _months_back(today or timezone.localdate(), months)
    cells = (
        DailyRollup.objects.filter(merchant_id=merchant_id, day__gte=calendar[0])
        .annotate(month=TruncMonth("day"))
        .values("month", "category")
        .annotate(n=Sum("complaints"))
        .order_by()
    )
    by_month: dict[date, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for cell in cells:
        month = cell["month"].date() if isinstance(cell["month"], datetime) else cell["month"]
        by_month[month][cell["category"]] = cell["n"]
        totals[cell["category"]] += cell["n"]
    labels = dict(Category.choices)
    codes = sorted((code for code, n in totals.items() if n), key=lambda code: (-totals[code], code))
    return MonthlyCounts(
        categories=[(code, labels.get(code, code)) for code in codes],
        rows=[
            MonthRow(
                month=month,
                complaints=sum(by_month[month].values()),
                counts=[by_month[month].get(code, 0) for code in codes],
            )
            for month in calendar
        ],
    )


# Replies beside published complaints ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicReply:
    body: str  # as published (redacted)
    created_at: datetime


@dataclass(frozen=True)
class PublicOutcome:
    """The accepted proposal a complaint was closed with."""

    kind: str
    kind_display: str
    amount: Decimal | None  # a refund's
    message: str  # as published (redacted)
    decided_at: datetime | None


@dataclass(frozen=True)
class PublicResponse:
    replies: list[PublicReply]
    outcome: PublicOutcome | None


NO_RESPONSE = PublicResponse(replies=[], outcome=None)


def public_responses(*, complaint_uuids) -> dict[uuid_module.UUID, PublicResponse]:
    """The merchant's published replies to each of these complaints, oldest first, and for one closed by a proposal
    the complainant accepted, the newest such proposal: two queries for a whole page of complaints (WHERE
    complaint_id IN ...). Callers pass the uuids of complaints they show in public; only redacted text is read."""
    uuids = list(complaint_uuids)
    if not uuids:
        return {}
    replies: dict[uuid_module.UUID, list[PublicReply]] = defaultdict(list)
    for complaint, body, created_at in MerchantReply.objects.filter(complaint__uuid__in=uuids).values_list(
        "complaint__uuid", "body_redacted", "created_at"
    ):
        replies[complaint].append(PublicReply(body=body, created_at=created_at))
    outcomes: dict[uuid_module.UUID, PublicOutcome] = {}
    accepted = (
        ResolutionProposal.objects.filter(
            complaint__uuid__in=uuids,
            complaint__status__in=sorted(ResolutionProposal.CLOSURE.values()),
            status=ResolutionProposal.Status.ACCEPTED,
        )
        .order_by("created_at", "id")
        .values_list("complaint__uuid", "kind", "amount", "message_redacted", "decided_at")
    )
    for complaint, kind, amount, message, decided_at in accepted:
        # Ordered oldest first, so the newest accepted proposal is the one kept.
        outcomes[complaint] = PublicOutcome(
            kind=kind,
            kind_display=ResolutionProposal.Kind(kind).label,
            amount=amount,
            message=message,
            decided_at=decided_at,
        )
    return {
        uuid: PublicResponse(replies=replies.get(uuid, []), outcome=outcomes.get(uuid))
        for uuid in uuids
        if uuid in replies or uuid in outcomes
    }
