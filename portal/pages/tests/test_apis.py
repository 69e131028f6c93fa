"""GET /api/v1/merchants/?q= (lookup) and GET /api/v1/merchants/{id}/ (public profile)."""

import json
import uuid

import pytest
from django.utils import timezone

from complaints import services
from merchants.models import Platform
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve
from portal.api.tests.helpers import api_client, error_of
from portal.pages.tests.helpers import publish_alert, reply, stand

pytestmark = pytest.mark.django_db

LOOKUP_URL = "/api/v1/merchants/"
NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了，请帮忙。"
APP_ID = "wx8a7b6c5d4e3f2a1b"
PHONE = "13800138000"
BANK_CARD = "6222021234567890128"  # passes the Luhn check
RESULT_FIELDS = {
    "id",
    "name",
    "platform",
    "kind",
    "complaints",
    "top_categories",
    "response_rate",
    "risk_alert",
    "matched_by",
    "score",
}


def detail_url(merchant_or_id):
    return f"/api/v1/merchants/{getattr(merchant_or_id, 'uuid', merchant_or_id)}/"


def claims(**overrides) -> MerchantClaims:
    return MerchantClaims(**{"merchant_name": "易联购", "platform": Platform.Code.WECHAT_MINI_PROGRAM, **overrides})


def file(complainant, *, category="not_delivered", **claim_overrides):
    return services.complaint_submit(
        complainant=complainant, claims=claims(**claim_overrides), category=category, narrative=NARRATIVE
    )


@pytest.fixture
def client():
    return api_client()


@pytest.fixture
def shop(complainant, stranger):
    file(complainant, app_id=APP_ID, merchant_phone="138 0013 8000", company_name="深圳市易联购科技有限公司")
    return file(stranger, category="merchant_vanished", payee_account=BANK_CARD).merchant


# Lookup -------------------------------------------------------------------------------------------


def test_lookup_finds_a_merchant_by_a_phone_typed_differently(client, shop):
    response = client.get(LOOKUP_URL, {"q": "+86 138-0013-8000"})

    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "id": str(shop.uuid),
            "name": "易联购",
            "platform": "wechat_mini_program",
            "kind": "mini_program",
            "complaints": 2,
            "top_categories": [
                {"code": "not_delivered", "label": "Paid but not delivered (pre-sales included)", "count": 1},
                {"code": "merchant_vanished", "label": "Merchant vanished or unreachable", "count": 1},
            ],
            "response_rate": None,
            "risk_alert": None,
            "matched_by": "phone",
            "score": 100.0,
        }
    ]


def test_lookup_finds_an_app_id_typed_in_upper_case(client, shop):
    body = client.get(LOOKUP_URL, {"q": APP_ID.upper()}).json()

    assert [(row["id"], row["matched_by"]) for row in body] == [(str(shop.uuid), "app_id")]


def test_lookup_finds_a_chinese_name_by_its_pinyin(client, shop):
    body = client.get(LOOKUP_URL, {"q": "yi lian gou"}).json()

    assert [(row["id"], row["matched_by"], row["score"]) for row in body] == [(str(shop.uuid), "name", 100.0)]


def test_lookup_of_a_merchant_without_platform_or_complaints(client):
    merchant = merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", wechat_id="guoyuan2024")).merchant

    body = client.get(LOOKUP_URL, {"q": "guoyuan2024"}).json()

    assert body == [
        {
            "id": str(merchant.uuid),
            "name": "果园小店",
            "platform": None,
            "kind": "social_seller",
            "complaints": 0,
            "top_categories": [],
            "response_rate": None,
            "risk_alert": None,
            "matched_by": "wechat_id",
            "score": 100.0,
        }
    ]


def test_lookup_answers_an_empty_list_when_nothing_matches(client, shop):
    response = client.get(LOOKUP_URL, {"q": "13900139000"})

    assert response.status_code == 200
    assert response.json() == []


def test_lookup_answers_at_most_ten(client):
    for code in Platform.Code.values:
        merchant_resolve(claims=MerchantClaims(merchant_name="优品汇", platform=code))

    body = client.get(LOOKUP_URL, {"q": "优品汇"}).json()

    assert len(body) == 10
    assert all(set(row) == RESULT_FIELDS for row in body)


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a"}, {"q": "  "}, {"q": "x" * 201}])
def test_lookup_needs_a_query_of_a_useful_length(client, params):
    error = error_of(client.get(LOOKUP_URL, params), 400, "invalid")

    assert set(error["fields"]) == {"q"}


def test_lookup_works_for_signed_in_users_too(complainant, shop):
    response = api_client(complainant).get(LOOKUP_URL, {"q": APP_ID})

    assert response.status_code == 200
    assert response.json()[0]["id"] == str(shop.uuid)


def lookup_rate(settings, rate):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": rate}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_lookup_is_throttled_with_the_error_body(client, shop, settings):
    lookup_rate(settings, "2/minute")
    for _attempt in range(2):
        assert client.get(LOOKUP_URL, {"q": APP_ID}).status_code == 200

    response = client.get(LOOKUP_URL, {"q": APP_ID})

    error_of(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_a_rotated_x_forwarded_for_does_not_escape_the_lookup_throttle(client, shop, settings):
    lookup_rate(settings, "2/minute")
    for attempt in range(2):
        assert client.get(LOOKUP_URL, {"q": APP_ID}, HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}").status_code == 200

    response = client.get(LOOKUP_URL, {"q": APP_ID}, HTTP_X_FORWARDED_FOR="10.0.0.99")

    error_of(response, 429, "throttled")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_lookup_refuses_other_methods(client, method):
    error_of(getattr(client, method)(LOOKUP_URL), 405, "method_not_allowed")


# Profile ------------------------------------------------------------------------------------------


def test_profile_answers_counts_categories_windows_and_identifiers(client, shop):
    response = client.get(detail_url(shop))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(shop.uuid)
    assert (body["name"], body["kind"], body["kind_display"]) == ("易联购", "mini_program", "Mini program")
    assert body["platform"] == {"code": "wechat_mini_program", "name": "WeChat mini program"}
    assert body["company_name"] == "深圳市易联购科技有限公司"
    assert (body["complaints"], body["complainants"], body["loss"]) == (2, 2, "0.00")
    assert body["categories"] == [
        {"code": "not_delivered", "label": "Paid but not delivered (pre-sales included)", "count": 1},
        {"code": "merchant_vanished", "label": "Merchant vanished or unreachable", "count": 1},
    ]
    assert body["windows"] == {"24h": 2, "7d": 2, "30d": 2}
    assert body["first_complaint_at"] and body["last_complaint_at"]
    kinds = {row["kind"]: row["value"] for row in body["identifiers"]}
    assert kinds["app_id"] == APP_ID  # public, shown whole
    assert kinds["phone"] == "+86 138****8000"
    assert kinds["bank_card"] == "6222 **** **** 0128"


def test_profile_never_carries_a_full_phone_or_bank_card(client, shop):
    text = json.dumps(client.get(detail_url(shop)).json())

    for hidden in [PHONE, "138 0013 8000", "+8613800138000", BANK_CARD, "0212345678"]:
        assert hidden not in text


def test_a_merged_merchants_profile_redirects_to_the_merchant_it_is_part_of(client, shop, moderator):
    old = merchant_resolve(claims=MerchantClaims(merchant_name="旧店名", wechat_id="oldshop2024")).merchant
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    response = client.get(detail_url(old))

    assert response.status_code == 302
    assert response["Location"] == detail_url(shop)
    assert client.get(response["Location"]).json()["id"] == str(shop.uuid)


def test_an_unknown_merchant_is_404_with_the_error_body(client):
    error_of(client.get(detail_url(uuid.uuid4())), 404, "not_found")
    error_of(client.get(detail_url("not-an-id")), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_profile_refuses_other_methods(client, shop, method):
    error_of(getattr(client, method)(detail_url(shop)), 405, "method_not_allowed")


def test_both_operations_are_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    lookup = schema["paths"]["/api/v1/merchants/"]["get"]
    assert [parameter["name"] for parameter in lookup["parameters"]] == ["q"]
    assert {"200", "400", "429"} <= set(lookup["responses"])
    assert {"200", "302", "404"} <= set(schema["paths"]["/api/v1/merchants/{uuid}/"]["get"]["responses"])


# Replies, months and warnings ---------------------------------------------------------------------------------


def test_lookup_carries_the_response_rate_and_the_published_warning(client, shop, moderator, merchant_rep):
    answered, _silent = (stand(complaint) for complaint in shop.complaints.order_by("pk"))
    reply(answered, merchant_rep, "已退款。")
    publish_alert(shop, moderator, text="请勿付款。")

    row = client.get(LOOKUP_URL, {"q": APP_ID}).json()[0]

    assert row["response_rate"] == 0.5
    assert row["risk_alert"]["level"] == "high"
    assert row["risk_alert"]["text"] == "请勿付款。"
    assert row["risk_alert"]["approved_at"]


def test_lookup_by_phone_or_account_never_echoes_the_value(client, shop):
    for query in ["+86 138-0013-8000", "6222 0212 3456 7890 128"]:
        text = json.dumps(client.get(LOOKUP_URL, {"q": query}).json())
        for hidden in [PHONE, "138-0013-8000", "+8613800138000", BANK_CARD, "6222 0212 3456 7890 128"]:
            assert hidden not in text


def test_profile_answers_reply_figures_months_and_replies(client, shop, moderator, merchant_rep):
    answered, overdue = (stand(complaint, publish=True) for complaint in shop.complaints.order_by("pk"))
    reply(answered, merchant_rep, "您好，已为您安排退款。")
    publish_alert(shop, moderator, text="请勿付款。", level="medium")

    body = client.get(detail_url(shop)).json()

    assert (body["response_rate"], body["timely_share"], body["overdue_replies"]) == (0.5, 0.5, 1)
    assert body["risk_alert"]["level"] == "medium"
    assert len(body["monthly"]) == 12
    assert body["monthly"][-1] == {
        "month": timezone.localdate().strftime("%Y-%m"),
        "complaints": 2,
        "categories": {"not_delivered": 1, "merchant_vanished": 1},
    }
    assert body["monthly"][0] == {"month": body["monthly"][0]["month"], "complaints": 0, "categories": {}}
    replies = {row["id"]: row["replies"] for row in body["public_complaints"]}
    assert [r["body"] for r in replies[str(answered.uuid)]] == ["您好，已为您安排退款。"]
    assert replies[str(overdue.uuid)] == []
    assert all(row["outcome"] is None for row in body["public_complaints"])


def test_a_profile_without_answerable_complaints_has_null_rates(client, shop):
    body = client.get(detail_url(shop)).json()

    assert (body["response_rate"], body["timely_share"], body["overdue_replies"]) == (None, None, 0)
    assert body["risk_alert"] is None


def test_the_new_fields_are_in_the_schema(client):
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert {"response_rate", "timely_share", "overdue_replies", "risk_alert", "monthly"} <= set(
        schemas["MerchantProfile"]["properties"]
    )
    assert {"top_categories", "response_rate", "risk_alert"} <= set(schemas["MerchantLookupResult"]["properties"])
    assert {"replies", "outcome"} <= set(schemas["MerchantPublicComplaint"]["properties"])
