"""Check before you pay: the home page's search box and /check/."""

import re

import pytest
from django.urls import reverse

from complaints.models import Complaint
from merchants.models import Merchant, Platform
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve
from portal.accounts.tests.factories import UserFactory
from portal.escalations.alerts import risk_alert_create
from portal.pages.merchant_views import MSG_QUERY_TOO_SHORT
from portal.pages.tests.helpers import BANK_CARD, PHONE, claims, file, publish_alert, reply, stand

pytestmark = pytest.mark.django_db

CHECK_URL = "/check/"
NOT_SAFE = "That does not mean it is safe"


def get(client, url, **params):
    return client.get(url, params, headers={"accept-language": "en"})


def profile_url(merchant):
    return f"/merchants/{merchant.uuid}/"


@pytest.fixture
def shop(complainant, stranger):
    """A shop with three complaints by two people, known by a phone and a bank card."""
    file(complainant, merchant_phone="138 0013 8000", company_name="深圳市易联购科技有限公司")
    file(stranger, category="merchant_vanished", payee_account=BANK_CARD)
    file(complainant)
    return Merchant.objects.get(name="易联购")


def test_the_home_page_has_one_search_box_that_needs_no_script(client):
    page = get(client, "/").text

    form = re.search(r'<form method="get" action="/check/" role="search"[^>]*>(.*?)</form>', page, re.S)
    assert form, "a GET form to /check/"
    assert page.count('name="q"') == 1
    assert '<label for="merchant-query">' in form.group(1)
    assert 'id="merchant-query"' in form.group(1)
    assert '<button type="submit"' in form.group(1)


def test_the_check_page_offers_the_form(client):
    response = get(client, CHECK_URL)

    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert response.context["results"] is None
    assert reverse("pages:check") == CHECK_URL


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/merchants/", "/check/"),
        ("/merchants/?q=%E6%98%93%E8%81%94%E8%B4%AD&x=1", "/check/?q=%E6%98%93%E8%81%94%E8%B4%AD&x=1"),
    ],
)
def test_the_old_address_moves_for_good_with_its_query(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_phone_typed_differently_finds_the_shop_and_is_never_written_back(client, shop):
    response = get(client, CHECK_URL, q="+86 138-0013-8000")

    assert response.status_code == 200
    results = response.context["results"]
    assert [row.merchant for row in results] == [shop]
    assert results[0].complaints == 3
    page = response.text
    assert profile_url(shop) in page
    assert "Exact match: Phone" in page
    assert "Results for the number or account you typed" in page
    for hidden in [PHONE, "138-0013-8000", "138 0013 8000", "+8613800138000"]:
        assert hidden not in page


def test_a_payee_account_finds_the_shop_and_is_never_written_back(client, shop):
    response = get(client, CHECK_URL, q="6222 0212 3456 7890 128")

    assert [row.merchant for row in response.context["results"]] == [shop]
    page = response.text
    assert "Exact match: Bank card" in page
    assert BANK_CARD not in page
    assert "6222 0212 3456 7890 128" not in page


def test_a_name_in_pinyin_is_found_and_repeated(client, shop):
    response = get(client, CHECK_URL, q="Yi Lian Gou")

    assert [row.merchant for row in response.context["results"]] == [shop]
    assert "Matched by name (score 100 of 100)" in response.text
    assert "Results for “Yi Lian Gou”" in response.text
    assert 'value="Yi Lian Gou"' in response.text


def test_results_show_what_complaints_say_how_the_merchant_replies_and_the_moderators_warning(
    client, shop, complainant, moderator
):
    answered, late, _silent = (stand(c) for c in Complaint.objects.filter(merchant=shop).order_by("pk"))
    reply(answered, complainant, "已联系买家退款。")
    reply(late, complainant, "正在核实。", on_time=False)
    publish_alert(shop, moderator, text="多名买家反映付款后不发货，请勿付款。")

    response = get(client, CHECK_URL, q="易联购")

    row = response.context["results"][0]
    assert [category["code"] for category in row.top_categories] == ["not_delivered", "merchant_vanished"]
    assert (row.record.replied, row.record.answerable) == (2, 3)
    page = response.text
    assert "Paid but not delivered (pre-sales included) (2)" in page
    assert "Replied to 67% of the complaints due for a reply (2 of 3)." in page
    assert "Warning from our moderators (High risk):" in page
    assert "多名买家反映付款后不发货，请勿付款。" in page


def test_a_proposed_warning_is_not_shown(client, shop, moderator):
    risk_alert_create(merchant=shop, level="medium", text="待审核的提醒", actor=moderator)

    page = get(client, CHECK_URL, q="易联购").text

    assert "待审核的提醒" not in page
    assert "Warning from our moderators" not in page


def test_a_merchant_without_complaints_has_none_yet_and_is_never_called_safe(client):
    merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", wechat_id="guoyuan2024"))

    page = get(client, CHECK_URL, q="guoyuan2024").text

    assert f"No complaints about this merchant yet. {NOT_SAFE}" in page
    assert page.count("safe") == page.count(NOT_SAFE)


def test_no_match_says_no_complaints_yet_and_warns(client, shop):
    response = get(client, CHECK_URL, q="13900139000")

    assert response.context["results"] == []
    assert "No complaints yet about a merchant matching this. That does not mean the seller is safe" in response.text
    assert "13900139000" not in response.text


@pytest.mark.parametrize("q", ["a", " b ", "【"])
def test_too_short_a_query_is_refused(client, shop, q):
    response = get(client, CHECK_URL, q=q)

    assert response.status_code == 200
    assert response.context["results"] is None
    assert str(MSG_QUERY_TOO_SHORT % {"count": 2}) in response.text


def test_the_check_is_rate_limited_per_address(client, shop, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _attempt in range(2):
        assert get(client, CHECK_URL, q="易联购").status_code == 200

    assert get(client, CHECK_URL, q="易联购").status_code == 429
    # The form alone costs nothing.
    assert get(client, CHECK_URL).status_code == 200


def test_only_active_merchants_are_listed(client, shop, moderator):
    old = merchant_resolve(claims=claims(merchant_name="旧店名", wechat_id="oldshop2024")).merchant
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    response = get(client, CHECK_URL, q="oldshop2024")

    assert [row.merchant for row in response.context["results"]] == [shop]


@pytest.mark.parametrize("url", [CHECK_URL, "/merchants/"])
def test_the_check_refuses_post(client, url):
    assert client.post(url, {"q": "易联购"}).status_code == 405


def test_the_results_take_the_same_queries_for_one_merchant_or_ten(client, moderator, django_assert_max_num_queries):
    def shop_named(number):
        complaint = stand(file(UserFactory(), merchant_name="优品汇", platform=Platform.Code.values[number]))
        reply(complaint, moderator, "已处理。")
        publish_alert(complaint.merchant, moderator)

    shop_named(0)
    # Lookup (identifiers, names, merchants), kept totals, reply records, warnings, and the session.
    with django_assert_max_num_queries(8) as one:
        assert len(get(client, CHECK_URL, q="优品汇").context["results"]) == 1
    for number in range(1, 10):
        shop_named(number)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = get(client, CHECK_URL, q="优品汇")
    assert len(response.context["results"]) == 10
    assert response.text.count("Warning from our moderators") == 10
