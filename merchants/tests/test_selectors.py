"""merchants.selectors: name candidates."""

import pytest

from merchants.matching import NameKeys
from merchants.selectors import CANDIDATE_LIMIT, name_candidates
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve

pytestmark = pytest.mark.django_db


def merchant(**claims):
    return merchant_resolve(claims=MerchantClaims(**claims)).merchant


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
