"""Whose figures a user may see: a scope for moderators and authority staff, None (and 404) for everyone else."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, QueryDict

from complaints.services import complaint_submit
from complaints.statistics import stats_summary
from merchants.models import Platform
from merchants.services import MerchantClaims
from portal.dashboards.filters import DashboardFilterForm
from portal.dashboards.scope import Scope, scope_for_user, scope_required
from portal.dashboards.tests.conftest import PLATFORM, PROVINCE
from portal.escalations.models import Authority
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory

pytestmark = pytest.mark.django_db

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"


def test_a_moderator_sees_the_whole_country(moderator):
    scope = scope_for_user(moderator)

    assert scope == Scope(regions=None, platforms=None, authority=None)
    assert scope.national


@pytest.mark.parametrize("staff", ["province_regulator", "police_officer"])
def test_regulators_and_police_see_their_province(staff, request):
    user = request.getfixturevalue(staff)

    scope = scope_for_user(user)

    assert scope.regions == frozenset({PROVINCE})
    assert scope.platforms is None
    assert scope.authority == user.authority_membership.authority
    assert not scope.national


def test_a_platform_owner_sees_the_platforms_it_runs(platform_staff):
    authority = platform_staff.authority_membership.authority

    scope = scope_for_user(platform_staff)

    assert PLATFORM in scope.platforms
    assert scope.platforms == frozenset(authority.platforms.values_list("code", flat=True))
    assert scope.regions is None
    assert not scope.national


def test_a_platform_owner_running_no_platform_sees_nothing_not_everything(complainant):
    staff = AuthorityStaffFactory(authority=AuthorityFactory(platforms=[]))
    complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001", platform=PLATFORM),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("100.00"),
        region=PROVINCE,
    )

    scope = scope_for_user(staff)
    form = DashboardFilterForm(QueryDict(), scope=scope)

    assert scope.platforms == frozenset()
    assert not scope.national
    assert form.fields["platform"].choices == []
    assert form.is_valid(), form.errors
    assert stats_summary(form.stats_filter())["current"]["complaints"] == 0


def test_the_consumer_association_sees_the_whole_country(association_staff):
    scope = scope_for_user(association_staff)

    assert scope.national
    assert scope.authority.kind == Authority.Kind.CONSUMER_ASSOCIATION


def test_staff_of_an_inactive_authority_see_nothing():
    authority = AuthorityFactory(
        kind=Authority.Kind.MARKET_REGULATOR, region=PROVINCE, active=False, name_zh="旧的市场监督管理局"
    )
    staff = AuthorityStaffFactory(authority=authority)

    assert scope_for_user(staff) is None
    with pytest.raises(Http404):
        scope_required(staff)


def test_an_inactive_platform_owner_is_not_national_either():
    platform = Platform.objects.get_or_create(code=PLATFORM)[0]
    staff = AuthorityStaffFactory(authority=AuthorityFactory(platforms=[platform], active=False))

    assert scope_for_user(staff) is None


@pytest.mark.parametrize("who", ["regulator", "complainant", "merchant_rep", "stranger"])
def test_people_without_an_authority_see_no_dashboard(who, request):
    # The root conftest's `regulator` has the authority role but no membership of any authority.
    user = request.getfixturevalue(who)

    assert scope_for_user(user) is None
    with pytest.raises(Http404):
        scope_required(user)


def test_anonymous_visitors_see_no_dashboard():
    assert scope_for_user(AnonymousUser()) is None
    with pytest.raises(Http404):
        scope_required(AnonymousUser())


def test_scope_required_returns_the_scope_of_staff(province_regulator, moderator):
    assert scope_required(province_regulator).regions == frozenset({PROVINCE})
    assert scope_required(moderator).national
