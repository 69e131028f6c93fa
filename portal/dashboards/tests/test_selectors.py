"""What the dashboard shows: headline figures with their change, the authority's escalations, rising merchants."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from complaints import statistics
from complaints.models import DailyRollup, DailyTotal
from complaints.models.rollups import MerchantDay
from complaints.statistics import StatsFilter, period_starts
from merchants.regions import Region
from merchants.tests.factories import MerchantFactory
from portal.dashboards.scope import Scope, scope_for_user
from portal.dashboards.selectors import NOT_GIVEN, change, dashboard_summary, labelled_breakdown, rising_merchants
from portal.dashboards.tests.conftest import PROVINCE
from portal.escalations.models import Authority, Escalation, MerchantRisk
from portal.escalations.tests.factories import EscalationFactory, provincial

pytestmark = pytest.mark.django_db

# A week of June 2024 and the week before it.
WEEK = StatsFilter(start=date(2024, 6, 8), end=date(2024, 6, 14))
WEEK_BEFORE = date(2024, 6, 1)


def cells(merchant, day: date, complaints: int, *, loss="0.00", region=PROVINCE, category="not_delivered"):
    """A merchant's rollup cell, and its share of its day and of the day's totals (MerchantDay and DailyTotal are
    DailyRollup summed over cells and over merchants)."""
    key = {"day": day, "category": category, "region": region, "platform": "", "verified": False}
    DailyRollup.objects.create(merchant=merchant, complaints=complaints, loss=Decimal(loss), **key)
    added = {"complaints": F("complaints") + complaints, "loss": F("loss") + Decimal(loss)}
    for model, row_key in ((MerchantDay, {"day": day, "merchant": merchant}), (DailyTotal, key)):
        row, _created = model.objects.get_or_create(**row_key)
        model.objects.filter(pk=row.pk).update(**added)


# Headline figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (3, 2, 50.0),
        (1, 3, -66.7),
        (5, 5, 0.0),
        (5, 0, None),
        (0, 0, None),
        (Decimal("150.00"), Decimal("100.00"), 50.0),
    ],
)
def test_change_is_a_percentage_of_the_previous_figure(current, previous, expected):
    assert change(current, previous) == expected


def test_the_summary_compares_with_the_previous_period():
    first, second = MerchantFactory(), MerchantFactory()
    cells(first, WEEK.start, 2, loss="100.00")
    cells(second, WEEK.end, 1, loss="50.00")
    cells(first, WEEK_BEFORE, 1, loss="60.00")
    cells(second, WEEK_BEFORE + timedelta(days=6), 1, loss="40.00")
    cells(second, WEEK_BEFORE - timedelta(days=1), 7, loss="1000.00")  # before both periods

    summary = dashboard_summary(WEEK, scope=None)

    assert summary == {
        "complaints": {"value": 3, "previous": 2, "change": 50.0},
        "loss": {"value": Decimal("150.00"), "previous": Decimal("100.00"), "change": 50.0},
        "merchants": {"value": 2, "previous": 2, "change": 0.0},
    }


def test_nothing_before_means_no_change_not_an_infinite_one():
    cells(MerchantFactory(), WEEK.start, 4, loss="10.00")

    summary = dashboard_summary(WEEK, scope=None)

    assert summary["complaints"] == {"value": 4, "previous": 0, "change": None}
    assert summary["loss"] == {"value": Decimal("10.00"), "previous": Decimal("0.00"), "change": None}
    assert summary["merchants"]["change"] is None


def test_an_empty_period_has_zeros():
    summary = dashboard_summary(WEEK, scope=Scope())

    assert summary["complaints"] == {"value": 0, "previous": 0, "change": None}
    assert str(summary["loss"]["value"]) == "0.00"
    assert summary["escalations"] == {"open": 0, "overdue": 0}


# Escalations ----------------------------------------------------------------------------------------


@pytest.fixture
def escalations():
    """The Guangdong regulator's escalations in every state, and one of another authority."""
    now = timezone.now()
    past, future = now - timedelta(hours=1), now + timedelta(days=3)
    regulator = provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE)
    police = provincial(Authority.Kind.POLICE, PROVINCE)
    Status = Escalation.Status

    def make(authority, status, *, ack_due_at=future, response_due_at=future):
        return EscalationFactory(
            authority=authority, status=status, ack_due_at=ack_due_at, response_due_at=response_due_at
        )

    return {
        "ack_overdue": make(regulator, Status.PENDING, ack_due_at=past),
        "delivered_ack_overdue": make(regulator, Status.DELIVERED, ack_due_at=past),
        "acknowledged_in_time": make(regulator, Status.ACKNOWLEDGED, ack_due_at=past),
        "response_overdue": make(regulator, Status.ACKNOWLEDGED, ack_due_at=past, response_due_at=past),
        "responded": make(regulator, Status.RESPONDED, ack_due_at=past, response_due_at=past),
        "pending_in_time": make(regulator, Status.PENDING),
        "closed": make(regulator, Status.CLOSED, ack_due_at=past, response_due_at=past),
        "police_overdue": make(police, Status.PENDING, ack_due_at=past),
    }


def test_staff_see_their_authoritys_open_and_overdue_escalations(escalations, province_regulator):
    summary = dashboard_summary(WEEK, scope=scope_for_user(province_regulator))

    # Open: all but the closed one and the police's; overdue: a missed deadline still running.
    assert summary["escalations"] == {"open": 6, "overdue": 3}


def test_police_see_their_own(escalations, police_officer):
    summary = dashboard_summary(WEEK, scope=scope_for_user(police_officer))

    assert summary["escalations"] == {"open": 1, "overdue": 1}


def test_moderators_see_every_authoritys_escalations(escalations, moderator):
    summary = dashboard_summary(WEEK, scope=scope_for_user(moderator))

    assert summary["escalations"] == {"open": 7, "overdue": 4}


def test_escalations_follow_the_merchant_filter(escalations, province_regulator):
    merchant = escalations["response_overdue"].merchant
    f = StatsFilter(start=WEEK.start, end=WEEK.end, merchant_ids=(merchant.pk,))

    summary = dashboard_summary(f, scope=scope_for_user(province_regulator))

    assert summary["escalations"] == {"open": 1, "overdue": 1}


def test_the_public_summary_has_no_escalations(escalations):
    assert "escalations" not in dashboard_summary(WEEK, scope=None)


# Breakdowns -----------------------------------------------------------------------------------------


def test_breakdowns_are_labelled_and_not_given_says_so():
    merchant = MerchantFactory()
    cells(merchant, WEEK.start, 3, region=PROVINCE)
    cells(merchant, WEEK.start, 1, region="")

    rows = labelled_breakdown(WEEK, by="province")

    assert [(row["key"], row["label"], row["complaints"]) for row in rows] == [
        (PROVINCE, str(Region(PROVINCE).label), 3),
        ("", str(NOT_GIVEN), 1),
    ]


# Rising merchants -----------------------------------------------------------------------------------


def rising_shops(count: int) -> list:
    """`count` merchants, the i-th with i + 1 complaints this week spread over its days and one the week before."""
    merchants = MerchantFactory.create_batch(count)
    for i, merchant in enumerate(merchants):
        cells(merchant, WEEK.start + timedelta(days=i % 7), i + 1)
        cells(merchant, WEEK_BEFORE, 1)
    return merchants


@pytest.mark.parametrize("count", [3, 15])
def test_rising_merchants_take_six_queries_however_many(count, django_assert_num_queries):
    rising_shops(count)

    with django_assert_num_queries(6):
        rows = rising_merchants(WEEK, interval="day", limit=20)
        # Everything the page reads of a row is loaded already.
        shown = [(row.merchant.name, row.merchant.platform, row.risk_level, row.sparkline) for row in rows]

    assert len(shown) == count


def rank_of(merchants, rows) -> list[int]:
    return [merchants.index(row.merchant) for row in rows]


def test_the_busiest_merchants_are_ranked_alone_when_no_other_could_rank(monkeypatch):
    # Ten merchants of 1 complaint each and three surges: the busiest 10 hold the top one, and the merchants left
    # out (1 complaint) could not grow past its 42.
    monkeypatch.setattr(statistics, "BUSIEST", 10)
    merchants = MerchantFactory.create_batch(13)
    for i, merchant in enumerate(merchants):
        cells(merchant, WEEK.start, 1 if i < 10 else 50 + i)
        cells(merchant, WEEK_BEFORE, 1 if i < 10 else 20)
    rank_everyone = spy_on(monkeypatch, "_rising")

    rows = rising_merchants(WEEK, interval="day", limit=1)

    assert rank_of(merchants, rows) == [12]
    assert [(row.complaints, row.previous, row.growth) for row in rows] == [(62, 20, 42)]
    assert rank_everyone == []


def test_every_merchant_is_ranked_when_one_left_out_could_rank(monkeypatch, django_assert_num_queries):
    # The 20 busiest did not grow; a quieter merchant outside them did, and only ranking everyone finds it.
    monkeypatch.setattr(statistics, "BUSIEST", 20)
    merchants = MerchantFactory.create_batch(23)
    for merchant in merchants[:22]:
        cells(merchant, WEEK.start, 10)
        cells(merchant, WEEK_BEFORE, 10)
    cells(merchants[22], WEEK.start, 5, loss="12.50")
    rank_everyone = spy_on(monkeypatch, "_rising")

    with django_assert_num_queries(7):
        rows = rising_merchants(WEEK, interval="day", limit=2)

    assert rank_of(merchants, rows) == [22, 0]
    assert [(row.complaints, row.previous, row.growth, row.loss) for row in rows[:1]] == [(5, 0, 5, Decimal("12.50"))]
    assert len(rank_everyone) == 1


def spy_on(monkeypatch, name: str) -> list:
    """Calls of complaints.statistics.`name`, which still runs."""
    calls, real = [], getattr(statistics, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics, name, spy)
    return calls


def test_rising_merchants_come_with_their_figures_and_sparklines():
    merchants = rising_shops(3)

    rows = rising_merchants(WEEK, interval="day")

    assert [row.merchant for row in rows] == [merchants[2], merchants[1], merchants[0]]
    assert [(row.complaints, row.previous, row.growth) for row in rows] == [(3, 1, 2), (2, 1, 1), (1, 1, 0)]
    assert rows[0].sparkline == [0, 0, 3, 0, 0, 0, 0]
    assert rows[2].sparkline == [1, 0, 0, 0, 0, 0, 0]


def test_rising_merchants_respect_the_limit():
    rising_shops(15)

    assert len(rising_merchants(WEEK, interval="day")) == 10
    assert len(rising_merchants(WEEK, interval="day", limit=3)) == 3


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_a_sparkline_has_a_point_per_period(interval):
    rising_shops(4)
    f = StatsFilter(start=date(2024, 5, 20), end=date(2024, 7, 3))

    rows = rising_merchants(f, interval=interval)

    expected = len(period_starts(f.start, f.end, interval))
    assert expected == {"day": 45, "week": 7, "month": 3}[interval]
    assert [len(row.sparkline) for row in rows] == [expected] * 4
    assert [sum(row.sparkline) for row in rows] == [row.complaints for row in rows]


def test_on_equal_growth_the_riskier_merchant_comes_first():
    # All three grew by three; with no tie-break the most complained about would come first.
    quiet_but_risky, busy_unscored, middling = MerchantFactory(), MerchantFactory(), MerchantFactory()
    cells(quiet_but_risky, WEEK.start, 3)
    cells(busy_unscored, WEEK.start, 5)
    cells(busy_unscored, WEEK_BEFORE, 2)
    cells(middling, WEEK.start, 4)
    cells(middling, WEEK_BEFORE, 1)
    MerchantRisk.objects.create(merchant=quiet_but_risky, score=80)
    MerchantRisk.objects.create(merchant=middling, score=40)

    rows = rising_merchants(WEEK, interval="day")

    assert [row.merchant for row in rows] == [quiet_but_risky, middling, busy_unscored]
    assert [(row.risk_score, row.risk_level) for row in rows] == [(80, "high"), (40, "medium"), (None, "low")]


def test_growth_still_comes_before_risk():
    grew_more, risky = MerchantFactory(), MerchantFactory()
    cells(grew_more, WEEK.start, 4)
    cells(risky, WEEK.start, 3)
    MerchantRisk.objects.create(merchant=risky, score=100)

    assert [row.merchant for row in rising_merchants(WEEK, interval="day")] == [grew_more, risky]


def test_a_tie_at_the_cut_off_goes_to_the_busier_merchant():
    # Risk orders the merchants the ranking kept; it does not bring in one the cut-off left out.
    busy_unscored, quiet_but_risky = MerchantFactory(), MerchantFactory()
    cells(busy_unscored, WEEK.start, 5)
    cells(busy_unscored, WEEK_BEFORE, 2)
    cells(quiet_but_risky, WEEK.start, 3)
    MerchantRisk.objects.create(merchant=quiet_but_risky, score=90)

    assert [row.merchant for row in rising_merchants(WEEK, interval="day", limit=1)] == [busy_unscored]
    assert [row.merchant for row in rising_merchants(WEEK, interval="day", limit=2)] == [quiet_but_risky, busy_unscored]
