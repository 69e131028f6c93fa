"""The dashboard's filters: URL parameters in, one StatsFilter inside the user's scope out."""

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from complaints.models import DailyRollup
from merchants.models import Platform
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.dashboards.filters import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MSG_MERCHANT_UNKNOWN,
    MSG_RANGE_LONG,
    MSG_RANGE_ORDER,
    DashboardFilterForm,
)
from portal.dashboards.scope import Scope, scope_for_user
from portal.dashboards.tests.conftest import OTHER_PLATFORM, OTHER_PROVINCE, PLATFORM, PROVINCE
from portal.escalations.models import MerchantRisk

pytestmark = pytest.mark.django_db

NATIONAL = Scope()
JAN_1 = date(2024, 1, 1)


def form_for(query: str = "", scope: Scope = NATIONAL, **params) -> DashboardFilterForm:
    data = QueryDict(query, mutable=True)
    for key, values in params.items():
        data.setlist(key, values if isinstance(values, list) else [values])
    return DashboardFilterForm(data, scope=scope)


def valid(query: str = "", scope: Scope = NATIONAL, **params) -> DashboardFilterForm:
    form = form_for(query, scope, **params)
    assert form.is_valid(), form.errors
    return form


def period(start: date, days: int) -> str:
    return f"from={start.isoformat()}&to={(start + timedelta(days=days - 1)).isoformat()}"


# Dates and interval ---------------------------------------------------------------------------------


def test_without_parameters_the_period_is_the_last_90_days_to_today_by_day():
    f = valid().stats_filter()

    assert f.end == timezone.localdate()
    assert f.start == timezone.localdate() - timedelta(days=89)
    assert f.days == DEFAULT_DAYS == 90
    assert valid().cleaned_data["interval"] == "day"
    assert (f.regions, f.platforms, f.categories, f.merchant_ids, f.verified, f.merchant_q) == (
        None, None, None, None, False, None,
    )  # fmt: skip


def test_from_and_to_are_the_url_names_of_the_period():
    f = valid("from=2024-02-10&to=2024-03-05").stats_filter()

    assert (f.start, f.end) == (date(2024, 2, 10), date(2024, 3, 5))


def test_only_an_end_gives_the_90_days_up_to_it():
    f = valid("to=2024-03-31").stats_filter()

    assert (f.start, f.end) == (date(2024, 1, 2), date(2024, 3, 31))


def test_only_a_start_runs_to_today():
    start = timezone.localdate() - timedelta(days=9)

    f = valid(f"from={start.isoformat()}").stats_filter()

    assert (f.start, f.end) == (start, timezone.localdate())


@pytest.mark.parametrize(
    ("days", "interval"), [(1, "day"), (92, "day"), (93, "week"), (400, "week"), (401, "month"), (MAX_DAYS, "month")]
)
def test_the_interval_follows_the_length_of_the_period(days, interval):
    assert valid(period(JAN_1, days)).cleaned_data["interval"] == interval


def test_a_chosen_interval_wins_over_the_automatic_one():
    assert valid(period(JAN_1, 400) + "&interval=day").cleaned_data["interval"] == "day"


def test_a_start_after_the_end_is_refused():
    form = form_for("from=2024-03-02&to=2024-03-01")

    assert not form.is_valid()
    assert form.non_field_errors() == [MSG_RANGE_ORDER]
    assert form.errors.as_data()["__all__"][0].code == "range_order"


def test_one_day_is_a_period():
    f = valid("from=2024-03-01&to=2024-03-01").stats_filter()

    assert f.days == 1


def test_a_period_longer_than_the_limit_is_refused():
    form = form_for(period(JAN_1, MAX_DAYS + 1))

    assert not form.is_valid()
    assert form.non_field_errors() == [MSG_RANGE_LONG % {"days": MAX_DAYS}]
    assert form.errors.as_data()["__all__"][0].code == "range_long"
    assert valid(period(JAN_1, MAX_DAYS)).stats_filter().days == MAX_DAYS


def test_a_malformed_date_is_a_field_error_not_a_crash():
    form = form_for("from=2024-13-01&to=yesterday")

    assert not form.is_valid()
    assert set(form.errors) == {"start", "end"}


# Merchant -------------------------------------------------------------------------------------------


def test_an_unknown_merchant_is_refused():
    form = form_for("merchant=6f1f4b44-5bb5-4c52-9a55-0d2bb1b8e0f1")

    assert not form.is_valid()
    assert form.errors["merchant"] == [MSG_MERCHANT_UNKNOWN]


def test_a_malformed_merchant_id_is_refused():
    form = form_for("merchant=42")

    assert not form.is_valid()
    assert "merchant" in form.errors


def test_a_merchant_narrows_to_it():
    merchant = MerchantFactory()

    assert valid(merchant=str(merchant.uuid)).stats_filter().merchant_ids == (merchant.pk,)


def test_a_merged_merchant_stands_for_the_merchant_it_was_merged_into(moderator):
    source, target = MerchantFactory(), MerchantFactory()
    merchant_merge(source=source, target=target, reason="same shop", actor=moderator)

    form = valid(merchant=str(source.uuid))

    assert form.stats_filter().merchant_ids == (target.pk,)
    assert form.query_params()["merchant"] == [str(target.uuid)]


# Scope ----------------------------------------------------------------------------------------------


def test_a_regulator_chooses_among_its_own_province_only(province_regulator):
    scope = scope_for_user(province_regulator)

    form = form_for(scope=scope)

    assert [code for code, _label in form.fields["province"].choices] == [PROVINCE]
    assert len(form.fields["platform"].choices) == len(Platform.Code.choices)


def test_a_regulator_asking_for_another_province_is_refused(province_regulator):
    form = form_for(scope=scope_for_user(province_regulator), province=[PROVINCE, OTHER_PROVINCE])

    assert not form.is_valid()
    assert form.errors.as_data()["province"][0].code == "invalid_choice"


def test_without_a_province_a_regulator_gets_its_scope(province_regulator):
    f = valid(scope=scope_for_user(province_regulator)).stats_filter()

    assert f.regions == (PROVINCE,)
    assert f.platforms is None


def test_a_regulator_choosing_its_province_gets_it(province_regulator):
    f = valid(scope=scope_for_user(province_regulator), province=PROVINCE).stats_filter()

    assert f.regions == (PROVINCE,)


def test_a_platform_owner_chooses_among_its_platforms_only(platform_staff):
    scope = scope_for_user(platform_staff)

    form = form_for(scope=scope)

    assert {code for code, _label in form.fields["platform"].choices} == scope.platforms
    assert PLATFORM in scope.platforms and OTHER_PLATFORM not in scope.platforms
    assert len(form.fields["province"].choices) > 30


def test_a_platform_owner_asking_for_another_platform_is_refused(platform_staff):
    form = form_for(scope=scope_for_user(platform_staff), platform=OTHER_PLATFORM)

    assert not form.is_valid()
    assert form.errors.as_data()["platform"][0].code == "invalid_choice"


def test_without_a_platform_a_platform_owner_gets_its_platforms(platform_staff):
    scope = scope_for_user(platform_staff)

    f = valid(scope=scope).stats_filter()

    assert f.platforms == tuple(sorted(scope.platforms))
    assert f.regions is None


def test_a_platform_owner_choosing_one_platform_gets_that_one(platform_staff):
    f = valid(scope=scope_for_user(platform_staff), platform=PLATFORM).stats_filter()

    assert f.platforms == (PLATFORM,)


def test_national_users_may_choose_any_provinces_and_platforms():
    f = valid(province=[PROVINCE, OTHER_PROVINCE], platform=[PLATFORM, OTHER_PLATFORM]).stats_filter()

    assert f.regions == tuple(sorted([PROVINCE, OTHER_PROVINCE]))
    assert f.platforms == tuple(sorted([PLATFORM, OTHER_PLATFORM]))


def test_categories_and_verified():
    f = valid("category=counterfeit&category=not_delivered&verified=1").stats_filter()

    assert f.categories == ("counterfeit", "not_delivered")
    assert f.verified is True


def test_an_unknown_category_is_refused():
    form = form_for(category="fraud")

    assert not form.is_valid()
    assert "category" in form.errors


# Risk levels ----------------------------------------------------------------------------------------


@pytest.fixture
def merchants_by_score():
    """A merchant per interesting score (None: no MerchantRisk row), each with one rollup cell."""
    merchants = {}
    for score in [100, 60, 59, 30, 29, 0, None]:
        merchant = MerchantFactory()
        if score is not None:
            MerchantRisk.objects.create(merchant=merchant, score=score)
        DailyRollup.objects.create(day=JAN_1, merchant=merchant, category="not_delivered", complaints=1)
        merchants[score] = merchant
    return merchants


def scores_at(levels, merchants_by_score) -> set:
    f = valid("from=2024-01-01&to=2024-01-01", risk=levels).stats_filter()
    ids = set(DailyRollup.objects.filter(f.conditions()).values_list("merchant_id", flat=True))
    return {score for score, merchant in merchants_by_score.items() if merchant.pk in ids}


@pytest.mark.parametrize(
    ("levels", "scores"),
    [
        (["high"], {100, 60}),
        (["medium"], {59, 30}),
        (["low"], {29, 0, None}),
        (["high", "low"], {100, 60, 29, 0, None}),
        (["high", "medium", "low"], {100, 60, 59, 30, 29, 0, None}),
    ],
)
@pytest.mark.parametrize("id_list_max", [5000, 1])
def test_risk_levels_select_merchants_by_score(levels, scores, merchants_by_score, id_list_max, monkeypatch):
    # 1: more risky merchants than a literal list takes, so the filter is a subquery instead.
    monkeypatch.setattr("portal.escalations.selectors.RISK_ID_LIST_MAX", id_list_max)

    assert scores_at(levels, merchants_by_score) == scores


def test_no_risk_level_means_every_merchant(merchants_by_score):
    f = valid("from=2024-01-01&to=2024-01-01").stats_filter()

    assert f.merchant_q is None
    assert DailyRollup.objects.filter(f.conditions()).count() == len(merchants_by_score)


def test_an_unknown_risk_level_is_refused():
    form = form_for(risk="extreme")

    assert not form.is_valid()
    assert "risk" in form.errors


# Round trip -----------------------------------------------------------------------------------------


def reparsed(form: DashboardFilterForm, scope: Scope = NATIONAL) -> DashboardFilterForm:
    query = urlencode(form.query_params(), doseq=True)
    return valid(query, scope)


def test_default_parameters_round_trip():
    form = valid()

    assert reparsed(form).stats_filter() == form.stats_filter()
    assert reparsed(form).cleaned_data["interval"] == "day"
    assert set(form.query_params()) == {"from", "to", "interval"}


def test_every_parameter_round_trips(moderator):
    merchant = MerchantFactory()
    form = valid(
        "from=2024-02-01&to=2024-04-30&interval=week&verified=1",
        province=[OTHER_PROVINCE, PROVINCE],
        platform=[PLATFORM],
        category=["refund_refused", "counterfeit"],
        merchant=str(merchant.uuid),
        risk=["medium", "high"],
    )

    again = reparsed(form)

    assert again.stats_filter() == form.stats_filter()
    assert again.query_params() == form.query_params()
    assert again.cleaned_data["interval"] == "week"
    assert form.query_params()["verified"] == ["1"]


def test_scoped_parameters_round_trip_inside_the_scope(province_regulator):
    scope = scope_for_user(province_regulator)
    form = valid("from=2024-02-01&to=2024-02-29", scope, category="counterfeit")

    assert "province" not in form.query_params()
    assert reparsed(form, scope).stats_filter() == form.stats_filter()
    assert form.stats_filter().regions == (PROVINCE,)
