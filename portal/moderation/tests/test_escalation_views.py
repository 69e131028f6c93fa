"""Moderators escalate a merchant by hand and follow open and overdue escalations."""

from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.services import MerchantClaims, merchant_resolve
from portal.escalations.models import Escalation
from portal.escalations.services import escalations_flag_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    return merchant_resolve(
        claims=MerchantClaims(merchant_name="易联购", platform="wechat_mini_program", company_uscc="91440300MA5F0Y1X2R")
    ).merchant


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def escalate_url(merchant):
    return f"/moderation/merchants/{merchant.uuid}/escalate/"


def test_a_moderator_escalates_a_merchant_to_the_regulator_and_the_platform_owner(mod_client, merchant, moderator):
    response = mod_client.post(escalate_url(merchant), {"reason": "直播间集中收款后失联"}, follow=True)

    assert response.status_code == 200
    escalations = Escalation.objects.filter(merchant=merchant)
    kinds = set(escalations.values_list("authority__kind", flat=True))
    assert kinds == {"market_regulator", "platform_owner"}
    assert all(e.opened_by == moderator and e.rules == ["manual"] for e in escalations)
    # Province 440000 from the USCC: the Guangdong regulator.
    assert escalations.get(authority__kind="market_regulator").authority.region == "440000"
    page = mod_client.get(f"/moderation/merchants/{merchant.uuid}/").content.decode()
    assert str(escalations.get(authority__kind="platform_owner").authority) in page


def test_escalating_twice_supplements_instead_of_opening_again(mod_client, merchant):
    mod_client.post(escalate_url(merchant), {"reason": "第一次"})
    mod_client.post(escalate_url(merchant), {"reason": "第二次"})
    assert Escalation.objects.filter(merchant=merchant).count() == 2


def test_a_reason_is_required(mod_client, merchant):
    response = mod_client.post(escalate_url(merchant), {"reason": "  "}, follow=True)
    assert response.status_code == 200
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "complainant", "merchant_rep", "regulator"])
def test_only_moderators_escalate_and_see_escalations(client, request, merchant, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.post(escalate_url(merchant), {"reason": "x"}).status_code == 404
    assert client.get("/moderation/escalations/").status_code == 404
    assert not Escalation.objects.exists()


def test_the_list_puts_overdue_escalations_first(mod_client, merchant):
    mod_client.post(escalate_url(merchant), {"reason": "失联"})
    late = timezone.now() + timedelta(days=2)
    Escalation.objects.filter(authority__kind="market_regulator").update(opened_at=late - timedelta(days=3))
    Escalation.objects.filter(authority__kind="market_regulator").update(ack_due_at=late - timedelta(days=2))
    escalations_flag_overdue(now=timezone.now())

    response = mod_client.get("/moderation/escalations/")

    assert response.status_code == 200
    assert [e.authority.kind for e in response.context["overdue"]] == ["market_regulator"]
    assert [e.authority.kind for e in response.context["others"]] == ["platform_owner"]
    assert mod_client.post("/moderation/escalations/").status_code == 405
