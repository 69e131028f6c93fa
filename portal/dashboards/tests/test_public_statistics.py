"""The public statistics page: national figures for anyone, merchants named only on enough verified complaints,
nothing a visitor can narrow, cached and rate-limited."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone

from complaints.services import complaint_submit
from complaints.workflow import complaint_accept
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.dashboards import views
from portal.dashboards.tests.conftest import OTHER_PROVINCE, PROVINCE

pytestmark = pytest.mark.django_db

URL = "/statistics/"
NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了，请大家注意。"
MINIMUM = 3


@pytest.fixture(autouse=True)
def minimum(settings):
    settings.PUBLIC_STATS_MIN_COMPLAINTS = MINIMUM


def file(name, *, region=PROVINCE, platform="taobao_tmall", amount="100.00", days_ago=1):
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=name, platform=platform),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal(amount),
        region=region,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def verified(name, moderator, count, **facts):
    return [complaint_accept(complaint=file(name, **facts), moderator=moderator) for _n in range(count)]


def get(client, **params):
    return client.get(URL, params, headers={"accept-language": "en"})


def named(response) -> list[str]:
    table = re.search(r'<table[^>]*id="table-merchants".*?</table>', response.text, re.S)
    if table is None:
        return []
    return [
        unescape(name) for name in re.findall(r'<a href="/merchants/[^"]+/" dir="auto">([^<]+)</a>', table.group(0))
    ]


def headline(response) -> dict:
    return {card["name"]: card["value"] for card in response.context["cards"]}


def test_anyone_sees_national_figures(client):
    file("广州小店", amount="120.00")
    file("北京小店", region=OTHER_PROVINCE, platform="douyin", amount="80.00")
    file("旧账小店", days_ago=400)  # before the last twelve months

    response = get(client)

    assert response.status_code == 200
    assert headline(response) == {"complaints": 2, "loss": Decimal("200.00"), "merchants": 2}
    assert 'id="table-timeseries"' in response.text
    assert 'id="table-province"' in response.text
    assert 'id="chart-timeseries"' in response.text
    assert "dashboard-charts" in response.text
    # National: nothing here is escalations, exports or filters.
    assert "/dashboard/export/" not in response.text
    assert 'data-card="escalations-open"' not in response.text


def test_a_merchant_is_named_at_the_minimum_of_verified_complaints_and_not_below(client, moderator):
    at_minimum = verified("达标小店", moderator, MINIMUM)[0].merchant
    verified("差一单小店", moderator, MINIMUM - 1)

    response = get(client)

    assert named(response) == ["达标小店"]
    assert f'href="/merchants/{at_minimum.uuid}/"' in response.text
    assert "差一单小店" not in response.text


def test_unverified_complaints_never_name_a_merchant(client, moderator):
    for _n in range(MINIMUM + 2):
        file("未核实小店")
    verified("半核实小店", moderator, MINIMUM - 1)
    file("半核实小店")

    response = get(client)

    assert named(response) == []
    assert "未核实小店" not in response.text and "半核实小店" not in response.text
    assert "No merchant has enough verified complaints in this period to be named." in response.text
    # They still count in the national totals.
    assert headline(response)["complaints"] == MINIMUM + 2 + MINIMUM


def test_no_province_platform_or_merchant_filter_is_applied(client, moderator):
    guangdong = verified("广州小店", moderator, MINIMUM)[0].merchant
    verified("北京小店", moderator, MINIMUM, region=OTHER_PROVINCE, platform="douyin")
    national = get(client)
    national_rows = re.search(r'id="table-province".*?</table>', national.text, re.S).group(0)

    cache.clear()
    narrowed = get(
        client,
        province=PROVINCE,
        platform="taobao_tmall",
        merchant=str(guangdong.uuid),
        risk="high",
        verified="1",
    )

    assert narrowed.status_code == 200
    assert headline(narrowed) == headline(national) == {"complaints": 6, "loss": Decimal("600.00"), "merchants": 2}
    assert re.search(r'id="table-province".*?</table>', narrowed.text, re.S).group(0) == national_rows
    assert sorted(named(narrowed)) == ["北京小店", "广州小店"]


@pytest.mark.parametrize(("period", "days"), [("30d", 30), ("90d", 90), ("365d", 365), ("forever", 365)])
def test_periods_are_a_fixed_set(client, period, days):
    file("近期小店", days_ago=20)
    file("上季小店", days_ago=60)

    response = get(client, period=period)

    today = timezone.localdate()
    assert response.context["start"] == today - timedelta(days=days - 1)
    assert response.context["end"] == today
    assert headline(response)["complaints"] == (1 if days == 30 else 2)


def test_figures_are_cached_per_period_and_language(client, django_assert_num_queries):
    file("广州小店")
    first = get(client)

    file("广州小店")
    with django_assert_num_queries(0):
        cached = get(client)
    other_period = get(client, period="90d")
    chinese = client.get(URL, headers={"accept-language": "zh-hans"})

    assert headline(first)["complaints"] == headline(cached)["complaints"] == 1
    assert headline(other_period)["complaints"] == 2
    assert headline(chinese)["complaints"] == 2
    assert "Paid but not delivered (pre-sales included)" in cached.text
    assert "付款后未发货（含预售）" in chinese.text


def test_cache_lasts_as_configured(client, settings, monkeypatch):
    settings.PUBLIC_STATS_CACHE_SECONDS = 600
    stored = {}
    real_set = views.cache.set

    def spy(key, value, timeout=None):
        stored[key] = timeout
        return real_set(key, value, timeout)

    monkeypatch.setattr(views.cache, "set", spy)
    get(client)

    assert stored == {f"dashboards:public:365d:en:{timezone.localdate().isoformat()}": 600}


def test_is_rate_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_STATS_RATE", "2/m")
    for _attempt in range(2):
        assert get(client).status_code == 200

    assert get(client).status_code == 429
    assert client.get(URL, REMOTE_ADDR="203.0.113.9", headers={"accept-language": "en"}).status_code == 200


def test_post_is_not_allowed(client):
    assert client.post(URL).status_code == 405


def test_link_is_in_everyones_navigation(client, stranger):
    assert 'href="/statistics/"' in get(client).text
    client.force_login(stranger)
    page = client.get("/", headers={"accept-language": "en"}).text
    assert 'href="/statistics/"' in page
    assert 'href="/dashboard/"' not in page
