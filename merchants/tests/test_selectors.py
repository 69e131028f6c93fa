"""merchants.selectors: a merchant group's identifiers, name candidates."""

import pytest

from merchants.identifiers import normalize_name
from merchants.matching import NameKeys
from merchants.selectors import CANDIDATE_LIMIT, merchant_identifiers, name_candidates
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve

pytestmark = pytest.mark.django_db


def merchant(**claims):
    return merchant_resolve(claims=MerchantClaims(**claims)).merchant


def test_a_groups_identifiers_take_one_query_and_include_the_merged_merchants(moderator, django_assert_num_queries):
    shop = merchant(merchant_name="数码之家", merchant_phone="13800138000")
    old = merchant(merchant_name="旧店", wechat_id="oldshop2024", merchant_phone="13700137000")
    merchant(merchant_name="别的店", merchant_phone="13900139000")
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    with django_assert_num_queries(1):
        found = merchant_identifiers(merchant=shop)

    assert sorted((i.kind, i.normalized) for i in found) == [
        ("name", "数码之家"),
        ("name", normalize_name("旧店")),
        ("phone", "+8613700137000"),
        ("phone", "+8613800138000"),
        ("wechat_id", "oldshop2024"),
    ]


def test_name_candidates_come_with_their_merchants_and_the_ones_they_were_merged_into(
    moderator, django_assert_num_queries
):
    target = merchant(merchant_name="新店", wechat_id="newshop2024")
    for number in range(CANDIDATE_LIMIT + 3):
        merchant(merchant_name=f"易联购数码{number:02d}", wechat_id=f"shop{number:02d}x")
    merged = merchant(merchant_name="易联购数码", wechat_id="shopmerged")
    merchant_merge(source=merged, target=target, reason="Same seller", actor=moderator)

    found = name_candidates(keys=NameKeys("易联购数马", "yiliangoushuma"), platform=None, all_platforms=True)

    assert 0 < len(found) <= CANDIDATE_LIMIT
    with django_assert_num_queries(0):
        roots = {c.identifier.normalized: c.identifier.merchant.merged_into for c in found}
    # The closest name is kept, however many others are near it.
    assert roots["易联购数码"] == target
