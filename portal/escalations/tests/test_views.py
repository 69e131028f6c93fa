"""The authority portal: who may see what, the access log, and acknowledging and answering from the page."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from complaints.services import complaint_submit
from complaints.workflow import complaint_accept
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory
from portal.escalations.delivery import dossier_token
from portal.escalations.models import AccessLog, Escalation, EscalationEvent
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory, EscalationFactory
from portal.escalations.views import MSG_LINK_INVALID, dossier_filename

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
NARRATIVE = f"付款以后商家一直没有发货，客服电话{PHONE}也打不通，群里很多人都遇到了同样的情况，请帮忙。"
LIST_URL = "/authority/"


def url(escalation, action=""):
    return f"/authority/escalations/{escalation.uuid}/{action + '/' if action else ''}"


def complaint_url(escalation, code):
    return f"/authority/escalations/{escalation.uuid}/complaints/{code}/"


def file(merchant_name, *, accept_by=None, amount="880.00"):
    complaint = complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=merchant_name),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal(amount),
        region="440000",
    )
    if accept_by is not None:
        complaint = complaint_accept(complaint=complaint, moderator=accept_by)
    return complaint


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def authority():
    return AuthorityFactory()


@pytest.fixture
def other_authority():
    return AuthorityFactory()


@pytest.fixture
def staff(authority):
    return AuthorityStaffFactory(authority=authority)


@pytest.fixture
def other_staff(other_authority):
    return AuthorityStaffFactory(authority=other_authority)


@pytest.fixture
def case(moderator, authority):
    """An escalation to `authority` about a merchant with two accepted complaints and one still submitted."""
    accepted = file("骗子数码店", accept_by=moderator)
    second = file("骗子数码店", accept_by=moderator, amount="1200.00")
    pending = file("骗子数码店")
    assert accepted.merchant_id == second.merchant_id == pending.merchant_id
    escalation = EscalationFactory(merchant=accepted.merchant, authority=authority)
    return {"escalation": escalation, "accepted": [accepted, second], "pending": pending}


def test_anonymous_visitors_are_sent_to_log_in_and_the_link_keeps_its_token(client, case):
    escalation = case["escalation"]
    for path in (LIST_URL, url(escalation), url(escalation, "dossier") + "?token=abc"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert "token%3Dabc" in response.url
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["complainant", "moderator", "merchant_rep", "regulator"])
def test_everyone_but_authority_staff_gets_404(client, case, request, who):
    """Including an account with the authority role but no membership: the membership decides."""
    client.force_login(request.getfixturevalue(who))
    escalation = case["escalation"]
    code = case["accepted"][0].code
    for path in (LIST_URL, url(escalation), complaint_url(escalation, code), url(escalation, "dossier")):
        assert client.get(path).status_code == 404, path
    for action in ("acknowledge", "respond"):
        assert client.post(url(escalation, action), {"outcome": "no_action"}).status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.PENDING
    assert not AccessLog.objects.exists()


def test_staff_of_another_authority_get_404_on_its_escalations_dossiers_and_complaints(client, case, other_staff):
    client.force_login(other_staff)
    escalation = case["escalation"]
    code = case["accepted"][0].code
    token = dossier_token(escalation)
    paths = (url(escalation), complaint_url(escalation, code), url(escalation, "dossier"))
    for path in (*paths, url(escalation, "dossier") + f"?token={token}"):
        assert client.get(path).status_code == 404, path
    assert client.post(url(escalation, "acknowledge")).status_code == 404
    assert client.post(url(escalation, "respond"), {"outcome": "no_action"}).status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.PENDING
    assert not AccessLog.objects.exists()
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert str(escalation.uuid) not in response.content.decode()


def test_the_list_shows_the_authoritys_escalations_newest_first_with_overdue_badges(client, staff, authority):
    now = timezone.now()
    old = EscalationFactory(authority=authority, opened_at=now - timedelta(days=3), merchant__name="旧店铺")
    new = EscalationFactory(authority=authority, opened_at=now - timedelta(hours=1), merchant__name="新店铺")
    elsewhere = EscalationFactory(merchant__name="别家的店")
    client.force_login(staff)
    response = client.get(LIST_URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(str(new.uuid)) < body.index(str(old.uuid))
    assert "别家的店" not in body and str(elsewhere.uuid) not in body
    # Opened three days ago with 24 hours to acknowledge: the old one is overdue, the new one is not.
    rows = {row["escalation"].pk: row["overdue"] for row in response.context["rows"]}
    assert rows == {new.pk: {"ack": False, "response": False}, old.pk: {"ack": True, "response": False}}
    assert body.count("(overdue)") == 1


def test_the_nav_links_to_escalations_for_authority_staff_only(client, staff, complainant):
    client.force_login(staff)
    assert 'href="/authority/"' in client.get("/").content.decode()
    client.force_login(complainant)
    assert 'href="/authority/"' not in client.get("/").content.decode()


def test_the_detail_shows_counted_complaints_redacted_and_logs_the_visit(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.get(url(escalation))
    body = response.content.decode()
    assert response.status_code == 200
    for complaint in case["accepted"]:
        assert complaint_url(escalation, complaint.code) in body
    assert case["pending"].code not in body
    assert PHONE not in body
    assert "138****5678" in body
    log = AccessLog.objects.get()
    assert (log.user, log.authority, log.escalation, log.complaint, log.action) == (
        staff,
        escalation.authority,
        escalation,
        None,
        AccessLog.Action.VIEW_ESCALATION,
    )
    client.get(url(escalation))
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW_ESCALATION).count() == 2


def test_a_complaint_page_shows_the_redacted_account_and_logs_the_visit(client, staff, case):
    escalation = case["escalation"]
    complaint = case["accepted"][0]
    client.force_login(staff)
    response = client.get(complaint_url(escalation, complaint.code))
    body = response.content.decode()
    assert response.status_code == 200
    assert complaint.code in body and "138****5678" in body
    assert PHONE not in body
    assert complaint.complainant.email not in body
    log = AccessLog.objects.get()
    assert (log.complaint_id, log.action) == (complaint.pk, AccessLog.Action.VIEW_COMPLAINT)


def test_a_complaint_outside_the_escalation_is_404(client, staff, case, moderator):
    escalation = case["escalation"]
    another_merchants = file("完全不同的商家", accept_by=moderator)
    assert another_merchants.merchant_id != escalation.merchant_id
    client.force_login(staff)
    for code in (another_merchants.code, case["pending"].code, "NOPE-0000"):
        assert client.get(complaint_url(escalation, code)).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_dossier_downloads_as_a_zip_attachment_and_is_logged(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.get(url(escalation, "dossier"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{dossier_filename(escalation)}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert zipfile.is_zipfile(io.BytesIO(response.content))
    log = AccessLog.objects.get()
    assert (log.user, log.escalation, log.action) == (staff, escalation, AccessLog.Action.DOWNLOAD_DOSSIER)


def test_the_dossier_filename_is_ascii_whatever_the_merchant_is_called(authority):
    escalation = EscalationFactory(authority=authority, merchant=MerchantFactory(name='骗子"店\r\n; filename=x.exe'))
    assert dossier_filename(escalation) == f"redress-dossier-{escalation.uuid}.zip"


def test_the_emailed_link_works_for_logged_in_staff_and_a_bad_token_is_refused(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.get(url(escalation, "dossier") + f"?token={dossier_token(escalation)}")
    assert response.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(response.content))

    other = EscalationFactory()
    for token in ("forged", dossier_token(other)):
        response = client.get(url(escalation, "dossier") + f"?token={token}", follow=True)
        assert response.redirect_chain == [(url(escalation), 302)]
        assert [str(message) for message in response.context["messages"]] == [str(MSG_LINK_INVALID)]
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD_DOSSIER).count() == 1


def test_acknowledging_changes_the_status_and_writes_an_event(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.post(url(escalation, "acknowledge"))
    assert response.status_code == 302 and response.url == url(escalation)
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ACKNOWLEDGED
    assert escalation.acknowledged_at is not None
    event = escalation.events.get(kind=EscalationEvent.Kind.ACKNOWLEDGED)
    assert event.actor == staff
    assert texts(response) == ["You acknowledged this escalation."]


def test_an_escalation_error_becomes_a_message(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    client.post(url(escalation, "acknowledge"))
    response = client.post(url(escalation, "acknowledge"))
    assert response.status_code == 302
    message = texts(response)[-1]
    assert "Acknowledged" in message and "cannot be acknowledged now" in message
    assert escalation.events.filter(kind=EscalationEvent.Kind.ACKNOWLEDGED).count() == 1


def test_responding_records_the_outcome_and_note(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.post(url(escalation, "respond"), {"outcome": "investigating", "note": "已立案调查。"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome, escalation.note) == (
        Escalation.Status.RESPONDED,
        Escalation.Outcome.INVESTIGATING,
        "已立案调查。",
    )
    event = escalation.events.get(kind=EscalationEvent.Kind.RESPONDED)
    assert (event.actor, event.data["outcome"], event.data["note"]) == (staff, "investigating", "已立案调查。")
    assert texts(response) == ["Your response was recorded: Investigating."]
    page = client.get(url(escalation)).content.decode()
    assert "Investigating" in page and "已立案调查。" in page
    # Answered: neither form is offered any more.
    assert url(escalation, "respond") not in page and url(escalation, "acknowledge") not in page


def test_a_response_without_an_outcome_changes_nothing(client, staff, case):
    escalation = case["escalation"]
    client.force_login(staff)
    response = client.post(url(escalation, "respond"), {"outcome": "", "note": "x"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.PENDING
    [message] = texts(response)
    assert message.startswith("Nothing was changed:")


def test_responding_to_a_closed_escalation_is_refused_with_a_message(client, staff, authority):
    escalation = EscalationFactory(authority=authority, status=Escalation.Status.CLOSED, closed_at=timezone.now())
    client.force_login(staff)
    response = client.post(url(escalation, "respond"), {"outcome": "no_action"})
    [message] = texts(response)
    assert "cannot be answered now" in message
    escalation.refresh_from_db()
    assert escalation.outcome == ""


def test_actions_refuse_get(client, staff, case):
    client.force_login(staff)
    assert client.get(url(case["escalation"], "acknowledge")).status_code == 405
    assert client.get(url(case["escalation"], "respond")).status_code == 405
