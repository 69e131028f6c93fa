"""The collective case's page and victims writing to each other: what anyone sees (and never sees), who may do
what, and the page's cost as the case grows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import cases
from complaints.models import Complaint, Notification, TimelineEvent, VictimMessage
from complaints.tests.factories import ComplaintFactory
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory
from portal.escalations.models import Escalation
from portal.escalations.services import response_anchor
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory

pytestmark = pytest.mark.django_db

ORDER = "4200001234567890"
PHONE = "13812345678"
PAYEE = "6222021234567890123"
SECRET_NARRATIVE = "这段经过没有同意公开，任何人都不能在案件页面上看到它，包括订单和联系方式。"
PUBLISHED_NARRATIVE = "经过审核并同意公开的经历：付款以后商家一直不发货，客服也联系不上了。"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def merchant(db):
    return MerchantFactory(name="骗子数码店")


def file(merchant, user=None, **fields) -> Complaint:
    return ComplaintFactory(merchant=merchant, complainant=user or UserFactory(), **fields)


def page(merchant) -> str:
    return f"/cases/{merchant.uuid}/"


@pytest.fixture
def victims(merchant):
    """Alice and Bob agreed to be contacted; Carol did not."""
    alice = file(merchant, UserFactory(email="alice@example.com"), contactable=True, order_number=ORDER)
    bob = file(merchant, UserFactory(email="bob@example.com"), contactable=True, order_number=" 42000012345678 90")
    carol = file(merchant, UserFactory(email="carol@example.com"), order_number="ORD-55-7788")
    return alice, bob, carol


def test_anyone_sees_victims_the_deduplicated_total_and_how_to_join(client, merchant, victims):
    file(merchant, status=Complaint.Status.REJECTED, amount=Decimal("50000.00"))

    response = client.get(page(merchant))

    assert response.status_code == 200
    case = response.context["case"]
    assert case.victims == 3
    # Alice's and Bob's order is one transaction: 6999.00 once, plus Carol's.
    assert response.context["ledger"].cny == Decimal("13998.00")
    html = response.content.decode()
    assert "CNY 13998.00" in html
    assert "••••7890" in html and "••••7788" in html
    assert "Same transaction in several complaints: counted once" in html
    assert f'href="/complaints/new/?merchant={merchant.uuid}"' in html
    assert "I was cheated too" in html
    # Only victims see the victims' panel.
    assert 'id="victims"' not in html


def test_the_page_shows_no_personal_data_and_no_unpublished_account(client, merchant, victims):
    alice, bob, carol = victims
    hidden = file(
        merchant,
        UserFactory(email="dave@example.com"),
        order_number="XY99887766",
        merchant_phone=PHONE,
        payee_account=PAYEE,
        narrative=SECRET_NARRATIVE,
        narrative_redacted=SECRET_NARRATIVE,
        consent_publish=False,
        status=Complaint.Status.ACCEPTED,
    )
    published = file(
        merchant,
        narrative=PUBLISHED_NARRATIVE,
        narrative_redacted=PUBLISHED_NARRATIVE,
        consent_publish=True,
        status=Complaint.Status.ACCEPTED,
    )

    for viewer in (None, alice.complainant):
        client.logout()
        if viewer:
            client.force_login(viewer)
        html = client.get(page(merchant)).content.decode()
        for secret in (ORDER, "42000012345678", "XY99887766", "ORD-55-7788", PHONE, PAYEE, SECRET_NARRATIVE):
            assert secret not in html
        for complaint in (alice, bob, carol, hidden, published):
            assert complaint.code not in html
            assert complaint.complainant.email not in html
        for complaint in (alice, bob, carol, hidden):
            assert str(complaint.uuid) not in html
        assert "@example.com" not in html
        assert PUBLISHED_NARRATIVE in html
        assert f"/complaints/public/{published.uuid}/" in html


def test_unknown_merchants_and_merchants_without_counted_complaints_have_no_case(client, merchant):
    assert client.get(page(merchant)).status_code == 404
    file(merchant, status=Complaint.Status.WITHDRAWN)
    assert client.get(page(merchant)).status_code == 404
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_merged_merchant_redirects_to_its_root(client, merchant, victims):
    old = MerchantFactory(status=Merchant.Status.MERGED, merged_into=merchant)
    response = client.get(page(old))
    assert response.status_code == 302
    assert response.url == page(merchant)


def test_the_page_answers_get_and_head_only(client, merchant, victims):
    assert client.head(page(merchant)).status_code == 200
    assert client.post(page(merchant)).status_code == 405
    alice = victims[0]
    client.force_login(alice.complainant)
    message = cases.victim_message_send(
        user=alice.complainant, merchant_id=merchant.pk, recipient_key=cases.victim_key(victims[1].uuid), body="你好"
    )
    for path in (page(merchant) + "contact/", page(merchant) + "write/", f"/cases/messages/{message.uuid}/reply/"):
        assert client.get(path).status_code == 405
    assert client.post("/cases/messages/").status_code == 405


def test_the_timeline_shows_filings_escalations_and_answers_notes_to_victims_only(client, merchant, victims):
    authority = AuthorityFactory(name_en="Platform Trust Team")
    now = timezone.now()
    escalation = EscalationFactory(
        merchant=merchant,
        authority=authority,
        opened_at=now - timedelta(days=2),
        delivered_at=now - timedelta(days=2),
        acknowledged_at=now - timedelta(days=1),
        responded_at=now,
        status=Escalation.Status.RESPONDED,
        outcome=Escalation.Outcome.FUNDS_FROZEN,
        note="商户结算资金已冻结，请受害者保留证据。",
    )

    html = client.get(page(merchant)).content.decode()
    assert "3 complaints filed" in html
    assert "Escalated to Platform Trust Team" in html
    assert "Case file delivered to Platform Trust Team" in html
    assert "Platform Trust Team answered: Funds frozen" in html
    assert f'id="{response_anchor(escalation)}"' in html
    assert escalation.note not in html

    client.force_login(victims[2].complainant)
    assert escalation.note in client.get(page(merchant)).content.decode()


def test_the_page_costs_the_same_queries_however_many_complaints(client, merchant, victims):
    escalation_merchant = MerchantFactory(status=Merchant.Status.MERGED, merged_into=merchant)
    EscalationFactory(merchant=escalation_merchant)
    alice = victims[0]

    def count(user) -> int:
        client.logout()
        if user:
            client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(merchant)).status_code == 200
        return len(queries)

    before = (count(None), count(alice.complainant))
    for n in range(20):
        file(merchant, contactable=n % 2 == 0, order_number=f"N{n % 7}", consent_publish=True, status="accepted")
    assert (count(None), count(alice.complainant)) == before
    assert before[0] <= 8


# Opting in to contact -------------------------------------------------------------------------------------


def test_a_victim_lets_others_write_and_stops_them(client, merchant, victims):
    carol = victims[2]
    client.force_login(carol.complainant)
    html = client.get(page(merchant)).content.decode()
    assert "Let other victims of this merchant write to me" in html
    assert "Victim #1, filed" in html and "Victim #2, filed" in html
    assert "To write to them, let other victims write to you too." in html

    response = client.post(page(merchant) + "contact/", {"contactable": "1"})
    assert response.status_code == 302 and response.url == page(merchant) + "#victims"
    carol.refresh_from_db()
    assert carol.contactable
    assert TimelineEvent.objects.filter(complaint=carol, kind=TimelineEvent.Kind.CONTACT_CHANGED).count() == 1
    assert 'name="to"' in client.get(page(merchant)).content.decode()

    client.post(page(merchant) + "contact/", {"contactable": "0"})
    carol.refresh_from_db()
    assert not carol.contactable


def test_opting_in_needs_a_login_a_complaint_and_a_valid_choice(client, merchant, victims):
    path = page(merchant) + "contact/"
    response = client.post(path, {"contactable": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.post(path, {"contactable": "1"}).status_code == 403
    client.force_login(victims[2].complainant)
    assert client.post(path, {"contactable": "yes"}).status_code == 400
    assert client.post(f"/cases/{MerchantFactory().uuid}/contact/", {"contactable": "1"}).status_code == 403
    assert client.post("/cases/00000000-0000-0000-0000-000000000000/contact/", {"contactable": "1"}).status_code == 404
    assert not Complaint.objects.filter(pk=victims[2].pk, contactable=True).exists()


def test_posts_need_the_csrf_token(merchant, victims):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(victims[2].complainant)
    assert strict.post(page(merchant) + "contact/", {"contactable": "1"}).status_code == 403
    assert strict.post(page(merchant) + "write/", {"to": "x", "body": "你好"}).status_code == 403
    assert not Complaint.objects.filter(pk=victims[2].pk, contactable=True).exists()


# Writing to another victim --------------------------------------------------------------------------------


def test_a_victim_writes_to_another_who_is_told_and_reads_it_in_the_inbox(client, merchant, victims):
    alice, bob, _carol = victims
    client.force_login(alice.complainant)
    response = client.post(page(merchant) + "write/", {"to": cases.victim_key(bob.uuid), "body": "我们一起报警吧。"})
    assert response.status_code == 302

    message = VictimMessage.objects.get()
    assert (message.sender, message.recipient, message.body) == (alice, bob, "我们一起报警吧。")
    notice = Notification.objects.get(user=bob.complainant)
    assert (notice.kind, notice.link) == (Notification.Kind.MESSAGE, "/cases/messages/")

    client.force_login(bob.complainant)
    html = client.get("/cases/messages/").content.decode()
    assert "我们一起报警吧。" in html
    assert "From a victim who filed in" in html
    assert alice.complainant.email not in html and alice.code not in html and str(alice.uuid) not in html
    message.refresh_from_db()
    notice.refresh_from_db()
    assert message.read_at is not None and notice.read_at is not None

    response = client.post(f"/cases/messages/{message.uuid}/reply/", {"body": "好，明天去派出所。"})
    assert response.status_code == 302 and response.url == "/cases/messages/"
    assert VictimMessage.objects.filter(sender=bob, recipient=alice, body="好，明天去派出所。").exists()


def test_writing_refuses_who_is_not_listed_and_keeps_what_was_typed(client, merchant, victims):
    alice, _bob, carol = victims
    client.force_login(alice.complainant)
    response = client.post(page(merchant) + "write/", {"to": cases.victim_key(carol.uuid), "body": "你好，我是受害者"})
    assert response.status_code == 200
    assert "Choose who to write to." in response.content.decode()
    assert "你好，我是受害者" in response.content.decode()
    assert not VictimMessage.objects.exists()


def test_personal_data_is_sent_only_once_the_writer_confirms(client, merchant, victims):
    alice, bob, _carol = victims
    client.force_login(alice.complainant)
    body = f"我的电话是{PHONE}，方便联系。"
    response = client.post(page(merchant) + "write/", {"to": cases.victim_key(bob.uuid), "body": body})
    assert response.status_code == 200
    assert "It is sent exactly as written" in response.content.decode()
    assert 'name="send_anyway"' in response.content.decode()
    assert not VictimMessage.objects.exists()

    client.post(page(merchant) + "write/", {"to": cases.victim_key(bob.uuid), "body": body, "send_anyway": "on"})
    assert VictimMessage.objects.get().body == body


def test_writing_needs_a_complaint_against_the_merchant_and_consent(client, merchant, victims):
    _alice, bob, carol = victims
    path = page(merchant) + "write/"
    data = {"to": cases.victim_key(bob.uuid), "body": "你好"}
    assert client.post(path, data).status_code == 302
    client.force_login(UserFactory())
    assert client.post(path, data).status_code == 403
    client.force_login(carol.complainant)
    response = client.post(path, data)
    assert response.status_code == 200
    assert str(cases.MSG_NOT_OPTED_IN) in response.content.decode()
    assert not VictimMessage.objects.exists()


def test_the_daily_cap_is_shown_as_a_refusal(client, merchant, victims, monkeypatch):
    alice, bob, _carol = victims
    monkeypatch.setattr(cases, "MESSAGES_PER_DAY", 1)
    client.force_login(alice.complainant)
    data = {"to": cases.victim_key(bob.uuid), "body": "你好"}
    assert client.post(page(merchant) + "write/", data).status_code == 302
    response = client.post(page(merchant) + "write/", data)
    assert "the most allowed" in response.content.decode()
    assert VictimMessage.objects.count() == 1


def test_the_inbox_is_for_logged_in_people_and_replies_for_recipients(client, merchant, victims):
    alice, bob, _carol = victims
    message = cases.victim_message_send(
        user=alice.complainant, merchant_id=merchant.pk, recipient_key=cases.victim_key(bob.uuid), body="你好"
    )
    response = client.get("/cases/messages/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    reply = f"/cases/messages/{message.uuid}/reply/"
    for outsider in (alice.complainant, UserFactory()):
        client.force_login(outsider)
        assert client.post(reply, {"body": "冒充回复"}).status_code == 404
    client.force_login(UserFactory())
    assert "No messages yet." in client.get("/cases/messages/").content.decode()
    assert VictimMessage.objects.count() == 1


def test_a_refused_reply_is_shown_with_what_was_typed(client, merchant, victims):
    alice, bob, _carol = victims
    message = cases.victim_message_send(
        user=alice.complainant, merchant_id=merchant.pk, recipient_key=cases.victim_key(bob.uuid), body="你好"
    )
    cases.case_contact_set(user=alice.complainant, merchant_id=merchant.pk, contactable=False)
    client.force_login(bob.complainant)
    html = client.get("/cases/messages/").content.decode()
    assert "You cannot reply: one of you no longer accepts messages." in html

    response = client.post(f"/cases/messages/{message.uuid}/reply/", {"body": "还在吗？"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your reply was not sent" in html and "还在吗？" in html
    assert str(cases.MSG_RECIPIENT_GONE) in html
    assert VictimMessage.objects.count() == 1


def test_the_inbox_costs_the_same_queries_however_many_messages(client, merchant, victims):
    alice, bob, _carol = victims
    client.force_login(bob.complainant)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/messages/").status_code == 200
        return len(queries)

    def exchange():
        message = cases.victim_message_send(
            user=alice.complainant, merchant_id=merchant.pk, recipient_key=cases.victim_key(bob.uuid), body="你好"
        )
        cases.victim_message_reply(user=bob.complainant, message=message, body="你好")

    exchange()
    before = count()
    for _ in range(5):
        exchange()
    assert count() == before
