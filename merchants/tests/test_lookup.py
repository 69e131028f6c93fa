"""merchant_lookup: exact strong identifiers first, then names (Chinese or pinyin), active merchants only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import uscc as stdnum_uscc

from merchants.lookup import EXACT_SCORE, LOOKUP_LIMIT, MATCHED_BY_NAME, merchant_lookup
from merchants.models import Platform
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve

pytestmark = pytest.mark.django_db

MINI = Platform.Code.WECHAT_MINI_PROGRAM
TAOBAO = Platform.Code.TAOBAO_TMALL
APP_ID = "wx8a7b6c5d4e3f2a1b"
BASE = "91440300MA5F0Y1X2"
USCC = BASE + stdnum_uscc.calc_check_digit(BASE)
BANK_CARD = "6222021234567890128"  # passes the Luhn check
WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"


def merchant(**claims):
    return merchant_resolve(claims=MerchantClaims(**claims)).merchant


def found(q):
    return [(hit.merchant, hit.matched_by) for hit in merchant_lookup(q=q)]


@pytest.mark.parametrize(
    "typed", ["+86 138-0013-8000", "0086 138 0013 8000", "１３８００１３８０００", "138.0013.8000"]
)
def test_a_phone_is_found_however_it_is_typed(typed):
    shop = merchant(merchant_name="数码之家", merchant_phone="13800138000")
    merchant(merchant_name="别的店", merchant_phone="13900139000")

    assert found(typed)[0] == (shop, "phone")


def test_an_app_id_is_found_in_upper_case_or_with_its_label():
    shop = merchant(merchant_name="易联购", platform=MINI, app_id=APP_ID)

    assert found(APP_ID.upper()) == [(shop, "app_id")]
    assert found(f"AppID：{APP_ID}")[0] == (shop, "app_id")


@pytest.mark.parametrize(
    ("claims", "typed", "kind"),
    [
        ({"company_uscc": USCC}, USCC.lower(), "uscc"),
        ({"payee_account": BANK_CARD}, "6222 0212 3456 7890 128", "bank_card"),
        ({"payee_account": WALLET}, WALLET.lower(), "wallet"),
        ({"payee_account": "Pay@Example.com"}, "pay@example.com", "email"),
        ({"wechat_id": "GuoYuan_2024"}, "微信号：guoyuan_2024", "wechat_id"),
        ({"payee_account": "1234567890"}, "1234567890", "wechat_pay_mch"),
        ({"shop_url": "https://shop123456.taobao.com/?spm=a1z10"}, "shop123456.taobao.com", "shop_id"),
        ({"shop_url": "https://www.guoyuan-fruit.cn/buy"}, "guoyuan-fruit.cn", "website"),
    ],
)
def test_every_strong_kind_is_found_exactly(claims, typed, kind):
    shop = merchant(merchant_name="果园小店", **claims)

    hits = merchant_lookup(q=typed)

    assert (hits[0].merchant, hits[0].matched_by, hits[0].score) == (shop, kind, EXACT_SCORE)


def test_a_chinese_name_is_found_by_its_pinyin_on_any_platform():
    shop = merchant(merchant_name="易联购", platform=MINI)

    hits = merchant_lookup(q="yi lian gou")

    assert [(hit.merchant, hit.matched_by) for hit in hits] == [(shop, MATCHED_BY_NAME)]
    assert hits[0].score == 100.0
    assert found("易聯購")[0] == (shop, MATCHED_BY_NAME)


def test_exact_identifier_hits_come_before_names():
    named = merchant(merchant_name="13800138000 数码", platform=TAOBAO)
    by_phone = merchant(merchant_name="Someone else", merchant_phone="13800138000")

    assert found("13800138000") == [(by_phone, "phone"), (named, MATCHED_BY_NAME)]


def test_a_merged_merchant_is_found_as_the_merchant_it_was_merged_into(moderator):
    old = merchant(merchant_name="旧店", merchant_phone="13800138000")
    new = merchant(merchant_name="新店", wechat_id="newshop2024")
    merchant_merge(source=old, target=new, reason="Same seller", actor=moderator)

    assert found("13800138000") == [(new, "phone")]
    assert [hit.merchant for hit in merchant_lookup(q="旧店")] == [new]


def test_each_merchant_appears_once_under_its_best_match():
    shop = merchant(merchant_name="数码之家", merchant_phone="13800138000", wechat_id="13800138000")

    assert found("13800138000") == [(shop, "phone")]


def test_results_are_capped():
    for number in range(LOOKUP_LIMIT + 3):
        merchant(merchant_name="优品汇", platform=Platform.Code.values[number % len(Platform.Code.values)])
    merchant(merchant_name="优品汇", payee_account=BANK_CARD)

    assert len(merchant_lookup(q="优品汇")) == LOOKUP_LIMIT
    assert len(merchant_lookup(q="优品汇", limit=3)) == 3


@pytest.mark.parametrize("q", ["", " ", "a", "【】", "\u200b\u200b"])
def test_too_little_to_look_up_finds_nothing(q):
    merchant(merchant_name="a", platform=MINI)

    assert merchant_lookup(q=q) == []


def test_nothing_known_finds_nothing():
    merchant(merchant_name="易联购", platform=MINI, app_id=APP_ID)

    assert merchant_lookup(q="wx0000000000000001") == []
    assert merchant_lookup(q="13900139000") == []


def test_lookup_takes_a_bounded_number_of_queries():
    for platform in Platform.Code.values[:5]:
        merchant(merchant_name="优品汇", platform=platform)

    with CaptureQueriesContext(connection) as queries:
        hits = merchant_lookup(q="优品汇")
        [hit.merchant.platform for hit in hits]

    assert len(hits) == 5
    assert len(queries) <= 3
