"""The dashboards' cast: authority staff of each kind, each a member of the authority that scopes what they see.

The migration seeds one regulator and one police authority per province, the platform owners and the consumer
association; `provincial` and `platform_owner` fall back to new ones when a transactional test flushed the seed.
"""

import pytest

from merchants.models import Platform
from portal.escalations.models import Authority
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory, platform_owner, provincial

# Guangdong: the province the regulator and police of this cast work for.
PROVINCE = "440000"
OTHER_PROVINCE = "110000"
# The platform the platform owner of this cast runs, and one it does not.
PLATFORM = Platform.Code.TAOBAO_TMALL
OTHER_PLATFORM = Platform.Code.DOUYIN


@pytest.fixture
def province_regulator(db):
    """Staff of Guangdong's market regulator."""
    return AuthorityStaffFactory(authority=provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE))


@pytest.fixture
def police_officer(db):
    """Staff of Guangdong's police."""
    return AuthorityStaffFactory(authority=provincial(Authority.Kind.POLICE, PROVINCE))


@pytest.fixture
def owner_platform(db):
    return Platform.objects.get_or_create(code=PLATFORM)[0]


@pytest.fixture
def platform_staff(owner_platform):
    """Staff of the owner of Taobao / Tmall (which may run other platforms too)."""
    return AuthorityStaffFactory(authority=platform_owner(owner_platform))


@pytest.fixture
def association_staff(db):
    """Staff of the consumer association, a national authority."""
    association = Authority.objects.filter(kind=Authority.Kind.CONSUMER_ASSOCIATION, active=True).first()
    return AuthorityStaffFactory(
        authority=association or AuthorityFactory(kind=Authority.Kind.CONSUMER_ASSOCIATION, name_zh="测试消费者协会")
    )
