"""Dashboard figures over the daily rollups, against numbers worked out by hand from a few complaints filed the
way complainants file them (complaint_submit) and moderated the way moderators moderate them (workflow)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from complaints import workflow
from complaints.services import complaint_submit
from complaints.statistics import (
    StatsFilter,
    complaints_filtered,
    period_starts,
    stats_breakdown,
    stats_merchants,
    stats_sparklines,
    stats_summary,
    stats_timeseries,
    stats_top_merchants,
)
from merchants.models import MerchantMerge
from merchants.services import MerchantClaims, merchant_merge, merchant_unmerge
from merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"
# Names nothing alike, so that name matching never links two of the test's shops.
SHOPS = ["Alpha Garden", "Bravo Motors", "Charlie Books", "Delta Tea House", "Echo Phones", "Foxtrot Shoes"]


def local(year, month, day, hour=12, minute=0) -> datetime:
    """A moment given in Beijing time, stored as UTC as the database does."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def file(
    complainant,
    *,
    at: datetime,
    shop: int = 0,
    category: str = "not_delivered",
    region: str = "440000",
    platform: str = "taobao_tmall",
    amount: Decimal | None = Decimal("100.00"),
    currency: str = "CNY",
):
    return complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name=SHOPS[shop], app_id=f"wx{shop + 1:016x}", platform=platform),
        category=category,
        narrative=NARRATIVE,
        amount=amount,
        currency=currency,
        region=region,
        submitted_at=at,
    )


def accept(complaint, moderator):
    workflow.complaint_review_start(complaint=complaint, moderator=moderator)
    return workflow.complaint_accept(complaint=complaint, moderator=moderator)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def counts(series) -> list[int]:
    return [row["complaints"] for row in series]


# Local days -----------------------------------------------------------------------------------------


def test_a_complaint_counts_on_its_day_in_beijing_time(complainant):
    march = StatsFilter(start=date(2024, 3, 1), end=date(2024, 3, 31))
    last_evening = file(complainant, at=datetime(2024, 3, 31, 15, 30, tzinfo=UTC))  # 23:30 on 31 March
    after_midnight = file(complainant, at=datetime(2024, 3, 31, 16, 10, tzinfo=UTC))  # 00:10 on 1 April
    first_morning = file(complainant, at=datetime(2024, 2, 29, 16, 5, tzinfo=UTC))  # 00:05 on 1 March
    leap_evening = file(complainant, at=datetime(2024, 2, 29, 15, 55, tzinfo=UTC))  # 23:55 on 29 February

    summary = stats_summary(march)
    series = stats_timeseries(march, interval="day")

    assert summary["current"]["complaints"] == 2
    # The previous period, 30 January to 29 February, has the complaint of 23:55 on the 29th.
    assert summary["previous"]["complaints"] == 1
    assert len(series) == 31
    assert (series[0]["period"], series[0]["complaints"]) == (date(2024, 3, 1), 1)
    assert (series[-1]["period"], series[-1]["complaints"]) == (date(2024, 3, 31), 1)
    assert sum(counts(series[1:-1])) == 0
    assert codes(complaints_filtered(march)) == {last_evening.code, first_morning.code}
    april_first = StatsFilter(start=date(2024, 4, 1), end=date(2024, 4, 1))
    assert stats_summary(april_first)["current"]["complaints"] == 1
    assert codes(complaints_filtered(april_first)) == {after_midnight.code}
    assert codes(complaints_filtered(march.previous())) == {leap_evening.code}


# Periods --------------------------------------------------------------------------------------------


def test_period_starts_by_day():
    assert period_starts(date(2024, 12, 30), date(2025, 1, 2), "day") == [
        date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2),
    ]  # fmt: skip
    assert period_starts(date(2024, 2, 29), date(2024, 2, 29), "day") == [date(2024, 2, 29)]


def test_weeks_start_on_monday_across_a_year_end():
    # 25 December 2024 is a Wednesday; 8 January 2025 a Wednesday too.
    assert period_starts(date(2024, 12, 25), date(2025, 1, 8), "week") == [
        date(2024, 12, 23), date(2024, 12, 30), date(2025, 1, 6),
    ]  # fmt: skip
    assert period_starts(date(2024, 12, 30), date(2024, 12, 30), "week") == [date(2024, 12, 30)]


def test_months_start_on_the_first_across_a_year_end():
    assert period_starts(date(2024, 11, 15), date(2025, 2, 3), "month") == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1),
    ]  # fmt: skip
    assert period_starts(date(2024, 1, 31), date(2024, 3, 1), "month") == [
        date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1),
    ]  # fmt: skip


@pytest.fixture
def new_year(complainant):
    """Complaints around the new year of 2025 (Beijing time), one of them just outside the period."""
    for at in [
        local(2024, 12, 19, 23, 59),  # the evening before the period starts
        local(2024, 12, 30, 10),  # a Monday
        local(2024, 12, 31, 23, 30),
        local(2025, 1, 1, 0, 10),
        local(2025, 1, 15, 9),
    ]:
        file(complainant, at=at)
    return StatsFilter(start=date(2024, 12, 20), end=date(2025, 1, 20))


def test_the_daily_series_has_every_day_with_zeros(new_year):
    series = stats_timeseries(new_year, interval="day")
    by_day = {row["period"]: row for row in series}

    assert [row["period"] for row in series] == period_starts(date(2024, 12, 20), date(2025, 1, 20), "day")
    assert len(series) == 32
    assert {day: row["complaints"] for day, row in by_day.items() if row["complaints"]} == {
        date(2024, 12, 30): 1, date(2024, 12, 31): 1, date(2025, 1, 1): 1, date(2025, 1, 15): 1,
    }  # fmt: skip
    assert str(by_day[date(2024, 12, 20)]["loss"]) == "0.00"
    assert by_day[date(2025, 1, 1)]["loss"] == Decimal("100.00")


def test_the_weekly_series_counts_by_monday(new_year):
    series = stats_timeseries(new_year, interval="week")

    assert [(row["period"], row["complaints"]) for row in series] == [
        (date(2024, 12, 16), 0),
        (date(2024, 12, 23), 0),
        (date(2024, 12, 30), 3),
        (date(2025, 1, 6), 0),
        (date(2025, 1, 13), 1),
        (date(2025, 1, 20), 0),
    ]
    assert [str(row["loss"]) for row in series] == ["0.00", "0.00", "300.00", "0.00", "100.00", "0.00"]


def test_the_monthly_series_counts_by_month_across_the_year_end(new_year):
    series = stats_timeseries(new_year, interval="month")

    assert [(row["period"], row["complaints"], row["loss"]) for row in series] == [
        (date(2024, 12, 1), 2, Decimal("200.00")),
        (date(2025, 1, 1), 2, Decimal("200.00")),
    ]


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_every_series_adds_up_to_the_summary(new_year, interval):
    series = stats_timeseries(new_year, interval=interval)
    summary = stats_summary(new_year)["current"]

    assert sum(counts(series)) == summary["complaints"] == 4
    assert sum(row["loss"] for row in series) == summary["loss"]


# What counts ----------------------------------------------------------------------------------------


@pytest.fixture
def moderated(complainant, moderator):
    """One complaint in each kind of status, each against its own shop: what counts and what is verified."""
    at = local(2024, 6, 10)
    submitted = file(complainant, at=at, shop=0)
    in_review = file(complainant, at=at, shop=1)
    workflow.complaint_review_start(complaint=in_review, moderator=moderator)
    accepted = accept(file(complainant, at=at, shop=2), moderator)
    closed = accept(file(complainant, at=at, shop=3), moderator)
    workflow.complaint_close(complaint=closed, moderator=moderator, outcome="closed_explanation")
    rejected = file(complainant, at=at, shop=4)
    workflow.complaint_reject(complaint=rejected, moderator=moderator, reason="spam")
    withdrawn = accept(file(complainant, at=at, shop=5), moderator)
    workflow.complaint_withdraw(complaint=withdrawn, user=complainant)
    return {
        "counted": {submitted.code, in_review.code, accepted.code, closed.code},
        "verified": {accepted.code, closed.code},
        "merchants": {c.merchant_id for c in (submitted, in_review, accepted, closed)},
        "verified_merchants": {accepted.merchant_id, closed.merchant_id},
    }


def test_rejected_and_withdrawn_complaints_count_nowhere(moderated):
    f = StatsFilter(start=date(2024, 6, 1), end=date(2024, 6, 30))

    summary = stats_summary(f)["current"]

    assert summary == {"complaints": 4, "loss": Decimal("400.00"), "merchants": 4}
    assert sum(counts(stats_timeseries(f, interval="week"))) == 4
    assert sum(row["complaints"] for row in stats_breakdown(f, by="category")) == 4
    assert {row["merchant_id"] for row in stats_merchants(f, limit=10)} == moderated["merchants"]
    assert {row["merchant_id"] for row in stats_top_merchants(f, limit=10)} == moderated["merchants"]
    assert codes(complaints_filtered(f)) == moderated["counted"]


def test_verified_counts_accepted_complaints_and_those_closed_after(moderated):
    f = StatsFilter(start=date(2024, 6, 1), end=date(2024, 6, 30), verified=True)

    assert stats_summary(f)["current"] == {"complaints": 2, "loss": Decimal("200.00"), "merchants": 2}
    assert sum(counts(stats_timeseries(f, interval="day"))) == 2
    assert {row["merchant_id"] for row in stats_merchants(f, limit=10)} == moderated["verified_merchants"]
    assert codes(complaints_filtered(f)) == moderated["verified"]


def test_accepting_later_moves_a_complaint_into_the_verified_figures(complainant, moderator):
    f = StatsFilter(start=date(2024, 6, 1), end=date(2024, 6, 30), verified=True)
    complaint = file(complainant, at=local(2024, 6, 3))
    assert stats_summary(f)["current"]["complaints"] == 0

    accept(complaint, moderator)

    assert stats_summary(f)["current"]["complaints"] == 1
    assert stats_summary(StatsFilter(start=f.start, end=f.end))["current"]["complaints"] == 1


# Money ----------------------------------------------------------------------------------------------


def test_loss_adds_yuan_only_and_always_has_two_places(complainant):
    at = local(2024, 6, 10)
    file(complainant, at=at, amount=Decimal("100.10"))
    file(complainant, at=at, amount=Decimal("0.2"))
    file(complainant, at=at, amount=Decimal("7"), category="counterfeit")
    file(complainant, at=at, amount=None, category="counterfeit")
    file(complainant, at=at, amount=Decimal("50.00"), currency="USD", category="hidden_fees")
    f = StatsFilter(start=date(2024, 6, 1), end=date(2024, 6, 30))

    summary = stats_summary(f)

    assert summary["current"]["complaints"] == 5
    assert str(summary["current"]["loss"]) == "107.30"
    assert str(summary["previous"]["loss"]) == "0.00"
    assert {row["key"]: str(row["loss"]) for row in stats_breakdown(f, by="category")} == {
        "not_delivered": "100.30", "counterfeit": "7.00", "hidden_fees": "0.00",
    }  # fmt: skip
    assert {str(row["loss"]) for row in stats_timeseries(f, interval="day")} == {"0.00", "107.30"}
    assert [str(row["loss"]) for row in stats_merchants(f, limit=10)] == ["107.30"]
    assert [str(row["loss"]) for row in stats_top_merchants(f, limit=10)] == ["107.30"]


# The previous period --------------------------------------------------------------------------------


def test_the_previous_period_has_the_same_length_just_before(complainant):
    f = StatsFilter(start=date(2024, 3, 10), end=date(2024, 3, 19), regions=("440000",))
    for at in [local(2024, 2, 28, 23, 50), local(2024, 2, 29, 0, 5), local(2024, 3, 9, 23, 50), local(2024, 3, 10)]:
        file(complainant, at=at)
    file(complainant, at=local(2024, 3, 5), region="110000")

    previous = f.previous()

    assert previous == StatsFilter(start=date(2024, 2, 29), end=date(2024, 3, 9), regions=("440000",))
    assert previous.days == f.days == 10
    summary = stats_summary(f)
    assert (summary["current"]["complaints"], summary["previous"]["complaints"]) == (1, 2)


# Merchants ------------------------------------------------------------------------------------------


@pytest.fixture
def growth(complainant):
    """Five shops over two weeks of May 2024. This week (8 to 14 May) against the week before (1 to 7 May):
    Alpha 3 against 0, Bravo 5 against 2, Charlie 4 against 1 (all three grew by 3), Delta 1 against 5, Echo 0
    against 3."""
    plan = {
        0: ([8, 8, 14], []),
        1: ([8, 9, 10, 11, 12], [1, 2]),
        2: ([9, 9, 13, 14], [7]),
        3: ([14], [1, 2, 3, 4, 5]),
        4: ([], [3, 4, 7]),
    }
    merchants = {}
    for shop, (this_week, week_before) in plan.items():
        for day in this_week + week_before:
            merchants[shop] = file(complainant, at=local(2024, 5, day), shop=shop).merchant
    assert len({m.pk for m in merchants.values()}) == 5
    return merchants


MAY_WEEK = StatsFilter(start=date(2024, 5, 8), end=date(2024, 5, 14))


def test_rising_merchants_rank_by_growth_then_complaints_and_show_the_previous_period(growth):
    alpha, bravo, charlie, delta = growth[0], growth[1], growth[2], growth[3]

    rows = stats_merchants(MAY_WEEK, limit=10)

    assert rows == [
        {"merchant_id": bravo.pk, "complaints": 5, "loss": Decimal("500.00"), "previous": 2, "growth": 3},
        {"merchant_id": charlie.pk, "complaints": 4, "loss": Decimal("400.00"), "previous": 1, "growth": 3},
        {"merchant_id": alpha.pk, "complaints": 3, "loss": Decimal("300.00"), "previous": 0, "growth": 3},
        {"merchant_id": delta.pk, "complaints": 1, "loss": Decimal("100.00"), "previous": 5, "growth": -4},
    ]


def test_rising_merchants_are_limited(growth):
    assert [row["merchant_id"] for row in stats_merchants(MAY_WEEK, limit=2)] == [growth[1].pk, growth[2].pk]


def test_a_merchant_with_no_complaints_in_the_period_takes_no_place_among_the_rising(growth):
    # Echo (none this week, three the week before: -3) ranks above Delta (-4) by growth, but is no rising
    # merchant: the four merchants complained about this week fill four places.
    rows = stats_merchants(MAY_WEEK, limit=4)

    assert [row["merchant_id"] for row in rows] == [growth[1].pk, growth[2].pk, growth[0].pk, growth[3].pk]


def test_the_summary_counts_the_merchants_of_both_periods(growth):
    summary = stats_summary(MAY_WEEK)

    # This week Alpha, Bravo, Charlie and Delta; the week before Bravo, Charlie, Delta and Echo.
    assert (summary["current"]["merchants"], summary["previous"]["merchants"]) == (4, 4)
    assert (summary["current"]["complaints"], summary["previous"]["complaints"]) == (13, 11)


def test_an_empty_period_has_no_merchants():
    assert stats_merchants(MAY_WEEK, limit=10) == []
    assert stats_summary(MAY_WEEK)["current"] == {"complaints": 0, "loss": Decimal("0.00"), "merchants": 0}


def test_top_merchants_leave_out_those_under_the_minimum(growth):
    alpha, bravo, charlie, delta = growth[0], growth[1], growth[2], growth[3]

    def top(**kwargs):
        return [(row["merchant_id"], row["complaints"]) for row in stats_top_merchants(MAY_WEEK, **kwargs)]

    assert top(limit=10) == [(bravo.pk, 5), (charlie.pk, 4), (alpha.pk, 3), (delta.pk, 1)]
    assert top(limit=10, min_complaints=3) == [(bravo.pk, 5), (charlie.pk, 4), (alpha.pk, 3)]
    assert top(limit=10, min_complaints=5) == [(bravo.pk, 5)]
    assert top(limit=10, min_complaints=6) == []
    assert top(limit=1) == [(bravo.pk, 5)]
    assert stats_top_merchants(MAY_WEEK, limit=1)[0]["loss"] == Decimal("500.00")


def test_sparklines_count_each_day_and_give_zeros_to_merchants_without_cells(growth):
    nobody_complained = MerchantFactory()
    alpha, echo = growth[0], growth[4]
    # The filter's own merchant is replaced by the merchants asked for.
    f = StatsFilter(start=MAY_WEEK.start, end=MAY_WEEK.end, merchant_ids=(growth[1].pk,))

    lines = stats_sparklines(f, merchant_ids=[alpha.pk, echo.pk, nobody_complained.pk])

    assert lines == {
        alpha.pk: [2, 0, 0, 0, 0, 0, 1],
        echo.pk: [0] * 7,
        nobody_complained.pk: [0] * 7,
    }


def test_weekly_sparklines_have_one_point_per_week(growth):
    f = StatsFilter(start=date(2024, 5, 1), end=date(2024, 5, 14))

    lines = stats_sparklines(f, merchant_ids=[growth[1].pk, growth[4].pk], interval="week")

    # Weeks of 29 April, 6 May and 13 May.
    assert lines == {growth[1].pk: [2, 5, 0], growth[4].pk: [2, 1, 0]}


def test_sparklines_of_no_merchants_are_empty(growth):
    assert stats_sparklines(MAY_WEEK, merchant_ids=[]) == {}


# Breakdowns and filters -----------------------------------------------------------------------------


@pytest.fixture
def spread(complainant):
    at = local(2024, 7, 1)
    file(complainant, at=at, shop=0, region="440000", platform="taobao_tmall", category="not_delivered")
    file(complainant, at=at, shop=0, region="440000", platform="taobao_tmall", category="counterfeit")
    file(complainant, at=at, shop=1, region="440000", platform="douyin", category="not_delivered")
    file(complainant, at=at, shop=2, region="110000", platform="douyin", category="not_delivered")
    file(complainant, at=at, shop=2, region="110000", platform="douyin", category="hidden_fees", amount=None)
    file(complainant, at=at, shop=3, region="", platform="", category="not_delivered")
    return StatsFilter(start=date(2024, 7, 1), end=date(2024, 7, 1))


def test_breakdowns_are_largest_first_with_an_empty_key_for_not_given(spread):
    by_province = [(r["key"], r["complaints"], r["loss"]) for r in stats_breakdown(spread, by="province")]
    by_platform = [(r["key"], r["complaints"]) for r in stats_breakdown(spread, by="platform")]
    by_category = [(r["key"], r["complaints"]) for r in stats_breakdown(spread, by="category")]

    assert by_province == [
        ("440000", 3, Decimal("300.00")),
        ("110000", 2, Decimal("100.00")),
        ("", 1, Decimal("100.00")),
    ]
    assert by_platform == [("douyin", 3), ("taobao_tmall", 2), ("", 1)]
    assert by_category == [("not_delivered", 4), ("counterfeit", 1), ("hidden_fees", 1)]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({}, 6),
        ({"regions": ("440000",)}, 3),
        ({"regions": ("440000", "")}, 4),
        ({"regions": ()}, 0),
        ({"platforms": ("douyin",)}, 3),
        ({"platforms": ("douyin",), "regions": ("440000",)}, 1),
        ({"categories": ("not_delivered", "hidden_fees")}, 5),
        ({"merchant_q": Q(merchant__name__in=SHOPS[:2])}, 3),
    ],
)
def test_every_figure_and_the_complaint_list_apply_the_same_filter(spread, conditions, expected):
    f = StatsFilter(start=spread.start, end=spread.end, **conditions)

    assert stats_summary(f)["current"]["complaints"] == expected
    assert sum(counts(stats_timeseries(f, interval="month"))) == expected
    for by in ("category", "platform", "province"):
        assert sum(row["complaints"] for row in stats_breakdown(f, by=by)) == expected
    assert sum(row["complaints"] for row in stats_merchants(f, limit=100)) == expected
    assert sum(row["complaints"] for row in stats_top_merchants(f, limit=100)) == expected
    assert complaints_filtered(f).count() == expected


def test_a_merchant_filter_narrows_to_its_complaints(spread):
    merchant_id = complaints_filtered(spread).filter(region="110000").first().merchant_id
    f = StatsFilter(start=spread.start, end=spread.end, merchant_ids=(merchant_id,))

    assert stats_summary(f)["current"] == {"complaints": 2, "loss": Decimal("100.00"), "merchants": 1}
    assert {c.merchant_id for c in complaints_filtered(f)} == {merchant_id}


def test_complaints_filtered_lists_newest_first(complainant):
    older = file(complainant, at=local(2024, 7, 1, 9))
    newer = file(complainant, at=local(2024, 7, 1, 18))

    listed = list(complaints_filtered(StatsFilter(start=date(2024, 7, 1), end=date(2024, 7, 1))))

    assert listed == [newer, older]


# Merges ---------------------------------------------------------------------------------------------


def test_a_merge_moves_the_figures_to_the_surviving_merchant(complainant, moderator):
    at = local(2024, 8, 5)
    merged_away = [file(complainant, at=at, shop=0), file(complainant, at=at, shop=0, amount=Decimal("20.50"))]
    accept(merged_away[0], moderator)
    survivor = [file(complainant, at=at, shop=1) for _ in range(3)]
    source, target = merged_away[0].merchant, survivor[0].merchant
    f = StatsFilter(start=date(2024, 8, 1), end=date(2024, 8, 31))

    merge = merchant_merge(source=source, target=target, reason="the same shop", actor=moderator)

    def of(merchant, **kwargs):
        return StatsFilter(start=f.start, end=f.end, merchant_ids=(merchant.pk,), **kwargs)

    assert stats_summary(of(target))["current"] == {"complaints": 5, "loss": Decimal("420.50"), "merchants": 1}
    assert stats_summary(of(target, verified=True))["current"]["complaints"] == 1
    assert stats_summary(of(source))["current"]["complaints"] == 0
    assert stats_summary(f)["current"]["merchants"] == 1
    assert [(r["merchant_id"], r["complaints"]) for r in stats_merchants(f, limit=10)] == [(target.pk, 5)]
    assert stats_sparklines(f, merchant_ids=[source.pk])[source.pk] == [0] * 31
    assert complaints_filtered(of(target)).count() == 5

    merchant_unmerge(merge=MerchantMerge.objects.get(pk=merge.pk), actor=moderator, reason="not the same shop")

    assert stats_summary(of(target))["current"]["complaints"] == 3
    assert stats_summary(of(source))["current"]["complaints"] == 2
    assert stats_summary(f)["current"]["merchants"] == 2
