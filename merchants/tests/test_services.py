"""merchant_resolve: strong identifiers decide, names suggest, conflicts merge or become proposals."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from merchants.models import Identifier, Merchant, MerchantMerge, MergeProposal, Platform
from merchants.services import Link, MerchantClaims, MerchantError, merchant_merge, merchant_resolve, merchant_unmerge
from merchants.signals import merchant_merged

pytestmark = pytest.mark.django_db

MINI = Platform.Code.WECHAT_MINI_PROGRAM
TAOBAO = Platform.Code.TAOBAO_TMALL
DOUYIN = Platform.Code.DOUYIN
APP_ID = "wx8a7b6c5d4e3f2a1b"
BASE = "91440300MA5F0Y1X2"
USCC = BASE + stdnum_uscc.calc_check_digit(BASE)


def resolve(**claims):
    return merchant_resolve(claims=MerchantClaims(**claims))


def outcomes(resolution) -> dict[str, str]:
    return {link.field or link.kind: link.outcome for link in resolution.links}


# Names ------------------------------------------------------------------------------------------------


def test_chinese_pinyin_and_english_names_of_one_shop_are_one_merchant():
    first = resolve(merchant_name="易联购", platform=MINI)
    others = [
        resolve(merchant_name="Yi Liangou", platform=MINI),
        resolve(merchant_name="YILIANGOU", platform=MINI),
        resolve(merchant_name="Yiliangou Online Mall", platform=MINI),
        resolve(merchant_name="【易聯購】官方商城", platform=MINI),
    ]

    assert first.created
    assert {r.merchant.pk for r in others} == {first.merchant.pk}
    assert Merchant.objects.count() == 1
    assert not MergeProposal.objects.exists()
    assert others[0].links[0].outcome == Link.NAME_MATCH
    assert "same_pinyin" in others[0].links[0].reasons


def test_company_suffixes_and_region_prefixes_do_not_make_another_merchant():
    shop = resolve(merchant_name="易联购", platform=MINI).merchant
    for name in ["深圳市易联购科技有限公司", "易联购（深圳）电子商务有限公司", "Yiliangou Technology Co., Ltd."]:
        assert resolve(merchant_name=name, platform=MINI).merchant == shop


def test_the_same_phone_typed_four_ways_is_one_merchant():
    ways = ["+86 138-0013-8000", "13800138000", "0086 138 0013 8000", "１３８ ００１３ ８０００"]
    names = ["易联购", "Phone Shop A", "数码之家", "Another name"]
    resolutions = [resolve(merchant_name=name, merchant_phone=phone) for name, phone in zip(names, ways, strict=True)]

    assert len({r.merchant.pk for r in resolutions}) == 1
    phone = Identifier.objects.get(kind=Identifier.Kind.PHONE)
    assert phone.normalized == "+8613800138000"
    assert phone.value == "+86 138-0013-8000"
    assert [outcomes(r)["merchant_phone"] for r in resolutions] == ["recorded", "matched", "matched", "matched"]


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        # A phone typed as the name, nothing else: the name is shown with the number masked.
        ({"merchant_name": "13912345678"}, "***"),
        # A phone typed as the name beside an app ID: the app ID, which is public, names it.
        ({"merchant_name": "13912345678", "app_id": "wxfedcba9876543210"}, "wxfedcba9876543210"),
        # A phone as the name and as the phone: the phone identifier, masked.
        ({"merchant_name": "139 1234 5678", "merchant_phone": "13912345678"}, None),
    ],
)
def test_a_phone_typed_as_the_name_never_names_the_merchant_in_full(claims, expected):
    merchant = resolve(**claims).merchant

    assert "12345678" not in merchant.name
    if expected is not None:
        assert merchant.name == expected


def test_a_phone_given_as_the_payee_account_finds_the_merchant_with_that_phone():
    shop = resolve(merchant_name="数码之家", merchant_phone="138 0013 8000").merchant
    assert resolve(merchant_name="Someone", payee_account="+86 13800138000").merchant == shop


def test_similar_names_on_different_platforms_are_different_merchants():
    taobao = resolve(merchant_name="优品汇", platform=TAOBAO).merchant
    douyin = resolve(merchant_name="优品汇", platform=DOUYIN).merchant
    nowhere = resolve(merchant_name="优品汇").merchant

    assert len({taobao.pk, douyin.pk, nowhere.pk}) == 3
    # Without a platform the name fits both equally: a moderator may decide, the two shops are never proposed.
    assert not MergeProposal.objects.filter(merchant__in=[taobao, douyin], candidate__in=[taobao, douyin]).exists()
    assert MergeProposal.objects.filter(merchant=nowhere).count() == 1


def test_a_name_without_a_platform_finds_the_one_merchant_of_that_name():
    shop = resolve(merchant_name="博远图书", platform=Platform.Code.JD).merchant
    assert resolve(merchant_name="bo yuan tu shu qijiandian").merchant == shop
    assert resolve(merchant_name="Boyuan Tushu", platform=Platform.Code.JD).merchant == shop


def test_an_uncertain_name_match_opens_a_proposal_and_does_not_merge():
    existing = resolve(merchant_name="优品汇", platform=TAOBAO).merchant
    homophone = resolve(merchant_name="优品会", platform=TAOBAO)

    assert homophone.created and homophone.merchant != existing
    proposal = MergeProposal.objects.get()
    assert (proposal.merchant, proposal.candidate) == (homophone.merchant, existing)
    assert proposal.status == MergeProposal.Status.OPEN
    assert 72 <= proposal.score < 90
    assert "homophone" in proposal.reasons
    assert homophone.proposal == proposal
    assert not MerchantMerge.objects.exists()


def test_a_name_match_whose_merchant_has_another_app_id_is_not_linked():
    existing = resolve(merchant_name="易联购", platform=MINI, app_id=APP_ID).merchant
    other = resolve(merchant_name="易联购", platform=MINI, app_id="wx0000000000000001")

    assert other.created and other.merchant != existing
    assert MergeProposal.objects.filter(merchant=other.merchant, candidate=existing).exists()


def test_a_short_name_is_matched_exactly_or_not_at_all():
    first = resolve(merchant_name="ABC", platform=TAOBAO).merchant
    assert resolve(merchant_name="ABD", platform=TAOBAO).merchant != first
    assert not MergeProposal.objects.exists()


# Strong identifiers -----------------------------------------------------------------------------------


def test_a_strong_identifier_decides_whatever_the_name():
    shop = resolve(merchant_name="易联购", platform=MINI, app_id=APP_ID.upper()).merchant
    again = resolve(merchant_name="完全不同的名字", platform=DOUYIN, app_id=f"AppID: {APP_ID}")

    assert again.merchant == shop
    assert outcomes(again)["app_id"] == Link.MATCHED
    # Both names are now known for the merchant.
    names = set(shop.identifiers.filter(kind=Identifier.Kind.NAME).values_list("normalized", flat=True))
    assert names == {"易联购", "完全不同的名字"}


def test_a_uscc_gives_the_registered_province_and_company():
    merchant = resolve(company_name="深圳市易联购科技有限公司", company_uscc=USCC.lower()).merchant
    assert merchant.uscc == USCC
    assert merchant.registered_region == "440000"
    assert merchant.company_name == "深圳市易联购科技有限公司"
    assert merchant.kind == Merchant.Kind.COMPANY


def test_later_complaints_fill_what_the_merchant_lacks():
    merchant = resolve(merchant_name="易联购", platform=MINI, app_id=APP_ID).merchant
    resolve(app_id=APP_ID, company_uscc=USCC, company_name="深圳市易联购科技有限公司")
    merchant.refresh_from_db()
    assert (merchant.uscc, merchant.registered_region) == (USCC, "440000")
    assert merchant.kind == Merchant.Kind.MINI_PROGRAM


def test_identifiers_are_recorded_once_with_their_kind_not_their_field():
    claims = dict(
        merchant_name="果园小店",
        platform=MINI,
        mini_program_name="果园优选",
        app_id=APP_ID,
        merchant_phone="138 0013 8000",
        payee_account="6222 0200 0000 0000 000",
        shop_url="https://www.guoyuan-shop.com/item?id=1",
    )
    merchant = resolve(**claims).merchant
    resolve(**claims)

    recorded = {(i.kind, i.normalized, i.strength) for i in merchant.identifiers.all()}
    assert recorded == {
        ("name", "果园", "weak"),
        ("name", "果园优选", "weak"),
        ("app_id", APP_ID, "strong"),
        ("phone", "+8613800138000", "strong"),
        ("bank_card", "6222020000000000000", "strong"),
        ("website", "guoyuan-shop.com", "strong"),
    }


def test_the_database_refuses_a_strong_identifier_on_two_merchants():
    from django.db import IntegrityError, transaction

    first = resolve(merchant_name="A shop", app_id=APP_ID).merchant
    second = resolve(merchant_name="B shop", platform=DOUYIN).merchant
    with pytest.raises(IntegrityError), transaction.atomic():
        Identifier.objects.create(merchant=second, kind="app_id", strength="strong", value=APP_ID, normalized=APP_ID)
    # Calling a strong kind weak does not get round it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Identifier.objects.create(merchant=second, kind="app_id", strength="weak", value="x", normalized="wxnew")
    assert first.identifiers.filter(kind="app_id").count() == 1


def test_invalid_claims_are_reported_per_field():
    errors = MerchantClaims(app_id="wx123", company_uscc=USCC[:-1] + ("0" if USCC[-1] != "0" else "1")).errors()
    assert set(errors) == {"app_id", "company_uscc"}
    assert errors["company_uscc"].code == "checksum"


# Automatic merges and their undoing -------------------------------------------------------------------


@pytest.fixture
def two_shops_sharing_a_payee():
    """Two merchants known by different identifiers, and a complaint that names both."""
    first = resolve(merchant_name="易联购", platform=MINI, payee_account="6222 0200 0000 0000 000")
    second = resolve(merchant_name="Quick Phones", platform=DOUYIN, merchant_phone="13900139000")
    joining = resolve(merchant_name="易联购", merchant_phone="139-0013-9000", payee_account="6222020000000000000")
    return first.merchant, second.merchant, joining


def test_two_merchants_sharing_a_payee_account_are_merged_automatically_and_audited(two_shops_sharing_a_payee):
    first, second, joining = two_shops_sharing_a_payee

    second.refresh_from_db()
    assert joining.merchant == first
    assert (second.status, second.merged_into) == (Merchant.Status.MERGED, first)
    merge = MerchantMerge.objects.get()
    assert (merge.source, merge.target, merge.automatic, merge.actor) == (second, first, True, None)
    assert str(Identifier.Kind.BANK_CARD.label) in merge.reason and str(Identifier.Kind.PHONE.label) in merge.reason
    assert joining.merges == [merge]
    assert outcomes(joining)["merchant_phone"] == Link.MERGED
    # The merged merchant's identifiers now find the survivor.
    assert resolve(merchant_phone="13900139000").merchant == first


def test_an_automatic_merge_can_be_undone_and_is_not_redone(two_shops_sharing_a_payee, moderator):
    first, second, _joining = two_shops_sharing_a_payee
    merge = MerchantMerge.objects.get()

    restored = merchant_unmerge(merge=merge, actor=moderator, reason="Different sellers sharing a reseller's card")

    assert restored == second and restored.is_active and restored.merged_into is None
    merge.refresh_from_db()
    assert merge.undone_by == moderator and merge.undone_at and merge.undo_reason
    assert resolve(merchant_phone="13900139000").merchant == second
    # The pair is kept apart: naming both again does not merge them a second time.
    again = resolve(merchant_phone="13900139000", payee_account="6222020000000000000")
    assert again.merchant == first
    assert outcomes(again)["merchant_phone"] == Link.CONFLICT
    assert MerchantMerge.objects.count() == 1


def test_undoing_restores_merchants_merged_into_the_source(moderator):
    a = resolve(merchant_name="A", app_id="wx000000000000000a").merchant
    b = resolve(merchant_name="B", app_id="wx000000000000000b").merchant
    c = resolve(merchant_name="C", app_id="wx000000000000000c").merchant
    merchant_merge(source=c, target=b, reason="same", actor=moderator)
    b_into_a = merchant_merge(source=b, target=a, reason="same", actor=moderator)
    c.refresh_from_db()
    assert c.merged_into == a  # chains are kept flat

    merchant_unmerge(merge=b_into_a, actor=moderator, reason="not the same")
    c.refresh_from_db()
    assert c.merged_into == b
    assert resolve(app_id="wx000000000000000c").merchant == b


def test_merge_refuses_itself_a_merged_merchant_and_a_missing_reason(moderator):
    a = resolve(merchant_name="A", app_id="wx000000000000000a").merchant
    b = resolve(merchant_name="B", app_id="wx000000000000000b").merchant
    with pytest.raises(MerchantError):
        merchant_merge(source=a, target=a, reason="x", actor=moderator)
    with pytest.raises(MerchantError):
        merchant_merge(source=a, target=b, reason="  ", actor=moderator)
    merge = merchant_merge(source=a, target=b, reason="same", actor=moderator)
    with pytest.raises(MerchantError):
        merchant_merge(source=a, target=b, reason="again", actor=moderator)
    merchant_unmerge(merge=merge, actor=moderator, reason="no")
    with pytest.raises(MerchantError):
        merchant_unmerge(merge=merge, actor=moderator, reason="twice")


def test_merge_tells_dependent_apps_inside_its_transaction(moderator):
    a = resolve(merchant_name="A", app_id="wx000000000000000a").merchant
    b = resolve(merchant_name="B", app_id="wx000000000000000b").merchant
    seen = []

    def receiver(*, merge, **kwargs):
        seen.append((merge.source_id, merge.target_id))

    merchant_merged.connect(receiver)
    try:
        merchant_merge(source=a, target=b, reason="same", actor=moderator)
    finally:
        merchant_merged.disconnect(receiver)
    assert seen == [(a.pk, b.pk)]


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"merchant_phone": "138 0013 8000"}, "+86 138****8000"),
        ({"payee_account": "6222 0200 0000 0000 000"}, "6222 **** **** 0000"),
        ({"merchant_phone": "13800138000", "app_id": APP_ID.upper()}, APP_ID),
        ({"wechat_id": "seller_amy88", "shop_url": "https://www.amy-seafood.example/x"}, "amy-seafood.example"),
        ({"company_name": "深圳市易联购科技有限公司", "merchant_phone": "13800138000"}, "深圳市易联购科技有限公司"),
    ],
)
def test_a_new_merchant_is_never_named_by_a_full_personal_number(claims, name):
    assert resolve(**claims).merchant.name == name


def test_a_payee_who_may_be_a_person_is_recorded_apart_from_names():
    merchant = resolve(merchant_name="阿梅海鲜", payee_account="收款方：张伟").merchant
    payee = merchant.identifiers.get(kind=Identifier.Kind.PAYEE_NAME)
    assert payee.normalized == "张伟"
    # Another seller paid to a person of the same (common) name is not joined to this one.
    assert resolve(merchant_name="完全不同", payee_account="张伟").merchant != merchant
    company = resolve(payee_account="深圳市易联购科技有限公司").merchant.identifiers.get()
    assert (company.kind, company.normalized) == (Identifier.Kind.NAME, "易联购")


# Input the resolver refuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims", [MerchantClaims(), MerchantClaims(platform=MINI), MerchantClaims(merchant_name="  ", app_id="\u3000")]
)
def test_claims_naming_nobody_are_refused(claims):
    assert claims.is_empty()
    with pytest.raises(ValueError, match="at least one identifier"):
        merchant_resolve(claims=claims)
    assert not Merchant.objects.exists()


def test_claims_of_which_nothing_can_be_read_are_refused():
    with pytest.raises(ValueError, match="readable"):
        resolve(app_id="wx12")
    assert not Merchant.objects.exists()


def test_an_unknown_platform_is_refused_and_creates_no_platform():
    with pytest.raises(ValueError, match="unknown platform"):
        resolve(merchant_name="果园小店", platform="myspace")
    assert not Platform.objects.filter(code="myspace").exists()
    assert not Merchant.objects.exists()


def test_a_platform_lost_by_a_flushed_test_database_is_created_again():
    Platform.objects.filter(code=MINI).delete()
    assert resolve(merchant_name="果园小店", platform=MINI).merchant.platform.code == MINI


def test_values_fit_their_columns():
    name = "ß" * 200
    url = "https://shop.example/" + "a" * 479
    merchant = resolve(merchant_name=name, shop_url=url).merchant
    for identifier in merchant.identifiers.all():
        assert len(identifier.value) <= Identifier._meta.get_field("value").max_length
        assert len(identifier.normalized) <= Identifier._meta.get_field("normalized").max_length
    assert resolve(merchant_name=name).merchant == merchant


def test_a_concurrent_filing_of_the_same_new_identifier_resolves_again(monkeypatch):
    """Two filings read "unknown app ID" at the same moment; the second insert violates the strong-identifier
    constraint and resolution runs again against what the first wrote."""
    from merchants import services

    first = resolve(merchant_name="易联购", app_id=APP_ID).merchant
    real, calls = services._strong_hits, []

    def stale_once(strong):
        calls.append(1)
        return {} if len(calls) == 1 else real(strong)

    monkeypatch.setattr(services, "_strong_hits", stale_once)
    again = resolve(merchant_name="Completely different", platform=DOUYIN, app_id=APP_ID)

    assert len(calls) == 2
    assert again.merchant == first and not again.created
    assert Merchant.objects.count() == 1


def test_a_homophone_does_not_hide_a_closer_name_on_either_backend():
    close = resolve(merchant_name="易联购数码旗舰x", platform=TAOBAO).merchant
    resolve(merchant_name="易连购数码旗舰", platform=TAOBAO)
    assert resolve(merchant_name="易联购数码旗舰", platform=TAOBAO).merchant == close


def test_personal_numbers_typed_into_a_name_are_not_made_public():
    merchant = resolve(merchant_name="张三 13812345678 zhangsan@example.com").merchant
    assert merchant.name == "张三 *** ***"
    # Kept as typed for moderators, in the identifier's private value.
    assert merchant.identifiers.get(kind=Identifier.Kind.NAME).value.endswith("zhangsan@example.com")
