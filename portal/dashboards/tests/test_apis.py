"""The stats API: the dashboard's figures, filters and scope over REST, with the API's one error body."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from complaints.statistics import stats_breakdown, stats_summary, stats_timeseries
from portal.api.tests.helpers import api_client, error_of
from portal.dashboards.apis import MSG_NO_DASHBOARD
from portal.dashboards.filters import DEFAULT_DAYS, MSG_RANGE_ORDER
from portal.dashboards.tests.conftest import OTHER_PLATFORM, OTHER_PROVINCE, PLATFORM, PROVINCE
from portal.dashboards.tests.factories import default_filter, file_complaint
from portal.escalations.models import Authority
from portal.escalations.tests.factories import EscalationFactory, provincial

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/stats/summary/"
TIMESERIES = "/api/v1/stats/timeseries/"
BREAKDOWN = "/api/v1/stats/breakdown/"
MERCHANTS = "/api/v1/stats/merchants/"
# Each endpoint with the query its required parameters need.
ENDPOINTS = [(SUMMARY, {}), (TIMESERIES, {}), (BREAKDOWN, {"by": "province"}), (MERCHANTS, {})]


@pytest.fixture
def complaints(db):
    """Guangdong: two shops, three complaints this period and one in the period before; Beijing: one shop."""
    return {
        "fruit": [
            file_complaint(shop="广州鲜果", platform=PLATFORM, amount=Decimal("120.50"), days_ago=1),
            file_complaint(shop="广州鲜果", platform=PLATFORM, category="refund_refused", amount=Decimal("80.00")),
            file_complaint(shop="广州鲜果", platform=PLATFORM, amount=Decimal("10.00"), days_ago=DEFAULT_DAYS + 5),
        ],
        "gadgets": [
            file_complaint(
                shop="深圳数码", platform=OTHER_PLATFORM, category="counterfeit", amount=Decimal("999.99"), days_ago=3
            ),
        ],
        "duck": [
            file_complaint(shop="北京烤鸭", platform=PLATFORM, region=OTHER_PROVINCE, amount=Decimal("5000.00")),
        ],
    }


# Summary -------------------------------------------------------------------------------------------


def test_summary_for_a_moderator_counts_the_whole_country(moderator, complaints):
    response = api_client(moderator).get(SUMMARY)

    assert response.status_code == 200, response.content
    body = response.json()
    f = default_filter()
    assert body["period"] == {"from": f.start.isoformat(), "to": f.end.isoformat()}
    previous = f.previous()
    assert body["previous"] == {"from": previous.start.isoformat(), "to": previous.end.isoformat()}
    assert body["complaints"] == {"value": 4, "previous": 1, "change": 300.0}
    assert body["loss"] == {"value": "6200.49", "previous": "10.00", "change": 61904.9}
    assert body["merchants"] == {"value": 3, "previous": 1, "change": 200.0}
    assert body["escalations"] == {"open": 0, "overdue": 0}
    totals = stats_summary(f)["current"]
    assert (body["complaints"]["value"], Decimal(body["loss"]["value"])) == (totals["complaints"], totals["loss"])


def test_summary_for_a_regulator_counts_its_province_and_its_escalations(province_regulator, complaints):
    authority = province_regulator.authority_membership.authority
    EscalationFactory(merchant=complaints["fruit"][0].merchant, authority=authority)
    EscalationFactory(
        merchant=complaints["duck"][0].merchant, authority=provincial(Authority.Kind.MARKET_REGULATOR, OTHER_PROVINCE)
    )

    body = api_client(province_regulator).get(SUMMARY).json()

    assert body["complaints"] == {"value": 3, "previous": 1, "change": 200.0}
    assert body["loss"]["value"] == "1200.49"
    assert body["merchants"]["value"] == 2
    assert body["escalations"] == {"open": 1, "overdue": 0}
    assert stats_summary(default_filter(regions=(PROVINCE,)))["current"]["complaints"] == 3


def test_summary_of_a_platform_owner_counts_only_its_platforms(platform_staff, complaints):
    body = api_client(platform_staff).get(SUMMARY).json()

    # The fruit shop's two and the duck shop's one are on Taobao; the gadgets shop sells on Douyin.
    assert body["complaints"]["value"] == 3
    assert body["loss"]["value"] == "5200.50"


def test_summary_honours_the_filters(moderator, complaints):
    today = timezone.localdate()
    params = {"category": "counterfeit", "from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}

    body = api_client(moderator).get(SUMMARY, params).json()

    assert body["complaints"]["value"] == 1
    assert body["loss"]["value"] == "999.99"
    assert body["period"] == {"from": params["from"], "to": params["to"]}


def test_a_merchant_filter_by_public_id_narrows_every_figure(moderator, complaints):
    merchant = complaints["gadgets"][0].merchant

    body = api_client(moderator).get(SUMMARY, {"merchant": str(merchant.uuid)}).json()

    assert body["complaints"]["value"] == 1
    assert body["merchants"]["value"] == 1


# Timeseries ----------------------------------------------------------------------------------------


def test_timeseries_is_the_rollup_per_period_with_zeros(province_regulator, complaints):
    response = api_client(province_regulator).get(TIMESERIES, {"interval": "day"})

    assert response.status_code == 200, response.content
    body = response.json()
    expected = stats_timeseries(default_filter(regions=(PROVINCE,)), interval="day")
    assert body["interval"] == "day"
    assert len(body["results"]) == DEFAULT_DAYS
    assert body["results"] == [
        {"period": row["period"].isoformat(), "complaints": row["complaints"], "loss": f"{row['loss']:.2f}"}
        for row in expected
    ]
    assert sum(point["complaints"] for point in body["results"]) == 3
    # Beijing's 5000.00 is not in the regulator's series.
    assert sum(Decimal(point["loss"]) for point in body["results"]) == Decimal("1200.49")


def test_timeseries_interval_follows_the_period_unless_given(moderator, complaints):
    client = api_client(moderator)
    today = timezone.localdate()

    long = client.get(TIMESERIES, {"from": (today - timedelta(days=399)).isoformat()}).json()
    monthly = client.get(TIMESERIES, {"interval": "month"}).json()

    assert long["interval"] == "week"
    assert monthly["interval"] == "month"
    assert all(point["period"].endswith("-01") for point in monthly["results"])
    assert sum(point["complaints"] for point in monthly["results"]) == 4


# Breakdown -----------------------------------------------------------------------------------------


def test_breakdown_by_province_for_a_moderator_has_both_provinces_largest_first(moderator, complaints):
    body = api_client(moderator).get(BREAKDOWN, {"by": "province"}).json()

    assert body["by"] == "province"
    assert body["results"] == [
        {"key": PROVINCE, "label": "Guangdong", "complaints": 3, "loss": "1200.49"},
        {"key": OTHER_PROVINCE, "label": "Beijing", "complaints": 1, "loss": "5000.00"},
    ]


def test_breakdown_for_a_regulator_has_only_its_province(province_regulator, complaints):
    for by in ("province", "category", "platform"):
        body = api_client(province_regulator).get(BREAKDOWN, {"by": by}).json()
        expected = stats_breakdown(default_filter(regions=(PROVINCE,)), by=by)
        assert [(row["key"], row["complaints"]) for row in body["results"]] == [
            (row["key"], row["complaints"]) for row in expected
        ]
    provinces = api_client(province_regulator).get(BREAKDOWN, {"by": "province"}).json()["results"]
    assert [row["key"] for row in provinces] == [PROVINCE]


def test_breakdown_labels_follow_the_language(moderator, complaints):
    body = api_client(moderator, language="zh-hans").get(BREAKDOWN, {"by": "category"}).json()

    labels = {row["key"]: row["label"] for row in body["results"]}
    assert labels["counterfeit"] == "假冒商品"


@pytest.mark.parametrize("params", [{}, {"by": "merchant"}, {"by": ""}])
def test_breakdown_needs_a_known_dimension(moderator, params):
    error = error_of(api_client(moderator).get(BREAKDOWN, params), 400, "invalid")

    assert list(error["fields"]) == ["by"]


# Rising merchants ----------------------------------------------------------------------------------


def test_merchants_lists_the_rising_ones_of_the_scope(province_regulator, complaints):
    response = api_client(province_regulator).get(MERCHANTS, {"interval": "day"})

    assert response.status_code == 200, response.content
    body = response.json()
    fruit, gadgets = complaints["fruit"][0].merchant, complaints["gadgets"][0].merchant
    # Both grew by one; the fruit shop has more complaints, so it comes first. Beijing's shop is not there.
    assert [row["id"] for row in body["results"]] == [str(fruit.uuid), str(gadgets.uuid)]
    first = body["results"][0]
    assert first == {
        "id": str(fruit.uuid),
        "name": fruit.name,
        "complaints": 2,
        "previous": 1,
        "growth": 1,
        "loss": "200.50",
        "risk_level": "low",
        "sparkline": first["sparkline"],
    }
    assert body["interval"] == "day"
    assert len(first["sparkline"]) == DEFAULT_DAYS
    assert sum(first["sparkline"]) == 2


def test_merchants_limit_is_bounded(moderator, complaints):
    client = api_client(moderator)

    assert len(client.get(MERCHANTS, {"limit": 1}).json()["results"]) == 1
    assert len(client.get(MERCHANTS).json()["results"]) == 3
    for limit in (0, 101, "ten"):
        assert list(error_of(client.get(MERCHANTS, {"limit": limit}), 400)["fields"]) == ["limit"]


# Scope ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_a_regulator_cannot_ask_for_another_province(province_regulator, complaints, url, params):
    response = api_client(province_regulator).get(url, {**params, "province": OTHER_PROVINCE})

    error = error_of(response, 400, "invalid")
    assert list(error["fields"]) == ["province"]
    assert OTHER_PROVINCE in error["fields"]["province"][0]


def test_a_platform_owner_cannot_ask_for_another_platform(platform_staff, complaints):
    error = error_of(api_client(platform_staff).get(SUMMARY, {"platform": OTHER_PLATFORM}), 400)

    assert list(error["fields"]) == ["platform"]


def test_a_regulator_never_sees_another_provinces_merchants(province_regulator, complaints):
    duck = complaints["duck"][0].merchant

    by_merchant = api_client(province_regulator).get(SUMMARY, {"merchant": str(duck.uuid)}).json()
    rising = api_client(province_regulator).get(MERCHANTS, {"limit": 100}).json()

    assert by_merchant["complaints"]["value"] == 0
    assert by_merchant["loss"]["value"] == "0.00"
    assert str(duck.uuid) not in {row["id"] for row in rising["results"]}


# Refusals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_anonymous_callers_must_authenticate(url, params):
    error_of(api_client().get(url, params), 401, "not_authenticated")


@pytest.mark.parametrize("who", ["complainant", "merchant_rep", "regulator"])
@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_users_without_a_dashboard_are_refused(who, url, params, request):
    # `regulator` has the authority role but is a member of no authority.
    user = request.getfixturevalue(who)

    error = error_of(api_client(user).get(url, params), 403, "permission_denied")

    assert error["message"] == str(MSG_NO_DASHBOARD)


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_bad_dates_are_refused_with_the_error_body(moderator, url, params):
    client = api_client(moderator)

    bad_date = error_of(client.get(url, {**params, "from": "2025-13-40"}), 400, "invalid")
    reversed_range = error_of(client.get(url, {**params, "from": "2025-03-02", "to": "2025-03-01"}), 400, "invalid")

    assert list(bad_date["fields"]) == ["from"]
    assert reversed_range["fields"] == {"non_field_errors": [str(MSG_RANGE_ORDER)]}
    assert reversed_range["message"] == str(MSG_RANGE_ORDER)


def test_errors_follow_the_language(moderator):
    error = error_of(api_client(moderator, language="zh-hans").get(SUMMARY, {"to": "yesterday"}), 400)

    assert error["fields"]["to"] == ["输入一个有效的日期。"]


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_only_get_is_allowed(moderator, url, params):
    error_of(api_client(moderator).post(url, params, format="json"), 405, "method_not_allowed")


def test_stats_calls_are_throttled_per_account(moderator, province_regulator, monkeypatch):
    # DRF reads the rates once, into the throttle class: override them there.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "stats", "2/minute")
    client = api_client(moderator)
    assert client.get(SUMMARY).status_code == 200
    assert client.get(BREAKDOWN, {"by": "category"}).status_code == 200

    response = client.get(TIMESERIES)

    error_of(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert api_client(province_regulator).get(SUMMARY).status_code == 200


# Schema --------------------------------------------------------------------------------------------

FILTER_NAMES = {"from", "to", "province", "platform", "category", "merchant", "risk", "verified", "interval"}


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/v1/stats/summary/", set()),
        ("/api/v1/stats/timeseries/", set()),
        ("/api/v1/stats/breakdown/", {"by"}),
        ("/api/v1/stats/merchants/", {"limit"}),
    ],
)
def test_schema_documents_each_endpoint_with_its_parameters_and_errors(path, extra):
    schema = api_client().get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"][path]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) == FILTER_NAMES | extra
    assert parameters["province"]["schema"]["type"] == "array"
    assert PROVINCE in parameters["province"]["schema"]["items"]["enum"]
    if "by" in extra:
        assert parameters["by"]["required"] is True
        assert set(parameters["by"]["schema"]["enum"]) == {"category", "platform", "province"}
    assert {"200", "400", "401", "403", "405", "429"} <= set(operation["responses"])
    assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert set(schema["paths"][path]) == {"get"}
