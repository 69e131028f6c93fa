"""What the dashboard, the public statistics and the stats API show, assembled from complaints.statistics with
labels, merchants and risk attached. Every function runs a fixed number of queries, however many rows it
returns."""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Category
from complaints.statistics import (
    StatsFilter,
    complaints_filtered,
    stats_breakdown,
    stats_merchants,
    stats_sparklines,
    stats_summary,
    stats_top_merchants,
)
from merchants.models import Platform
from merchants.regions import Region
from merchants.selectors import merchants_by_ids
from portal.dashboards.scope import Scope
from portal.escalations.selectors import escalation_counts, risk_level, risk_scores

NOT_GIVEN = _("Not given")
LABELS = {
    "category": dict(Category.choices),
    "platform": dict(Platform.Code.choices),
    "province": dict(Region.choices),
}
RISING_LIMIT = 10


def label(by: str, key: str) -> str:
    return str(LABELS[by].get(key, key)) if key else str(NOT_GIVEN)


def change(current, previous) -> float | None:
    """Relative change in percent, None when there is nothing to compare with."""
    if not previous:
        return None
    return round((float(current) - float(previous)) / float(previous) * 100, 1)


def dashboard_summary(f: StatsFilter, *, scope: Scope | None, series: list[dict] | None = None) -> dict:
    """Headline figures with the previous period and the change; escalations when `scope` is given (staff).
    `series`: the period's stats_timeseries, when the page has it already (its sums are the period's)."""
    totals = stats_summary(f, series=series)
    current, previous = totals["current"], totals["previous"]
    summary = {
        name: {"value": current[name], "previous": previous[name], "change": change(current[name], previous[name])}
        for name in ("complaints", "loss", "merchants")
    }
    if scope is not None:
        summary["escalations"] = escalation_counts(
            authority=scope.authority, merchant_ids=f.merchant_ids, now=timezone.now()
        )
    return summary


def labelled_breakdown(f: StatsFilter, *, by: str) -> list[dict]:
    return [{**row, "label": label(by, row["key"])} for row in stats_breakdown(f, by=by)]


@dataclass
class RisingMerchant:
    merchant: object
    complaints: int
    previous: int
    growth: int
    loss: Decimal
    risk_score: int | None
    sparkline: list[int] = field(default_factory=list)

    @property
    def risk_level(self) -> str:
        return risk_level(self.risk_score)


def rising_merchants(f: StatsFilter, *, interval: str, limit: int = RISING_LIMIT) -> list[RisingMerchant]:
    """Merchants whose complaints grew most against the previous period, each with its risk and its sparkline over
    the period; among those, equal growth puts the riskier first. At most seven queries, whatever `limit` is.

    The risk score is joined after the ranking query, not inside it: joining it before grouping made that query
    several times slower over a national period, so a tie at the cut-off goes to the busier merchant."""
    rows = stats_merchants(f, limit=limit)
    ids = [row["merchant_id"] for row in rows]
    merchants = merchants_by_ids(ids)
    scores = risk_scores(merchant_ids=ids)
    lines = stats_sparklines(f, merchant_ids=ids, interval=interval)
    rows.sort(key=lambda row: (-row["growth"], -scores.get(row["merchant_id"], -1), -row["complaints"]))
    return [
        RisingMerchant(
            merchant=merchants[row["merchant_id"]],
            complaints=row["complaints"],
            previous=row["previous"],
            growth=row["growth"],
            loss=row["loss"],
            risk_score=scores.get(row["merchant_id"]),
            sparkline=lines[row["merchant_id"]],
        )
        for row in rows
    ]


# What the drill-down list shows of a complaint: never who filed it, nor the unredacted account.
COMPLAINT_LIST_FIELDS = (
    "code",
    "submitted_at",
    "category",
    "platform",
    "region",
    "amount",
    "currency",
    "status",
    "narrative_redacted",
)


def dashboard_complaints(f: StatsFilter):
    """The complaints `f` counts, newest first, with only the columns the dashboard lists (paginate it)."""
    return complaints_filtered(f).only(*COMPLAINT_LIST_FIELDS)


def public_merchants(f: StatsFilter, *, min_complaints: int, limit: int) -> list[dict]:
    """Merchants the public statistics may name: at least `min_complaints` *verified* complaints under `f`, most
    first, as plain values (the page caches them). Two queries."""
    rows = stats_top_merchants(replace(f, verified=True), limit=limit, min_complaints=min_complaints)
    merchants = merchants_by_ids(row["merchant_id"] for row in rows)
    return [
        {
            "uuid": merchants[row["merchant_id"]].uuid,
            "name": merchants[row["merchant_id"]].name,
            "complaints": row["complaints"],
            "loss": row["loss"],
        }
        for row in rows
    ]
