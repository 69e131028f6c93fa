"""Risk alerts: the services (who may, which steps, redaction, one live alert per merchant), the reads the public
pages use, and the moderators' pages."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from merchants.models import Merchant
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.escalations import alerts
from portal.escalations.models import MerchantRisk, RiskAlert

pytestmark = pytest.mark.django_db

Status = RiskAlert.Status
TEXT = "多名买家反映付款后不发货、客服失联，请勿向其付款。"
LIST_URL = "/authority/alerts/"


def create_url(merchant):
    return f"/authority/alerts/merchants/{merchant.uuid}/new/"


def step_url(alert, step):
    return f"/authority/alerts/{alert.uuid}/{step}/"


@pytest.fixture
def merchant():
    return MerchantFactory()


@pytest.fixture
def proposed(merchant, moderator):
    return alerts.risk_alert_create(merchant=merchant, level="high", text=TEXT, actor=moderator)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# Services ---------------------------------------------------------------------------------------------------


def test_a_moderator_proposes_an_alert_with_personal_data_masked(merchant, moderator):
    alert = alerts.risk_alert_create(
        merchant=merchant, level="medium", text="  客服电话13812345678已停机，请勿付款。 ", actor=moderator
    )

    alert.refresh_from_db()
    assert (alert.status, alert.level, alert.created_by) == (Status.PROPOSED, "medium", moderator)
    assert alert.created_at and alert.approved_at is None
    assert "13812345678" not in alert.text
    assert alert.text.startswith("客服电话138") and alert.text.endswith("已停机，请勿付款。")


@pytest.mark.parametrize("who", ["complainant", "merchant_rep", "regulator", "anonymous"])
def test_only_moderators_propose_approve_and_withdraw(request, merchant, proposed, who):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        alerts.risk_alert_create(merchant=MerchantFactory(), level="high", text=TEXT, actor=actor)
    with pytest.raises(PermissionDenied):
        alerts.risk_alert_approve(alert=proposed, actor=actor)
    with pytest.raises(PermissionDenied):
        alerts.risk_alert_withdraw(alert=proposed, actor=actor)
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED
    assert RiskAlert.objects.count() == 1


@pytest.mark.parametrize(
    ("level", "text", "message"),
    [
        ("low", TEXT, alerts.MSG_LEVEL_INVALID),
        ("high", "   ", alerts.MSG_TEXT_REQUIRED),
        ("high", "太" * (alerts.TEXT_MAX + 1), alerts.MSG_TEXT_TOO_LONG % {"count": alerts.TEXT_MAX}),
    ],
)
def test_a_proposal_needs_a_level_and_a_short_text(merchant, moderator, level, text, message):
    with pytest.raises(ValidationError) as error:
        alerts.risk_alert_create(merchant=merchant, level=level, text=text, actor=moderator)

    assert messages_of(error.value) == [str(message)]
    assert not RiskAlert.objects.exists()


def test_a_merged_merchant_takes_no_alert(merchant, moderator):
    old = MerchantFactory()
    merchant_merge(source=old, target=merchant, reason="Same seller", actor=moderator)

    with pytest.raises(ValidationError) as error:
        alerts.risk_alert_create(merchant=Merchant.objects.get(pk=old.pk), level="high", text=TEXT, actor=moderator)

    assert messages_of(error.value) == [str(alerts.MSG_MERCHANT_INACTIVE)]


def test_one_live_alert_per_merchant_until_withdrawn(merchant, moderator, proposed):
    with pytest.raises(ValidationError) as error:
        alerts.risk_alert_create(merchant=merchant, level="medium", text="另一条", actor=moderator)
    assert messages_of(error.value) == [str(alerts.MSG_ALREADY_LIVE)]

    alerts.risk_alert_withdraw(alert=proposed, actor=moderator)
    again = alerts.risk_alert_create(merchant=merchant, level="medium", text="另一条", actor=moderator)
    assert again.status == Status.PROPOSED


def test_the_database_refuses_a_second_live_alert(merchant, moderator, proposed):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAlert.objects.create(merchant=merchant, level="high", text="x", created_by=moderator)


def test_approving_publishes_and_records_who_and_when(proposed, moderator):
    alert = alerts.risk_alert_approve(alert=proposed, actor=moderator)

    alert.refresh_from_db()
    assert (alert.status, alert.approved_by) == (Status.APPROVED, moderator)
    assert alert.approved_at >= alert.created_at
    with pytest.raises(ValidationError) as error:
        alerts.risk_alert_approve(alert=alert, actor=moderator)
    assert messages_of(error.value) == [str(alerts.MSG_NOT_PROPOSED % {"status": Status.APPROVED.label})]


def test_withdrawing_takes_it_down_and_records_who_and_when(proposed, moderator):
    alerts.risk_alert_approve(alert=proposed, actor=moderator)
    alert = alerts.risk_alert_withdraw(alert=proposed, actor=moderator)

    alert.refresh_from_db()
    assert (alert.status, alert.withdrawn_by) == (Status.WITHDRAWN, moderator)
    assert alert.approved_at and alert.withdrawn_at
    with pytest.raises(ValidationError) as error:
        alerts.risk_alert_withdraw(alert=alert, actor=moderator)
    assert messages_of(error.value) == [str(alerts.MSG_ALREADY_WITHDRAWN)]
    with pytest.raises(ValidationError):
        alerts.risk_alert_approve(alert=alert, actor=moderator)


# Reads ------------------------------------------------------------------------------------------------------


def test_only_an_approved_alert_is_the_merchants_warning(merchant, moderator, proposed):
    assert alerts.risk_alert_for_merchant(merchant_id=merchant.pk) is None

    alerts.risk_alert_approve(alert=proposed, actor=moderator)
    assert alerts.risk_alert_for_merchant(merchant_id=merchant.pk) == proposed

    alerts.risk_alert_withdraw(alert=proposed, actor=moderator)
    assert alerts.risk_alert_for_merchant(merchant_id=merchant.pk) is None


def test_warnings_of_many_merchants_take_one_query_and_follow_merges(moderator, django_assert_num_queries):
    warned, plain, merged_in = MerchantFactory(), MerchantFactory(), MerchantFactory()
    for merchant in (warned, merged_in):
        alert = alerts.risk_alert_create(merchant=merchant, level="high", text=merchant.name, actor=moderator)
        alerts.risk_alert_approve(alert=alert, actor=moderator)
    merchant_merge(source=merged_in, target=plain, reason="Same seller", actor=moderator)

    with django_assert_num_queries(1):
        found = alerts.risk_alerts_for_merchants(merchant_ids=[warned.pk, plain.pk])

    assert {merchant_id: alert.text for merchant_id, alert in found.items()} == {
        warned.pk: warned.name,
        plain.pk: merged_in.name,
    }


def test_high_risk_merchants_without_a_live_alert_are_suggested(moderator, proposed, merchant):
    high, medium, warned = MerchantFactory(), MerchantFactory(), merchant
    MerchantRisk.objects.create(merchant=high, score=80)
    MerchantRisk.objects.create(merchant=medium, score=40)
    MerchantRisk.objects.create(merchant=warned, score=90)

    assert [risk.merchant for risk in alerts.high_risk_without_alert(threshold=60)] == [high]


# Pages ------------------------------------------------------------------------------------------------------


def test_the_list_shows_live_alerts_and_suggestions(mod_client, merchant, proposed):
    suggested = MerchantFactory()
    MerchantRisk.objects.create(merchant=suggested, score=75)

    response = mod_client.get(LIST_URL, headers={"accept-language": "en"})

    assert response.status_code == 200
    page = response.text
    assert TEXT in page
    assert step_url(proposed, "approve") in page
    assert step_url(proposed, "withdraw") in page
    assert create_url(suggested) in page


def test_a_moderator_proposes_from_the_merchants_page(mod_client, merchant, moderator):
    MerchantRisk.objects.create(merchant=merchant, score=70)
    form = mod_client.get(create_url(merchant))
    assert form.status_code == 200
    assert form.context["form"].initial["level"] == "high"

    response = mod_client.post(create_url(merchant), {"level": "medium", "text": TEXT})

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    alert = RiskAlert.objects.get()
    assert (alert.merchant, alert.level, alert.status, alert.created_by) == (merchant, "medium", "proposed", moderator)


def test_an_invalid_proposal_is_shown_again_with_its_errors(mod_client, merchant, proposed):
    other = MerchantFactory()
    response = mod_client.post(create_url(other), {"level": "low", "text": ""}, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"level", "text"}

    response = mod_client.post(
        create_url(merchant), {"level": "high", "text": "另一条"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert str(alerts.MSG_ALREADY_LIVE) in response.text
    assert RiskAlert.objects.count() == 1


def test_a_merged_merchants_proposal_page_leads_to_the_merchant_it_is_part_of(mod_client, merchant, moderator):
    old = MerchantFactory()
    merchant_merge(source=old, target=merchant, reason="Same seller", actor=moderator)

    response = mod_client.get(create_url(old))

    assert response.status_code == 302
    assert response["Location"] == create_url(merchant)


def test_approving_and_withdrawing_from_the_list(mod_client, proposed):
    assert mod_client.post(step_url(proposed, "approve"))["Location"] == LIST_URL
    proposed.refresh_from_db()
    assert proposed.status == Status.APPROVED

    assert mod_client.post(step_url(proposed, "withdraw"))["Location"] == LIST_URL
    proposed.refresh_from_db()
    assert proposed.status == Status.WITHDRAWN

    response = mod_client.post(step_url(proposed, "approve"), follow=True, headers={"accept-language": "en"})
    assert "Only a proposed alert can be approved" in response.text


@pytest.mark.parametrize("who", ["complainant", "merchant_rep", "regulator"])
def test_others_are_refused(request, client, merchant, proposed, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(LIST_URL).status_code == 403
    assert client.get(create_url(merchant)).status_code == 403
    assert client.post(create_url(MerchantFactory()), {"level": "high", "text": TEXT}).status_code == 403
    assert client.post(step_url(proposed, "approve")).status_code == 403
    assert client.post(step_url(proposed, "withdraw")).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED
    assert RiskAlert.objects.count() == 1


def test_anonymous_visitors_log_in_first(client, merchant, proposed):
    for response in (client.get(LIST_URL), client.post(step_url(proposed, "approve"))):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_every_step_needs_the_csrf_token(moderator, merchant, proposed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    assert client.post(create_url(MerchantFactory()), {"level": "high", "text": TEXT}).status_code == 403
    assert client.post(step_url(proposed, "approve")).status_code == 403
    assert client.post(step_url(proposed, "withdraw")).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_steps_answer_post_only_and_unknown_alerts_are_404(mod_client, merchant, proposed):
    assert mod_client.get(step_url(proposed, "approve")).status_code == 405
    assert mod_client.get(step_url(proposed, "withdraw")).status_code == 405
    assert mod_client.post(LIST_URL).status_code == 405
    assert mod_client.put(create_url(merchant)).status_code == 405
    assert mod_client.post(f"/authority/alerts/{uuid.uuid4()}/approve/").status_code == 404
    assert mod_client.get(f"/authority/alerts/merchants/{uuid.uuid4()}/new/").status_code == 404
