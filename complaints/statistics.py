"""Reads for dashboards, exports and the stats API: aggregates over the daily rollups, never a scan of raw
complaints (DESIGN.md section 3, step 7). One StatsFilter says which cells count, so every figure, chart and
export of a page agrees; `complaints_filtered` applies the same filter to the complaint rows for lists.

Counts and losses come from DailyTotal (summed over merchants, so its size does not grow with them) unless the
filter names merchants or asks something of them; what needs merchants (how many, which are rising) reads
MerchantDay (each merchant's day) when nothing else is asked of the complaints, or else DailyRollup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from complaints.models import ACCEPTED_STATUSES, UNCOUNTED_STATUSES, Complaint, DailyRollup, DailyTotal
from complaints.models.rollups import MerchantDay

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INTERVALS = ("day", "week", "month")
# How many of a period's busiest merchants stats_merchants ranks before it considers ranking them all.
BUSIEST = 200
# Breakdown dimensions and the rollup column each reads.
DIMENSIONS = {"category": "category", "platform": "platform", "province": "region"}


@dataclass(frozen=True)
class StatsFilter:
    """Which complaints a figure counts. `end` is inclusive; None means no restriction on that dimension.
    `merchant_q` is a condition on "merchant_id" or the path "merchant__..." (rollup cells and complaints both
    have them), for conditions another app owns, such as a merchant's risk level."""

    start: date
    end: date
    regions: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    merchant_ids: tuple[int, ...] | None = None
    verified: bool = False
    merchant_q: Q | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> StatsFilter:
        """The same filter over the period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    @property
    def per_merchant(self) -> bool:
        """Whether only the per-merchant rollup can answer (the filter names merchants or asks about them)."""
        return self.merchant_ids is not None or self.merchant_q is not None

    @property
    def per_cell(self) -> bool:
        """Whether the filter asks what the complaints were about, where from, on which platform or whether they
        were verified: what a merchant's day (MerchantDay) does not say."""
        return self.verified or any(values is not None for values in (self.regions, self.platforms, self.categories))

    def conditions(self) -> Q:
        """What the filter asks of a rollup cell or a complaint beyond the dates (same field names in both)."""
        q = Q()
        for field, values in (
            ("region", self.regions),
            ("platform", self.platforms),
            ("category", self.categories),
            ("merchant_id", self.merchant_ids),
        ):
            if values is not None:
                q &= Q(**{f"{field}__in": values})
        if self.merchant_q is not None:
            q &= self.merchant_q
        return q


def money(value) -> Decimal:
    """Sums come back from SQLite with float noise in their digits; money is always 2 places."""
    return Decimal(value or 0).quantize(CENT)


def _cells(
    f: StatsFilter, *, per_merchant: bool = False, per_cell: bool = False, since: date | None = None
) -> QuerySet:
    """The rows holding `f`'s figures from `since` (default: its start) to its end, from the smallest table that
    has what `f` and the caller (`per_merchant`, `per_cell`: grouped by merchant, or by a cell's dimension) need."""
    if not (per_merchant or f.per_merchant):
        model = DailyTotal
    elif per_cell or f.per_cell:
        model = DailyRollup
    else:
        model = MerchantDay
    cells = model.objects.filter(f.conditions(), day__gte=since or f.start, day__lte=f.end)
    return cells.filter(verified=True) if f.verified else cells


def _totals(f: StatsFilter, *, sums: dict | None = None) -> dict:
    # COUNT(DISTINCT ...) sorts the merchant ids; PostgreSQL's hashing of a DISTINCT subquery took longer.
    merchants = Count("merchant_id", distinct=True)
    if sums is None:
        # The merchants are counted over rollup cells (DailyRollup, or MerchantDay when the filter asks nothing of
        # a cell) whose covering indexes hold the sums too: one scan for all three instead of a second one over
        # DailyTotal (3 to 7 ms less per period at a million complaints, bench/README.md).
        row = _cells(f, per_merchant=True).aggregate(n=Sum("complaints"), amount=Sum("loss"), merchants=merchants)
        return {"complaints": row["n"] or 0, "loss": money(row["amount"]), "merchants": row["merchants"]}
    return {**sums, "merchants": _cells(f, per_merchant=True).aggregate(n=merchants)["n"]}


def series_sums(series: list[dict]) -> dict:
    """The complaints and loss of a whole period, added up from its stats_timeseries."""
    return {
        "complaints": sum(row["complaints"] for row in series),
        "loss": sum((row["loss"] for row in series), ZERO),
    }


def stats_summary(f: StatsFilter, *, series: list[dict] | None = None) -> dict:
    """Complaints, claimed loss (CNY) and merchants complained about, for this period and the one before it.
    `series`, this period's stats_timeseries when the caller has it, spares a query for its sums.

    Each period is read on its own: both at once, with FILTER, took PostgreSQL longer than the two apart
    (bench/README.md)."""
    current = _totals(f, sums=series_sums(series) if series is not None else None)
    return {"current": current, "previous": _totals(f.previous())}


def stats_merchants(f: StatsFilter, *, limit: int) -> list[dict]:
    """Merchants complained about in the period, ranked by their growth against the previous period of the same
    length (a surge), then by complaints; the loss is the period's. At most four queries, whatever `limit` is.

    Ranking every merchant means grouping the cells of both periods by merchant, nearly a row per complaint, so
    the busiest merchants of the period are ranked first (_rising_among_busiest) and the full ranking runs only
    when another merchant could still belong in it. The loss is summed for the merchants kept alone: summing it
    for every merchant made the ranking a third slower (bench/README.md)."""
    rows = _rising_among_busiest(f, limit=limit)
    if rows is None:
        rows = _rising(f, limit=limit)
    losses = dict(
        _cells(_named(f, [row["merchant_id"] for row in rows]))
        .values("merchant_id")
        .annotate(amount=Sum("loss"))
        .values_list("merchant_id", "amount")
    )
    return [
        {
            "merchant_id": row["merchant_id"],
            "complaints": row["n"],
            "loss": money(losses.get(row["merchant_id"])),
            "previous": row["n_before"],
            "growth": row["n"] - row["n_before"],
        }
        for row in rows
    ]


def _ranked(rows) -> list[dict]:
    return sorted(rows, key=lambda row: (row["n_before"] - row["n"], -row["n"], row["merchant_id"]))


def _rising_among_busiest(f: StatsFilter, *, limit: int) -> list[dict] | None:
    """The ranking of stats_merchants found among the BUSIEST merchants of the period, or None when a merchant
    left out could still belong in it. A merchant's growth is at most its complaints in the period: when the
    `limit`-th growth among the busiest is above the complaints of every merchant left out, none of them ranks.
    That holds when the busiest are many more than the merchants ranked; a long list (an export's) is not tried."""
    if limit * 10 > BUSIEST:
        return None
    busiest = list(
        _cells(f, per_merchant=True)
        .values("merchant_id")
        .annotate(n=Sum("complaints"))
        .filter(n__gt=0)
        .order_by("-n", "merchant_id")[:BUSIEST]
    )
    before = dict(
        _cells(_named(f.previous(), [row["merchant_id"] for row in busiest]))
        .values("merchant_id")
        .annotate(n=Sum("complaints"))
        .values_list("merchant_id", "n")
    )
    rows = _ranked({**row, "n_before": before.get(row["merchant_id"], 0)} for row in busiest)[:limit]
    everyone = len(busiest) < BUSIEST
    if everyone or (len(rows) == limit and busiest[-1]["n"] < rows[-1]["n"] - rows[-1]["n_before"]):
        return rows
    return None


def _rising(f: StatsFilter, *, limit: int) -> list[dict]:
    """The ranking of stats_merchants over every merchant: one query over both periods' cells."""
    in_period = Q(day__gte=f.start)
    return list(
        _cells(f, per_merchant=True, since=f.previous().start)
        .values("merchant_id")
        .annotate(
            n=Coalesce(Sum("complaints", filter=in_period), Value(0)),
            n_before=Coalesce(Sum("complaints", filter=~in_period), Value(0)),
        )
        .filter(n__gt=0)
        .order_by(F("n_before") - F("n"), "-n", "merchant_id")[:limit]
    )


def _named(f: StatsFilter, merchant_ids) -> StatsFilter:
    """`f` for these merchants only, all of which meet `f`'s condition on merchants: it need not be asked again
    (given with the ids, a risk level's list of merchants made PostgreSQL scan the whole period)."""
    return replace(f, merchant_ids=tuple(merchant_ids), merchant_q=None)


def period_starts(start: date, end: date, interval: str) -> list[date]:
    """The first day of every day, ISO week (Monday) or month that meets [start, end]."""
    if interval == "day":
        first, step = start, None
    elif interval == "week":
        first, step = start - timedelta(days=start.weekday()), None
    else:
        first, step = start.replace(day=1), "month"
    periods = []
    current = first
    while current <= end:
        periods.append(current)
        if step == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if interval == "week" else 1)
    return periods


def _truncated(interval: str):
    return {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[interval]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def stats_timeseries(f: StatsFilter, *, interval: str = "day") -> list[dict]:
    """Complaints and loss per day, week or month of the period, with empty periods as zeros."""
    rows = (
        _cells(f)
        .annotate(period=_truncated(interval))
        .values("period")
        .annotate(n=Sum("complaints"), amount=Sum("loss"))
        .order_by()
    )
    found = {_as_date(row["period"]): row for row in rows}
    empty = {"n": 0, "amount": ZERO}
    return [
        {
            "period": period,
            "complaints": found.get(period, empty)["n"],
            "loss": money(found.get(period, empty)["amount"]),
        }
        for period in period_starts(f.start, f.end, interval)
    ]


def stats_breakdown(f: StatsFilter, *, by: str) -> list[dict]:
    """Complaints and loss per category, platform or province ("" when not given), largest first."""
    column = DIMENSIONS[by]
    cells = _cells(f, per_cell=True)
    rows = cells.values(column).annotate(n=Sum("complaints"), amount=Sum("loss")).order_by("-n", column)
    return [{"key": row[column], "complaints": row["n"], "loss": money(row["amount"])} for row in rows]


def stats_top_merchants(f: StatsFilter, *, limit: int, min_complaints: int = 1) -> list[dict]:
    """Merchants with the most complaints in the period, leaving out any with fewer than `min_complaints`."""
    rows = (
        _cells(f, per_merchant=True)
        .values("merchant_id")
        .annotate(n=Sum("complaints"), amount=Sum("loss"))
        .filter(n__gte=min_complaints)
        .order_by("-n", "merchant_id")[:limit]
    )
    return [{"merchant_id": row["merchant_id"], "complaints": row["n"], "loss": money(row["amount"])} for row in rows]


def stats_sparklines(f: StatsFilter, *, merchant_ids, interval: str = "day") -> dict[int, list[int]]:
    """Each merchant's complaints per period of `f` (whatever merchants `f` names): one query for all of them.
    The merchants must meet `f`'s condition on merchants, as those stats_merchants ranks do."""
    f = _named(f, merchant_ids)
    periods = period_starts(f.start, f.end, interval)
    lines = {merchant_id: dict.fromkeys(periods, 0) for merchant_id in merchant_ids}
    rows = (
        _cells(f, per_merchant=True)
        .annotate(period=_truncated(interval))
        .values("merchant_id", "period")
        .annotate(n=Sum("complaints"))
        .order_by()
    )
    for row in rows:
        lines[row["merchant_id"]][_as_date(row["period"])] = row["n"]
    return {merchant_id: list(line.values()) for merchant_id, line in lines.items()}


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def complaints_filtered(f: StatsFilter) -> QuerySet[Complaint]:
    """The complaints the rollup cells of `f` count, newest first: for lists and exports, never for figures."""
    complaints = Complaint.objects.filter(
        f.conditions(),
        submitted_at__gte=_local_midnight(f.start),
        submitted_at__lt=_local_midnight(f.end + timedelta(days=1)),
    ).exclude(status__in=UNCOUNTED_STATUSES)
    if f.verified:
        complaints = complaints.filter(status__in=ACCEPTED_STATUSES)
    return complaints.order_by("-submitted_at", "-pk")
