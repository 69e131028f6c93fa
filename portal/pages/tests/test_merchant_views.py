"""The public merchant pages: "check before you pay" and the merchant profile."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from merchants.models import Merchant, Platform
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve
from portal.accounts.tests.factories import UserFactory
from portal.pages.merchant_views import MSG_QUERY_TOO_SHORT

pytestmark = pytest.mark.django_db

NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了，请帮忙。"
PHONE = "13800138000"
BANK_CARD = "6222021234567890128"  # passes the Luhn check
SEARCH_URL = "/merchants/"


def profile_url(merchant):
    return f"/merchants/{merchant.uuid}/"


def claims(**overrides) -> MerchantClaims:
    return MerchantClaims(**{"merchant_name": "易联购", "platform": Platform.Code.WECHAT_MINI_PROGRAM, **overrides})


def file(complainant, *, category="not_delivered", submitted_at=None, **claim_overrides):
    return services.complaint_submit(
        complainant=complainant,
        claims=claims(**claim_overrides),
        category=category,
        narrative=NARRATIVE,
        submitted_at=submitted_at,
    )


def get(client, url, **params):
    return client.get(url, params, headers={"accept-language": "en"})


@pytest.fixture
def shop(complainant, stranger):
    """A shop with three complaints by two people, known by a phone and a bank card."""
    file(complainant, merchant_phone="138 0013 8000", company_name="深圳市易联购科技有限公司")
    file(stranger, category="merchant_vanished", payee_account=BANK_CARD)
    complaint = file(complainant, submitted_at=timezone.now() - timedelta(days=10))
    return complaint.merchant


# Profile ------------------------------------------------------------------------------------------


def test_profile_shows_the_merchant_and_its_complaint_counts(client, shop):
    response = get(client, profile_url(shop))

    assert response.status_code == 200
    page = response.text
    assert "易联购" in page
    assert "Mini program" in page  # kind
    assert "深圳市易联购科技有限公司" in page
    assert "Complaints filed" in page
    summary = response.context["summary"]
    assert (summary.complaints, summary.complainants) == (3, 2)
    assert [(code, count) for code, _label, count in summary.by_category] == [
        ("not_delivered", 2),
        ("merchant_vanished", 1),
    ]
    assert "Paid but not delivered (pre-sales included)" in page
    assert "Merchant vanished or unreachable" in page
    assert [count for _label, count in response.context["windows"]] == [2, 2, 3]
    assert "Last 24 hours" in page


def test_profile_masks_phones_and_bank_cards(client, shop):
    page = get(client, profile_url(shop)).text

    for hidden in [PHONE, "138 0013 8000", "+8613800138000", BANK_CARD, "0212345678"]:
        assert hidden not in page
    assert "+86 138****8000" in page
    assert "6222 **** **** 0128" in page


def test_profile_of_a_merchant_without_complaints(client):
    merchant = merchant_resolve(claims=claims(merchant_name="果园小店")).merchant

    response = get(client, profile_url(merchant))

    assert response.status_code == 200
    assert "No complaints against this merchant yet." in response.text


def test_a_merged_merchants_profile_redirects_to_the_merchant_it_is_part_of(client, shop, moderator):
    old = merchant_resolve(claims=claims(merchant_name="旧店名", platform="")).merchant
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    response = get(client, profile_url(old))

    assert response.status_code == 302
    assert response["Location"] == profile_url(shop)


def test_an_unknown_merchant_is_404(client):
    assert get(client, f"/merchants/{uuid.uuid4()}/").status_code == 404
    assert get(client, "/merchants/not-an-id/").status_code == 404


@pytest.mark.parametrize("url", [SEARCH_URL, "profile"])
def test_merchant_pages_refuse_post(client, shop, url):
    assert client.post(profile_url(shop) if url == "profile" else SEARCH_URL).status_code == 405


def test_only_moderators_see_the_moderation_link(client, shop, moderator, complainant):
    link = f"/moderation/merchants/{shop.uuid}/"
    assert link not in get(client, profile_url(shop)).text
    client.force_login(complainant)
    assert link not in get(client, profile_url(shop)).text
    client.force_login(moderator)
    assert link in get(client, profile_url(shop)).text


def test_profile_query_count_does_not_grow_with_complaints(client, shop, django_assert_max_num_queries):
    # The merchant, its kept totals, the windowed counts, its group, the group's identifiers and its published
    # complaints.
    with django_assert_max_num_queries(6):
        assert get(client, profile_url(shop)).status_code == 200

    for number in range(5):
        published = file(
            UserFactory(), merchant_phone=f"1390013900{number}", payee_account=f"buyer{number}@example.com"
        )
        Complaint.objects.filter(pk=published.pk).update(status=Complaint.Status.ACCEPTED, consent_publish=True)
    with django_assert_max_num_queries(6):
        response = get(client, profile_url(shop))
    assert response.context["summary"].complaints == 8
    assert len(response.context["identifiers"]) == 13
    assert len(response.context["public_complaints"]) == 5


# Check before you pay -----------------------------------------------------------------------------


def test_search_page_offers_the_form(client):
    response = get(client, SEARCH_URL)

    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert response.context["results"] is None


def test_search_finds_a_merchant_by_a_phone_typed_differently(client, shop):
    response = get(client, SEARCH_URL, q="+86 138-0013-8000")

    assert response.status_code == 200
    assert [row["hit"].merchant for row in response.context["results"]] == [shop]
    assert response.context["results"][0]["complaints"] == 3
    assert profile_url(shop) in response.text
    assert "Exact match: Phone" in response.text


def test_search_finds_a_merchant_by_the_pinyin_of_its_name(client, shop):
    response = get(client, SEARCH_URL, q="Yi Lian Gou")

    assert [row["hit"].merchant for row in response.context["results"]] == [shop]
    assert "Matched by name (score 100 of 100)" in response.text


def test_search_with_no_result_says_so_and_warns(client, shop):
    response = get(client, SEARCH_URL, q="13900139000")

    assert response.context["results"] == []
    assert "No merchant we know of matches." in response.text


@pytest.mark.parametrize("q", ["a", " b ", "【"])
def test_search_refuses_too_short_a_query(client, shop, q):
    response = get(client, SEARCH_URL, q=q)

    assert response.status_code == 200
    assert response.context["results"] is None
    assert str(MSG_QUERY_TOO_SHORT % {"count": 2}) in response.text


def test_search_is_rate_limited_per_address(client, shop, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _attempt in range(2):
        assert get(client, SEARCH_URL, q="易联购").status_code == 200

    assert get(client, SEARCH_URL, q="易联购").status_code == 429
    # The form alone costs nothing.
    assert get(client, SEARCH_URL).status_code == 200


def test_search_lists_only_active_merchants(client, shop, moderator):
    old = merchant_resolve(claims=claims(merchant_name="旧店名", wechat_id="oldshop2024")).merchant
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    response = get(client, SEARCH_URL, q="oldshop2024")

    assert [row["hit"].merchant for row in response.context["results"]] == [shop]
    assert Merchant.objects.get(pk=old.pk).status == Merchant.Status.MERGED


def test_a_phone_typed_into_a_name_field_is_not_shown_in_public(client, complainant):
    complaint = file(complainant, merchant_name="易联购", mini_program_name=f"易联购 客服{PHONE}")

    response = client.get(profile_url(complaint.merchant))

    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    assert "易联购 客服***" in response.content.decode()
