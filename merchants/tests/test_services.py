import pytest

from merchants.models import Identifier, Merchant, Platform
from merchants.services import MerchantClaims, merchant_resolve

pytestmark = pytest.mark.django_db

MINI = Platform.Code.WECHAT_MINI_PROGRAM


def test_same_normalised_name_and_platform_is_the_same_merchant():
    first = merchant_resolve(claims=MerchantClaims(merchant_name="【果园】小店", platform=MINI))
    second = merchant_resolve(claims=MerchantClaims(merchant_name="果园 小店", platform=MINI))
    third = merchant_resolve(claims=MerchantClaims(merchant_name=" 果园小店 ", platform=MINI, app_id="wx1234"))

    assert first == second == third
    assert Merchant.objects.count() == 1
    # The first spelling seen names it; the key is the normalised one.
    assert first.name == "【果园】小店"
    assert first.normalized_name == "果园小店"
    assert first.platform.code == MINI


def test_another_platform_is_another_merchant():
    mini = merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", platform=MINI))
    douyin = merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", platform=Platform.Code.DOUYIN))
    nowhere = merchant_resolve(claims=MerchantClaims(merchant_name="果园小店"))
    nowhere_again = merchant_resolve(claims=MerchantClaims(merchant_name="果园 小店"))

    assert len({mini.pk, douyin.pk, nowhere.pk}) == 3
    assert nowhere_again == nowhere
    assert nowhere.platform is None


def test_every_identifier_is_recorded_once_per_merchant():
    claims = MerchantClaims(
        merchant_name="果园小店",
        platform=MINI,
        mini_program_name="果园优选",
        app_id="wx8a7b6c5d4e3f2a1b",
        merchant_phone="138 0013 8000",
        payee_account="6222 0000 1111 2222",
    )
    merchant = merchant_resolve(claims=claims)
    merchant_resolve(claims=claims)
    merchant_resolve(claims=MerchantClaims(merchant_name="【果园】小店", platform=MINI, app_id="WX8A7B6C5D4E3F2A1B"))

    recorded = {(i.kind, i.value) for i in merchant.identifiers.all()}
    assert recorded == {
        (Identifier.Kind.NAME, "果园小店"),
        (Identifier.Kind.MINI_PROGRAM_NAME, "果园优选"),
        (Identifier.Kind.APP_ID, "wx8a7b6c5d4e3f2a1b"),
        (Identifier.Kind.PHONE, "138 0013 8000"),
        (Identifier.Kind.PAYEE_ACCOUNT, "6222 0000 1111 2222"),
    }
    assert merchant.identifiers.count() == 5


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (MerchantClaims(merchant_name="果园小店", mini_program_name="果园优选", app_id="wx1"), "果园小店"),
        (MerchantClaims(mini_program_name="果园优选", company_name="果园科技有限公司", app_id="wx1"), "果园优选"),
        (MerchantClaims(company_name="果园科技有限公司", shop_url="https://shop.example/guoyuan"), "果园科技有限公司"),
        (MerchantClaims(shop_url="https://shop.example/guoyuan", app_id="wx1"), "https://shop.example/guoyuan"),
        (MerchantClaims(app_id="wx1", wechat_id="guoyuan888"), "wx1"),
        (MerchantClaims(merchant_phone="13800138000", payee_account="6222000011112222"), "13800138000"),
        (MerchantClaims(merchant_name="   ", mini_program_name="  果园优选  "), "果园优选"),
    ],
)
def test_display_name_takes_the_first_claim_given(claims, expected):
    assert claims.display_name() == expected
    assert merchant_resolve(claims=claims).name == expected


@pytest.mark.parametrize(
    "claims", [MerchantClaims(), MerchantClaims(platform=MINI), MerchantClaims(merchant_name="  ", app_id="\u3000")]
)
def test_claims_naming_nobody_are_refused(claims):
    assert claims.is_empty()
    with pytest.raises(ValueError, match="at least one identifier"):
        merchant_resolve(claims=claims)
    assert not Merchant.objects.exists()


def test_an_unknown_platform_is_refused_and_creates_no_platform():
    with pytest.raises(ValueError, match="unknown platform"):
        merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", platform="myspace"))
    assert not Platform.objects.filter(code="myspace").exists()
    assert not Merchant.objects.exists()


def test_a_platform_lost_by_a_flushed_test_database_is_created_again():
    Platform.objects.filter(code=MINI).delete()
    merchant = merchant_resolve(claims=MerchantClaims(merchant_name="果园小店", platform=MINI))
    assert merchant.platform.code == MINI


def test_keys_fit_their_columns():
    # Case folding lengthens a name ("ß" becomes "ss"); a shop URL may be longer than the key column.
    name = "ß" * 200
    url = "https://shop.example/" + "a" * 479
    merchant = merchant_resolve(claims=MerchantClaims(merchant_name=name, shop_url=url))

    assert len(merchant.normalized_name) <= Merchant._meta.get_field("normalized_name").max_length
    identifier = merchant.identifiers.get(kind=Identifier.Kind.SHOP_URL)
    assert len(identifier.normalized) <= Identifier._meta.get_field("normalized").max_length
    assert merchant_resolve(claims=MerchantClaims(merchant_name=name)) == merchant
