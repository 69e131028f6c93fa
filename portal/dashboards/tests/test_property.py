"""Issue 6's proof: the numbers of complaints.statistics, of the stats API and of the dashboard page equal a direct
count over the complaints themselves, for random filter combinations over a few thousand generated complaints.

The complaints are written straight into the table (filing 3,000 through complaint_submit would take minutes), the
per-merchant rollups built from them with rollup_rebuild and the daily totals from the test's own count (filing keeps
them; nothing rebuilds them), once for the module, inside a transaction rolled back at its end.
The direct count is plain Python over the same rows: local days in Beijing time, rejected and withdrawn left out,
verified meaning accepted or later, loss in yuan only, risk levels from the scores (none at all is low).
"""

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Category, Complaint, DailyTotal
from complaints.rollups import rollup_rebuild
from complaints.statistics import (
    StatsFilter,
    complaints_filtered,
    stats_breakdown,
    stats_merchants,
    stats_sparklines,
    stats_summary,
    stats_timeseries,
    stats_top_merchants,
)
from merchants.models import Merchant, Platform
from portal.accounts.tests.factories import UserFactory
from portal.dashboards.tests.conftest import PROVINCE
from portal.escalations.models import MerchantRisk
from portal.escalations.selectors import risk_level_q

pytestmark = pytest.mark.django_db

SEED = 20240601
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2024, 1, 1)
# A leap day, a year end and a little over a year: long periods are drawn by the month.
DAYS = 400
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
COMPLAINTS = 3000
MERCHANTS = 30
# Merchants merged into the first two: a filter naming one of them means the merchant it was merged into.
MERGED = 2
NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"

PROVINCES = ["440000", "110000", "500000", "330000", "310000", "510000"]
REGIONS = [*PROVINCES, ""]  # "" is a complaint that did not say
PLATFORMS = ["wechat_mini_program", "taobao_tmall", "douyin", "pinduoduo", "jd"]
PLATFORMS_ON_COMPLAINTS = [*PLATFORMS, ""]
CATEGORIES = list(Category.values)
Status = Complaint.Status
STATUS_WEIGHTS = {
    Status.SUBMITTED: 20, Status.IN_REVIEW: 6, Status.NEEDS_INFO: 4, Status.ACCEPTED: 25, Status.REJECTED: 12,
    Status.WITHDRAWN: 8, Status.CLOSED_MONETARY_RELIEF: 8, Status.CLOSED_NON_MONETARY_RELIEF: 5,
    Status.CLOSED_EXPLANATION: 7, Status.UNRESOLVED: 5,
}  # fmt: skip
# Written out again here, not imported: the test states what counts and what is verified.
UNCOUNTED = {Status.REJECTED, Status.WITHDRAWN}
VERIFIED = {
    Status.ACCEPTED, Status.CLOSED_MONETARY_RELIEF, Status.CLOSED_NON_MONETARY_RELIEF, Status.CLOSED_EXPLANATION,
    Status.UNRESOLVED,
}  # fmt: skip
CURRENCIES = ["CNY"] * 8 + ["USD", "HKD"]
# Scores on both sides of each level's bound (high from 60, medium from 30); a third of the merchants have none.
SCORES = [0, 15, 29, 30, 31, 45, 59, 60, 61, 80, 100, 29, 60, 30, 95, 5, 50, 70, 40, 10]
LEVELS = ("high", "medium", "low")
INTERVALS = ("day", "week", "month")
BREAKDOWNS = {"category": "category", "platform": "platform", "province": "region"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Row:
    pk: int
    day: date  # in Beijing time
    merchant_id: int
    category: str
    region: str
    platform: str
    status: str
    cny: Decimal  # what it adds to the loss: its amount in yuan, 0 for another currency or none


class World:
    """The generated complaints as rows, the merchants (the active ones, then the merged ones), for each of them
    the id its complaints count under, and the risk scores."""

    def __init__(self, *, rows: list[Row], merchants: list[Merchant], scores: dict[int, int]):
        self.rows = rows
        self.merchants = merchants
        self.roots = [m.merged_into_id or m.pk for m in merchants]
        self.scores = scores
        self.by_id = {m.pk: m for m in merchants}

    def __repr__(self):
        # Hypothesis prints the arguments of a failing example: the counts are enough.
        return f"World({len(self.rows)} complaints, {len(self.merchants)} merchants)"


def _submitted_at(rng: random.Random) -> datetime:
    midnight = datetime.combine(FIRST_DAY + timedelta(days=rng.randrange(DAYS)), time.min, tzinfo=SHANGHAI)
    if rng.random() < 0.25:
        # Minutes either side of midnight in Beijing: where counting by the UTC date, or by the wrong side of
        # midnight, gives another day.
        return (midnight + timedelta(minutes=rng.randint(-15, 15))).astimezone(UTC)
    return (midnight + timedelta(seconds=rng.randrange(86400))).astimezone(UTC)


def _amount(rng: random.Random) -> Decimal | None:
    if rng.random() < 0.1:
        return None
    return Decimal(rng.randint(0, 2_000_000)) / 100


def build() -> World:
    rng = random.Random(SEED)
    platforms = [Platform.objects.get_or_create(code=code)[0] for code in PLATFORMS]
    active = Merchant.objects.bulk_create(
        Merchant(name=f"测试商户 {i}", platform=rng.choice(platforms)) for i in range(MERCHANTS)
    )
    merged = Merchant.objects.bulk_create(
        Merchant(name=f"已合并商户 {i}", status=Merchant.Status.MERGED, merged_into=active[i]) for i in range(MERGED)
    )
    MerchantRisk.objects.bulk_create(
        MerchantRisk(merchant=merchant, score=score) for merchant, score in zip(active, SCORES, strict=False)
    )
    complainants = [UserFactory() for _ in range(20)]
    # A few merchants draw most complaints, as in life: the i-th in proportion to 1 / (i + 2).
    weights = [1 / (i + 2) for i in range(MERCHANTS)]
    complaints = []
    for i in range(COMPLAINTS):
        index = rng.choices(range(MERCHANTS), weights)[0]
        merchant = active[index]
        # Some of the first merchants' complaints were identified as the merchant later merged into it.
        linked = merged[index] if index < MERGED and rng.random() < 0.4 else merchant
        who = rng.choice(complainants)
        amount = _amount(rng)
        complaints.append(
            Complaint(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                code=f"P{i:07d}",
                complainant=who,
                complainant_key=f"u{who.pk}",
                merchant=merchant,
                linked_merchant=linked,
                status=rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0],
                category=rng.choice(CATEGORIES),
                narrative=NARRATIVE,
                narrative_redacted=NARRATIVE,
                region=rng.choice(REGIONS),
                platform=rng.choice(PLATFORMS_ON_COMPLAINTS),
                amount=amount,
                currency=rng.choice(CURRENCIES),
                submitted_at=_submitted_at(rng),
            )
        )
    Complaint.objects.bulk_create(complaints, batch_size=500)
    merchants = active + merged
    rollup_rebuild(merchant_ids=[m.pk for m in merchants])
    rows = [
        Row(
            pk=c.pk,
            day=c.submitted_at.astimezone(SHANGHAI).date(),
            merchant_id=c.merchant_id,
            category=c.category,
            region=c.region,
            platform=c.platform,
            status=c.status,
            cny=c.amount if c.amount is not None and c.currency == "CNY" else Decimal("0.00"),
        )
        for c in Complaint.objects.all()
    ]
    day_totals = defaultdict(lambda: [0, Decimal("0.00")])
    for row in rows:
        if row.status not in UNCOUNTED:
            cell = day_totals[(row.day, row.category, row.region, row.platform, row.status in VERIFIED)]
            cell[0] += 1
            cell[1] += row.cny
    DailyTotal.objects.bulk_create(
        DailyTotal(day=day, category=category, region=region, platform=platform, verified=verified, complaints=n,
                   loss=loss)
        for (day, category, region, platform, verified), (n, loss) in day_totals.items()
    )  # fmt: skip
    scores = {risk.merchant_id: risk.score for risk in MerchantRisk.objects.filter(merchant__in=merchants)}
    return World(rows=rows, merchants=merchants, scores=scores)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The generated complaints, shared by the module's tests and rolled back after them (each test runs in a
    savepoint inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build()
        yield built
        transaction.set_rollback(True)


# The direct count -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A filter in the test's own terms."""

    start: date
    end: date
    regions: tuple | None = None
    platforms: tuple | None = None
    categories: tuple | None = None
    merchant_ids: tuple | None = None
    levels: tuple | None = None
    verified: bool = False

    def previous(self) -> "Spec":
        days = (self.end - self.start).days + 1
        return Spec(**{**self.__dict__, "start": self.start - timedelta(days=days), "end": self.start - timedelta(1)})

    def stats_filter(self) -> StatsFilter:
        return StatsFilter(
            start=self.start,
            end=self.end,
            regions=self.regions,
            platforms=self.platforms,
            categories=self.categories,
            merchant_ids=self.merchant_ids,
            verified=self.verified,
            merchant_q=risk_level_q(self.levels) if self.levels is not None else None,
        )


def level(score: int | None) -> str:
    if score is None:
        return "low"
    return "high" if score >= 60 else "medium" if score >= 30 else "low"


def counted(world: World, spec: Spec) -> list[Row]:
    return [
        row
        for row in world.rows
        if spec.start <= row.day <= spec.end
        and row.status not in UNCOUNTED
        and (not spec.verified or row.status in VERIFIED)
        and (spec.regions is None or row.region in spec.regions)
        and (spec.platforms is None or row.platform in spec.platforms)
        and (spec.categories is None or row.category in spec.categories)
        and (spec.merchant_ids is None or row.merchant_id in spec.merchant_ids)
        and (spec.levels is None or level(world.scores.get(row.merchant_id)) in spec.levels)
    ]


def totals(rows: list[Row]) -> dict:
    return {
        "complaints": len(rows),
        "loss": sum((row.cny for row in rows), Decimal("0.00")).quantize(CENT),
        "merchants": len({row.merchant_id for row in rows}),
    }


def period_of(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if interval == "month" else day


def periods(spec: Spec, interval: str) -> list[date]:
    days = (spec.end - spec.start).days + 1
    return sorted({period_of(spec.start + timedelta(days=i), interval) for i in range(days)})


def series(rows: list[Row], spec: Spec, interval: str) -> list[dict]:
    n, loss = Counter(), defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        n[period_of(row.day, interval)] += 1
        loss[period_of(row.day, interval)] += row.cny
    return [{"period": p, "complaints": n[p], "loss": loss[p].quantize(CENT)} for p in periods(spec, interval)]


def breakdown(rows: list[Row], by: str) -> dict[str, dict]:
    groups = defaultdict(list)
    for row in rows:
        groups[getattr(row, BREAKDOWNS[by])].append(row)
    return {key: {"complaints": len(group), "loss": totals(group)["loss"]} for key, group in groups.items()}


def rising(world: World, spec: Spec) -> list[dict]:
    """Merchants complained about in the period by growth against the previous period, then complaints, then id."""
    now = Counter(row.merchant_id for row in counted(world, spec))
    before = Counter(row.merchant_id for row in counted(world, spec.previous()))
    loss = defaultdict(lambda: Decimal("0.00"))
    for row in counted(world, spec):
        loss[row.merchant_id] += row.cny
    return [
        {
            "merchant_id": merchant_id,
            "complaints": now[merchant_id],
            "loss": loss[merchant_id].quantize(CENT),
            "previous": before[merchant_id],
            "growth": now[merchant_id] - before[merchant_id],
        }
        for merchant_id in sorted(now, key=lambda m: (before[m] - now[m], -now[m], m))
    ]


def dashboard_rising(world: World, spec: Spec, limit: int = 10) -> list[dict]:
    """What the dashboard lists: the first `limit` of the ranking, the riskier first among equal growth (a score
    before none)."""

    def order(row):
        score = world.scores.get(row["merchant_id"])
        return (-row["growth"], score is None, -(score or 0), -row["complaints"], row["merchant_id"])

    return sorted(rising(world, spec)[:limit], key=order)


def sparkline(rows: list[Row], spec: Spec, interval: str, merchant_id: int) -> list[int]:
    return [point["complaints"] for point in series([r for r in rows if r.merchant_id == merchant_id], spec, interval)]


# Generated filters ----------------------------------------------------------------------------------


@st.composite
def some(draw, values, *, empty: bool = False):
    """Usually no restriction; otherwise some of `values` (or, for the statistics, sometimes none at all). Each
    dimension restricts rarely enough that most combinations still count something."""
    roll = draw(st.integers(0, 9))
    if roll < 6:
        return None
    if roll == 6 and empty:
        return ()
    return tuple(draw(st.lists(st.sampled_from(values), min_size=1, max_size=len(values) // 2 + 1, unique=True)))


@st.composite
def filters(draw, *, provinces=REGIONS, empty=True):
    # Drawn so that the simplest filter (where Hypothesis starts and shrinks to) covers all the data.
    start = FIRST_DAY + timedelta(days=draw(st.integers(-40, DAYS + 5)))
    days = 450 - draw(st.one_of(st.integers(0, 404), st.integers(405, 449)))
    merchants = st.lists(st.integers(0, MERCHANTS + MERGED - 1), min_size=1, max_size=2)
    return {
        "start": start,
        "end": start + timedelta(days=days - 1),
        "regions": draw(some(provinces, empty=empty)),
        "platforms": draw(some(PLATFORMS_ON_COMPLAINTS if empty else PLATFORMS, empty=empty)),
        "categories": draw(some(CATEGORIES)),
        "merchants": draw(st.integers(0, 3).flatmap(lambda roll: merchants if roll == 0 else st.none())),
        "levels": draw(some(LEVELS)),
        "verified": draw(st.booleans()),
        "interval": draw(st.sampled_from(INTERVALS)),
    }


def spec_of(world: World, drawn: dict) -> Spec:
    merchants = drawn["merchants"]
    return Spec(
        start=drawn["start"],
        end=drawn["end"],
        regions=drawn["regions"],
        platforms=drawn["platforms"],
        categories=drawn["categories"],
        merchant_ids=tuple(sorted({world.roots[i] for i in merchants})) if merchants is not None else None,
        levels=drawn["levels"],
        verified=drawn["verified"],
    )


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
REQUESTS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# complaints.statistics ------------------------------------------------------------------------------


def test_the_generated_complaints_are_all_kinds(world):
    statuses = Counter(row.status for row in world.rows)
    assert len(world.rows) == COMPLAINTS
    assert statuses[Status.REJECTED] and statuses[Status.WITHDRAWN] and statuses[Status.ACCEPTED]
    assert {row.region for row in world.rows} == set(REGIONS)
    assert {row.day for row in world.rows} >= {date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1)}
    assert {level(world.scores.get(m.pk)) for m in world.merchants} == set(LEVELS)
    everything = Spec(start=FIRST_DAY, end=LAST_DAY)
    assert stats_summary(everything.stats_filter())["current"] == totals(counted(world, everything))
    assert 0 < totals(counted(world, everything))["complaints"] < COMPLAINTS


@PROPERTY
@given(drawn=filters())
def test_statistics_equal_a_direct_count(world, drawn):
    spec = spec_of(world, drawn)
    f = spec.stats_filter()
    rows = counted(world, spec)

    summary = stats_summary(f)
    assert summary["current"] == totals(rows)
    assert summary["previous"] == totals(counted(world, spec.previous()))

    interval = drawn["interval"]
    assert stats_timeseries(f, interval=interval) == series(rows, spec, interval)

    for by in BREAKDOWNS:
        got = stats_breakdown(f, by=by)
        assert {row["key"]: {k: row[k] for k in ("complaints", "loss")} for row in got} == breakdown(rows, by)
        assert [row["complaints"] for row in got] == sorted((row["complaints"] for row in got), reverse=True)

    assert set(complaints_filtered(f).values_list("pk", flat=True)) == {row.pk for row in rows}

    expected = rising(world, spec)
    assert stats_merchants(f, limit=10) == expected[:10]
    minimum = 1 + len(rows) % 7
    top = sorted(
        (row for row in expected if row["complaints"] >= minimum), key=lambda r: (-r["complaints"], r["merchant_id"])
    )
    assert stats_top_merchants(f, limit=5, min_complaints=minimum) == [
        {key: row[key] for key in ("merchant_id", "complaints", "loss")} for row in top[:5]
    ]

    shown = [row["merchant_id"] for row in expected[:3]] + [world.merchants[-1].pk]
    assert stats_sparklines(f, merchant_ids=shown, interval=interval) == {
        merchant_id: sparkline(rows, spec, interval, merchant_id) for merchant_id in shown
    }


# The stats API and the dashboard page ---------------------------------------------------------------


def query(world: World, drawn: dict) -> str:
    params = {
        "from": [drawn["start"].isoformat()],
        "to": [drawn["end"].isoformat()],
        "province": list(drawn["regions"] or []),
        "platform": list(drawn["platforms"] or []),
        "category": list(drawn["categories"] or []),
        "risk": list(drawn["levels"] or []),
        "interval": [drawn["interval"]],
        "merchant": [str(world.merchants[drawn["merchants"][0]].uuid)] if drawn["merchants"] else [],
        "verified": ["1"] if drawn["verified"] else [],
    }
    return urlencode(params, doseq=True)


def url_spec(world: World, drawn: dict, *, scope_regions=None) -> Spec:
    """What the URL asks for: one merchant at most, and without provinces the user's scope."""
    spec = spec_of(world, {**drawn, "merchants": drawn["merchants"][:1] if drawn["merchants"] else None})
    if spec.regions is None and scope_regions is not None:
        spec = Spec(**{**spec.__dict__, "regions": scope_regions})
    return spec


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def check_api(client, world: World, drawn: dict, spec: Spec) -> None:
    params = query(world, drawn)
    rows = counted(world, spec)
    current, previous = totals(rows), totals(counted(world, spec.previous()))

    response = client.get(f"/api/v1/stats/summary/?{params}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"from": spec.start.isoformat(), "to": spec.end.isoformat()}
    for name in ("complaints", "merchants"):
        assert (body[name]["value"], body[name]["previous"]) == (current[name], previous[name])
    assert (body["loss"]["value"], body["loss"]["previous"]) == (money(current["loss"]), money(previous["loss"]))

    response = client.get(f"/api/v1/stats/breakdown/?by=province&{params}")
    assert response.status_code == 200, response.content
    expected = {
        key: {"complaints": t["complaints"], "loss": money(t["loss"])} for key, t in breakdown(rows, "province").items()
    }
    got = {r["key"]: {k: r[k] for k in ("complaints", "loss")} for r in response.json()["results"]}
    assert got == expected

    response = client.get(f"/api/v1/stats/timeseries/?{params}")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {"period": p["period"].isoformat(), "complaints": p["complaints"], "loss": money(p["loss"])}
        for p in series(rows, spec, drawn["interval"])
    ]

    response = client.get(f"/api/v1/stats/merchants/?{params}")
    assert response.status_code == 200, response.content
    assert [(r["id"], r["complaints"], r["previous"], r["growth"]) for r in response.json()["results"]] == [
        (str(world.by_id[r["merchant_id"]].uuid), r["complaints"], r["previous"], r["growth"])
        for r in dashboard_rising(world, spec)
    ]


class Tables(HTMLParser):
    """The cells of each <table id="..."> of a page, row by row, as text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("\u00a0", "").replace(" ", ""))


def check_page(client, world: World, drawn: dict, spec: Spec) -> None:
    rows = counted(world, spec)
    interval = drawn["interval"]
    current, previous = totals(rows), totals(counted(world, spec.previous()))

    response = client.get(f"/dashboard/?{query(world, drawn)}")

    assert response.status_code == 200
    cards = {card["name"]: card for card in response.context["cards"]}
    for name in ("complaints", "loss", "merchants"):
        assert (cards[name]["value"], cards[name]["previous"]) == (current[name], previous[name])
    assert response.context["series"] == series(rows, spec, interval)
    sections = {section["by"]: section["rows"] for section in response.context["breakdowns"]}
    for by in BREAKDOWNS:
        got = {r["key"]: {k: r[k] for k in ("complaints", "loss")} for r in sections[by]}
        assert got == breakdown(rows, by)
    assert [
        (item["row"].merchant.pk, item["row"].complaints, item["row"].previous, item["row"].sparkline)
        for item in response.context["rising"]
    ] == [
        (r["merchant_id"], r["complaints"], r["previous"], sparkline(rows, spec, interval, r["merchant_id"]))
        for r in dashboard_rising(world, spec)
    ]
    if drawn["merchants"]:
        assert response.context["page"].paginator.count == len(rows)

    # And the tables as rendered: a row per period, the complaints and loss columns as counted.
    tables = Tables()
    tables.feed(response.content.decode())
    timeseries = [cells for cells in tables.tables["table-timeseries"] if len(cells) == 3]
    assert [(cells[0], int(cells[1]), number(cells[2])) for cells in timeseries[1:]] == [
        (p["period"].isoformat(), p["complaints"], p["loss"]) for p in series(rows, spec, interval)
    ]
    # A breakdown without rows shows no table.
    provinces = [cells for cells in tables.tables.get("table-province", []) if len(cells) == 3][1:]
    assert sum(int(cells[1]) for cells in provinces) == current["complaints"]
    assert sum(number(cells[2]) for cells in provinces) == current["loss"]


@REQUESTS
@given(drawn=filters(provinces=PROVINCES, empty=False))
def test_the_api_and_the_page_equal_a_direct_count_for_a_moderator(world, drawn, client, moderator):
    client.force_login(moderator)
    # The stats API is throttled per account; every example starts with a fresh allowance.
    cache.clear()
    spec = url_spec(world, drawn)

    check_api(client, world, drawn, spec)
    check_page(client, world, drawn, spec)


@REQUESTS
@given(drawn=filters(provinces=[PROVINCE], empty=False))
def test_a_regulator_sees_its_province_counted_the_same_way(world, drawn, client, province_regulator):
    client.force_login(province_regulator)
    cache.clear()
    spec = url_spec(world, drawn, scope_regions=(PROVINCE,))

    check_api(client, world, drawn, spec)
    check_page(client, world, drawn, spec)
