"""The dashboard page: who may see it, what their scope lets them see, filters in the address, the drill-down to
one merchant, and a number of queries that does not grow with the rows shown."""

import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.services import complaint_submit
from complaints.workflow import complaint_accept, complaint_withdraw
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.dashboards import views
from portal.dashboards.filters import MSG_MERCHANT_UNKNOWN, MSG_RANGE_ORDER
from portal.dashboards.tests.conftest import OTHER_PROVINCE, PROVINCE
from portal.escalations.models import Authority
from portal.escalations.tests.factories import (
    AuthorityFactory,
    EscalationFactory,
    provincial,
)

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
PHONE = "13812345678"
NARRATIVE = f"付款以后商家一直没有发货，客服电话{PHONE}也打不通，群里很多人都遇到了同样的情况，请帮忙。"
# A fixed period, so the previous period and the series are known; complaints are filed at noon on these days.
START, END = date(2025, 3, 1), date(2025, 3, 10)
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def file(
    name="旺铺数码",
    *,
    region=PROVINCE,
    platform="taobao_tmall",
    category="not_delivered",
    amount="100.00",
    day=START,
):
    # A new complainant each time: three complaints from one account against one merchant would be flagged.
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=name, platform=platform),
        category=category,
        narrative=NARRATIVE,
        amount=Decimal(amount),
        region=region,
        submitted_at=noon(day),
    )


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, {**PERIOD, **params}, headers={"accept-language": "en"})


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of one table."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def export_href(html: str, table: str, fmt: str = "csv") -> str:
    tag = re.search(rf'<a href="([^"]+)" download data-export="{table}-{fmt}"', html)
    return unescape(tag.group(1))


def charts(response) -> dict:
    return json.loads(re.search(r'id="dashboard-charts"[^>]*>(.*?)</script>', response.text, re.S).group(1))


@pytest.fixture
def guangdong():
    return provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE)


@pytest.fixture
def seeded():
    """Guangdong: two Taobao complaints and a JD one; Beijing: a Douyin shop of its own and a Taobao complaint."""
    gd = file("旺铺数码", amount="300.00")
    file("旺铺数码", amount="200.00", category="refund_refused", day=START + timedelta(days=1))
    file("京东小店", platform="jd", amount="50.00")
    bj = file("北京抖店", region=OTHER_PROVINCE, platform="douyin", amount="7000.00")
    file("旺铺数码", region=OTHER_PROVINCE, amount="900.00")
    return {"gd": gd.merchant, "bj": bj.merchant}


# Who may see it -----------------------------------------------------------------------------------


def test_moderator_sees_national_figures(client, moderator, seeded):
    response = get(client, moderator)

    assert response.status_code == 200
    cards = {card["name"]: card for card in response.context["cards"]}
    assert cards["complaints"]["value"] == 5
    assert cards["loss"]["value"] == Decimal("8450.00")
    assert cards["merchants"]["value"] == 3
    provinces = [row[0] for row in table_rows(response.text, "table-province")]
    assert set(provinces) == {"Guangdong", "Beijing"}
    assert "National figures" in response.text
    for table in ("timeseries", "category", "platform", "province", "merchants"):
        assert f'id="table-{table}"' in response.text


def test_regulator_sees_their_province_and_never_another(client, province_regulator, seeded):
    response = get(client, province_regulator)

    assert response.status_code == 200
    cards = {card["name"]: card for card in response.context["cards"]}
    assert (cards["complaints"]["value"], cards["loss"]["value"], cards["merchants"]["value"]) == (
        3,
        Decimal("550.00"),
        2,
    )
    assert [row[0] for row in table_rows(response.text, "table-province")] == ["Guangdong"]
    merchants = [row[0] for row in table_rows(response.text, "table-merchants")]
    assert sorted(merchants) == sorted(["旺铺数码", "京东小店"])
    assert "北京抖店" not in response.text
    assert "7,000" not in response.text and "7000" not in response.text
    assert sum(int(row[1]) for row in table_rows(response.text, "table-timeseries")) == 3


@pytest.mark.parametrize(("who", "complaints"), [("police_officer", 3), ("association_staff", 5)])
def test_police_see_their_province_and_the_association_the_nation(client, request, who, complaints, seeded):
    response = get(client, request.getfixturevalue(who))

    assert response.status_code == 200
    assert response.context["cards"][0]["value"] == complaints


def test_regulator_cannot_ask_for_another_province(client, province_regulator, seeded):
    response = get(client, province_regulator, province=OTHER_PROVINCE)

    assert response.status_code == 400
    assert "cards" not in response.context
    assert "Provinces:" in response.text
    assert "北京抖店" not in response.text


def test_regulator_drilling_into_a_merchant_of_another_province_sees_nothing(client, province_regulator, seeded):
    response = get(client, province_regulator, merchant=str(seeded["bj"].uuid))

    assert response.status_code == 200
    assert response.context["cards"][0]["value"] == 0
    assert table_rows(response.text, "table-complaints") == [["No complaints match these filters."]]


def test_platform_owner_sees_only_their_platforms(client, platform_staff, seeded):
    response = get(client, platform_staff)

    assert response.status_code == 200
    assert response.context["cards"][0]["value"] == 3
    assert [row[0] for row in table_rows(response.text, "table-platform")] == ["Taobao / Tmall"]
    assert sorted(row[0] for row in table_rows(response.text, "table-province")) == ["Beijing", "Guangdong"]
    assert "京东小店" not in response.text and "北京抖店" not in response.text
    # Only their platforms are offered as a filter, and asking for another is refused.
    assert 'value="taobao_tmall"' in response.text and 'value="jd"' not in response.text
    assert get(client, platform_staff, platform="jd").status_code == 400


def test_anonymous_visitors_are_sent_to_log_in(client, seeded):
    response = client.get(URL, {"platform": "jd"})

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [f"{URL}?platform=jd"]


@pytest.mark.parametrize("who", ["stranger", "complainant", "merchant_rep", "regulator"])
def test_people_without_a_scope_get_404(client, request, who, seeded):
    # "regulator" is the cast's authority-role account with no authority membership.
    user = request.getfixturevalue(who)

    assert get(client, user).status_code == 404


def test_staff_of_an_inactive_authority_get_404(client, province_regulator, guangdong):
    Authority.objects.filter(pk=guangdong.pk).update(active=False)

    assert get(client, province_regulator).status_code == 404


def test_post_is_not_allowed(client, moderator):
    client.force_login(moderator)

    assert client.post(URL, PERIOD).status_code == 405


# Filters ------------------------------------------------------------------------------------------


def test_invalid_dates_show_the_error_and_no_figures(client, moderator, seeded):
    response = get(client, moderator, **{"from": "2025-02-30"})

    assert response.status_code == 400
    assert "cards" not in response.context
    assert 'id="filter-errors"' in response.text
    assert "From: Enter a valid date." in response.text
    assert 'id="table-timeseries"' not in response.text
    assert "dashboard-charts" not in response.text


def test_start_after_end_is_explained(client, moderator):
    response = get(client, moderator, **{"from": "2025-03-10", "to": "2025-03-01"})

    assert response.status_code == 400
    assert str(MSG_RANGE_ORDER) in unescape(response.text)


def test_unknown_merchant_is_an_error(client, moderator):
    response = get(client, moderator, merchant="00000000-0000-4000-8000-000000000000")

    assert response.status_code == 400
    assert f"Merchant: {MSG_MERCHANT_UNKNOWN}" in unescape(response.text)


def test_filters_narrow_every_figure(client, moderator, seeded):
    response = get(client, moderator, platform="taobao_tmall", category="not_delivered")

    assert response.context["cards"][0]["value"] == 2
    assert table_rows(response.text, "table-category") == [
        ["Paid but not delivered (pre-sales included)", "2", "1,200.00"]
    ]
    assert table_rows(response.text, "table-platform") == [["Taobao / Tmall", "2", "1,200.00"]]
    assert [row[0] for row in table_rows(response.text, "table-merchants")] == ["旺铺数码"]
    payload = charts(response)
    assert payload["breakdowns"]["platform"] == {"labels": ["Taobao / Tmall"], "complaints": [2]}
    assert sum(payload["timeseries"]["complaints"]) == 2


def test_the_form_shows_the_filters_in_effect(client, moderator, seeded):
    response = get(client, moderator, platform="jd", verified="1")

    html = response.text
    assert f'name="from" id="id_start" value="{START.isoformat()}"' in html
    assert f'name="to" id="id_end" value="{END.isoformat()}"' in html
    # Ten days are drawn day by day unless the user says otherwise.
    assert '<option value="day" selected>' in html
    assert 'name="platform" value="jd" checked' in html
    assert 'name="platform" value="douyin">' in html
    assert 'name="verified" id="id_verified" checked' in html


def test_export_links_carry_the_filters(client, moderator, seeded):
    response = get(client, moderator, platform="taobao_tmall", category="not_delivered", interval="week")

    for table in ("timeseries", "category", "platform", "province", "merchants"):
        for fmt in ("csv", "xlsx"):
            href = urlsplit(export_href(response.text, table, fmt))
            assert href.path == reverse("dashboards:export", kwargs={"table": table, "fmt": fmt})
            assert parse_qs(href.query) == {
                "from": [START.isoformat()],
                "to": [END.isoformat()],
                "platform": ["taobao_tmall"],
                "category": ["not_delivered"],
                "interval": ["week"],
            }


def test_series_and_table_agree_with_the_previous_period(client, moderator):
    file(day=START)
    file(day=START + timedelta(days=2), amount="50.00")
    file(day=START - timedelta(days=3), amount="40.00")  # in the previous ten days

    response = get(client, moderator)

    cards = {card["name"]: card for card in response.context["cards"]}
    complaints = cards["complaints"]
    assert (complaints["value"], complaints["previous"], complaints["change"]) == (2, 1, 100.0)
    assert "up 100.0%" in response.text
    assert "Previous period: 40.00" in response.text
    rows = table_rows(response.text, "table-timeseries")
    assert len(rows) == 10
    assert rows[0] == [START.isoformat(), "1", "100.00"]
    assert rows[2] == [(START + timedelta(days=2)).isoformat(), "1", "50.00"]
    payload = charts(response)
    assert payload["timeseries"]["periods"] == [row[0] for row in rows]
    assert payload["timeseries"]["loss"][0] == "100.00"
    assert payload["names"] == {"complaints": "Complaints", "loss": "Claimed loss (CNY)"}


def test_chart_words_follow_the_language(client, moderator, seeded):
    client.force_login(moderator)
    response = client.get(URL, PERIOD, headers={"accept-language": "zh-hans"})

    payload = charts(response)
    assert payload["names"]["complaints"] == "投诉"
    assert "广东省" in payload["breakdowns"]["province"]["labels"]


def test_escalations_are_those_of_the_staff_authority(client, province_regulator, guangdong, moderator):
    past = timezone.now() - timedelta(days=2)
    EscalationFactory(authority=guangdong, opened_at=past)  # acknowledgement overdue
    EscalationFactory(authority=guangdong)
    EscalationFactory(authority=AuthorityFactory(), opened_at=past)

    staff_view = get(client, province_regulator).context["escalations"]
    moderator_view = get(client, moderator).context["escalations"]

    assert staff_view == {"open": 2, "overdue": 1}
    assert moderator_view == {"open": 3, "overdue": 2}


# Rising merchants and the drill-down --------------------------------------------------------------


def test_rising_merchants_link_to_the_drill_down_with_the_filters(client, moderator, seeded):
    response = get(client, moderator, category="not_delivered", risk="low")

    link = re.search(rf'<tr data-merchant="{seeded["gd"].uuid}">.*?<a href="([^"]+)"', response.text, re.S).group(1)
    target = urlsplit(unescape(link))
    assert target.path == URL
    assert parse_qs(target.query) == {
        "from": [START.isoformat()],
        "to": [END.isoformat()],
        "category": ["not_delivered"],
        "risk": ["low"],
        "interval": ["day"],
        "merchant": [str(seeded["gd"].uuid)],
    }
    row = next(row for row in table_rows(response.text, "table-merchants") if row[0] == "旺铺数码")
    assert row[1:6] == ["2", "0", "+2", "Low or no risk", "1,200.00"]
    assert re.search(rf'<tr data-merchant="{seeded["gd"].uuid}">.*?<polyline points="0.0,', response.text, re.S)


def test_drill_down_lists_only_the_scoped_complaints_of_the_merchant(client, province_regulator, seeded):
    response = get(client, province_regulator, merchant=str(seeded["gd"].uuid))

    assert response.status_code == 200
    assert response.context["cards"][0]["value"] == 2
    rows = table_rows(response.text, "table-complaints")
    assert [row[4] for row in rows] == ["Guangdong", "Guangdong"]
    assert [row[2] for row in rows] == ["Refund or return refused", "Paid but not delivered (pre-sales included)"]
    assert rows[0][5] == "CNY 200.00"
    assert rows[0][6] == "Submitted"
    # The redacted account only: the phone is masked, and no complainant is named.
    assert "138****5678" in rows[0][7]
    assert PHONE not in response.text
    assert "@example.com" not in re.search(r'id="table-complaints".*?</table>', response.text, re.S).group(0)
    # Staff get no link into moderation; the merchant's public profile and a way back are offered.
    assert "/moderation/complaints/" not in response.text
    assert f'href="/merchants/{seeded["gd"].uuid}/"' in response.text
    assert "data-merchant-filter>旺铺数码<" in response.text
    clear = unescape(re.search(r'<a href="([^"]*)">clear<', response.text).group(1))
    assert parse_qs(urlsplit(clear).query) == {key: [value] for key, value in PERIOD.items()}
    complaints_export = urlsplit(export_href(response.text, "complaints"))
    assert parse_qs(complaints_export.query)["merchant"] == [str(seeded["gd"].uuid)]


def test_moderators_get_a_link_to_each_moderation_case(client, moderator, seeded):
    response = get(client, moderator, merchant=str(seeded["gd"].uuid))

    codes = [row[1] for row in table_rows(response.text, "table-complaints")]
    assert len(codes) == 3
    for code in codes:
        assert f'href="{reverse("complaint_moderation:detail", args=[code])}"' in response.text


def test_drill_down_pages_keep_the_filters(client, moderator, monkeypatch):
    monkeypatch.setattr(views, "COMPLAINTS_PER_PAGE", 2)
    complaints = [file(day=START + timedelta(days=n)) for n in range(5)]
    merchant = complaints[0].merchant

    first = get(client, moderator, merchant=str(merchant.uuid), platform="taobao_tmall")
    third = get(client, moderator, merchant=str(merchant.uuid), platform="taobao_tmall", page="3")

    assert len(table_rows(first.text, "table-complaints")) == 2
    assert "Page 1 of 3" in first.text
    next_link = unescape(re.search(r'<a href="([^"]+)#complaints">Next', first.text).group(1))
    assert parse_qs(urlsplit(next_link).query) == {
        **{key: [value] for key, value in PERIOD.items()},
        "merchant": [str(merchant.uuid)],
        "platform": ["taobao_tmall"],
        "page": ["2"],
    }
    assert table_rows(third.text, "table-complaints")[0][0] == START.isoformat()


def test_only_counted_complaints_are_listed(client, moderator):
    kept = file()
    withdrawn = file()
    complaint_withdraw(complaint=withdrawn, user=withdrawn.complainant)

    response = get(client, moderator, merchant=str(kept.merchant.uuid))

    assert [row[1] for row in table_rows(response.text, "table-complaints")] == [kept.code]


# Queries ------------------------------------------------------------------------------------------


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {**PERIOD, **params}, headers={"accept-language": "en"})
    assert response.status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_the_merchants_shown(client, moderator):
    client.force_login(moderator)
    for n in range(3):
        file(f"小店{n}", category="counterfeit")
    few = queries(client)
    assert len(table_rows(client.get(URL, PERIOD).text, "table-merchants")) == 3

    for n in range(3, 12):
        file(f"小店{n}", category="counterfeit")
    many = queries(client)

    assert len(table_rows(client.get(URL, PERIOD).text, "table-merchants")) == 10
    assert few == many


def test_drill_down_queries_do_not_grow_with_the_complaints_listed(client, moderator):
    client.force_login(moderator)
    merchant = file().merchant
    for _n in range(2):
        file()
    few = queries(client, merchant=str(merchant.uuid))

    for _n in range(9):
        file()
    many = queries(client, merchant=str(merchant.uuid))

    assert len(table_rows(client.get(URL, {**PERIOD, "merchant": str(merchant.uuid)}).text, "table-complaints")) == 12
    assert few == many


def test_accepted_complaints_count_as_verified(client, moderator):
    accepted = complaint_accept(complaint=file(), moderator=moderator)
    file()

    response = get(client, moderator, verified="1")

    assert response.context["cards"][0]["value"] == 1
    assert table_rows(response.text, "table-merchants")[0][0] == accepted.merchant.name


@pytest.mark.parametrize(("who", "shown"), [("moderator", True), ("province_regulator", True), ("complainant", False)])
def test_navigation_links_the_dashboard_for_those_who_have_one(client, request, who, shown):
    client.force_login(request.getfixturevalue(who))

    page = client.get("/", headers={"accept-language": "en"}).text

    assert ('href="/dashboard/"' in page) is shown
    assert 'href="/statistics/"' in page
