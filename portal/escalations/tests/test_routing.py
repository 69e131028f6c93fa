"""The routing table (issue 5), against the seeded authorities."""

from decimal import Decimal

import pytest

from merchants.models import Merchant, Platform
from merchants.tests.factories import MerchantFactory
from portal.escalations.models import Authority
from portal.escalations.routing import route

pytestmark = pytest.mark.django_db

Kind = Authority.Kind
REGULATOR, OWNER, POLICE = Kind.MARKET_REGULATOR, Kind.PLATFORM_OWNER, Kind.POLICE
BIG = Decimal("50000.00")
HUGE = Decimal("9999999")


def platform(code):
    return Platform.objects.get(code=code)


def described(authorities):
    """(kind, province) for provincial authorities, (kind, owner's Chinese name) for platform owners."""
    return [(a.kind, a.region or a.name_zh) for a in authorities]


TENCENT = (OWNER, "深圳市腾讯计算机系统有限公司")
TAOBAO = (OWNER, "浙江淘宝网络有限公司")


@pytest.mark.parametrize(
    ("registered", "platform_code", "rules", "loss", "regions", "expected"),
    [
        # Known merchant: the regulator of its registered province and its platform's owner.
        ("330000", "taobao_tmall", ["volume"], BIG, [], [(REGULATOR, "330000"), TAOBAO]),
        # Its complainants elsewhere change nothing.
        ("330000", "taobao_tmall", ["volume"], BIG, ["110000", "110000"], [(REGULATOR, "330000"), TAOBAO]),
        # Police join for a vanished or surging merchant once the loss reaches the threshold, in the same province.
        (
            "330000",
            "taobao_tmall",
            ["vanished"],
            BIG,
            [],
            [(REGULATOR, "330000"), TAOBAO, (POLICE, "330000")],
        ),
        ("330000", "taobao_tmall", ["surge", "volume"], BIG, [], [(REGULATOR, "330000"), TAOBAO, (POLICE, "330000")]),
        ("330000", "taobao_tmall", ["vanished"], Decimal("49999.99"), [], [(REGULATOR, "330000"), TAOBAO]),
        # Volume alone is not a police matter, however large.
        ("330000", "taobao_tmall", ["volume", "young_company"], HUGE, [], [(REGULATOR, "330000"), TAOBAO]),
        # Vanished merchant, province unknown: the regulator where its platform's owner is registered.
        ("", "wechat_mini_program", ["vanished"], Decimal("100"), ["310000"], [(REGULATOR, "440000"), TENCENT]),
        (
            "",
            "wechat_mini_program",
            ["vanished"],
            BIG,
            ["310000"],
            [(REGULATOR, "440000"), TENCENT, (POLICE, "440000")],
        ),
        # Platform without an owner (a website): the province most complainants are in, and no platform owner.
        ("", "website", ["volume"], BIG, ["310000", "110000", "310000"], [(REGULATOR, "310000")]),
        ("", "website", ["surge"], BIG, ["310000", "", "310000"], [(REGULATOR, "310000"), (POLICE, "310000")]),
        # A tie goes to the smaller code, so the same facts always route the same way.
        ("", "website", ["volume"], BIG, ["440000", "110000"], [(REGULATOR, "110000")]),
        # Nothing says where: nobody to route to.
        ("", "website", ["vanished"], BIG, [], []),
        ("", None, ["vanished"], BIG, ["", ""], []),
    ],
)
def test_routing_table(registered, platform_code, rules, loss, regions, expected):
    merchant = MerchantFactory(
        registered_region=registered, platform=platform(platform_code) if platform_code else None
    )
    assert described(route(merchant=merchant, rules=rules, claimed_loss=loss, complainant_regions=regions)) == expected


def test_a_merged_merchant_routes_as_its_root():
    root = MerchantFactory(registered_region="510000", platform=platform("douyin"))
    merged = MerchantFactory(
        registered_region="110000", platform=platform("jd"), status=Merchant.Status.MERGED, merged_into=root
    )
    assert described(route(merchant=merged, rules=["vanished"], claimed_loss=BIG, complainant_regions=[])) == [
        (REGULATOR, "510000"),
        (OWNER, "北京抖音信息服务有限公司"),
        (POLICE, "510000"),
    ]


def test_inactive_authorities_are_skipped():
    Authority.objects.filter(kind__in=[REGULATOR, POLICE], region="330000").update(active=False)
    merchant = MerchantFactory(registered_region="330000", platform=platform("taobao_tmall"))
    assert described(route(merchant=merchant, rules=["surge"], claimed_loss=BIG, complainant_regions=[])) == [TAOBAO]


def test_the_police_threshold_is_a_setting(settings):
    settings.ESCALATION_POLICE_MIN_LOSS = Decimal("1000")
    merchant = MerchantFactory(registered_region="330000", platform=platform("website"))
    routed = route(merchant=merchant, rules=["surge"], claimed_loss=Decimal("1000"), complainant_regions=[])
    assert described(routed) == [(REGULATOR, "330000"), (POLICE, "330000")]
