import base64
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from portal.escalations import delivery as delivery_module
from portal.escalations.delivery import (
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    backoff,
    deliveries_enqueue,
    deliveries_sweep,
    delivery_send,
    dossier_token_check,
)
from portal.escalations.models import Delivery, Escalation
from portal.escalations.tasks import delivery_send_task
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory
from portal.escalations.webhook_verify import WebhookVerificationError, verify

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"s" * 32).decode()


class OutageBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp.example.com:25 refused")


class Receiver:
    """A local webhook endpoint: answers with the scripted statuses (then 200) and verifies each request with the
    reference verifier, as a receiver would."""

    def __init__(self):
        self.script = []
        self.requests = []
        # The ids processed so far, when the test wants replays refused.
        self.seen = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    payload = verify(secret=SECRET, headers=dict(self.headers), body=body, seen_ids=receiver.seen)
                    error = None
                except WebhookVerificationError as exc:
                    payload, error = None, str(exc)
                receiver.requests.append(
                    {"id": self.headers["webhook-id"], "path": self.path, "payload": payload, "error": error}
                )
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "sleep":
                    time.sleep(1.5)
                    action = 200
                self.send_response(action)
                if action == 302:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    settings.DOSSIER_LINK_TTL = timedelta(days=7)
    settings.WEBHOOK_TIMEOUT = 0.5
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.SITE_URL = "https://redress.example"


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def hooked(receiver):
    authority = AuthorityFactory(contact_emails=[], webhook_url=receiver.url, webhook_secret=SECRET)
    return EscalationFactory(authority=authority)


def _webhook(escalation, event="opened"):
    return Delivery.objects.create(escalation=escalation, channel=Delivery.Channel.WEBHOOK, event=event)


def test_enqueue_creates_one_delivery_per_channel_and_sends_after_commit(receiver, django_capture_on_commit_callbacks):
    authority = AuthorityFactory(
        contact_emails=["ts@owner.example.com", "ops@owner.example.com"],
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    escalation = EscalationFactory(authority=authority)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deliveries = deliveries_enqueue(escalation=escalation, event="opened")
        assert receiver.requests == [] and mail.outbox == []
    assert len(callbacks) == 2
    assert sorted(d.channel for d in deliveries) == ["email", "webhook"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert mail.outbox[0].to == ["ts@owner.example.com", "ops@owner.example.com"]
    assert [r["error"] for r in receiver.requests] == [None]
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DELIVERED
    assert escalation.delivered_at is not None


def test_authority_without_channels_gets_no_delivery():
    escalation = EscalationFactory(authority=AuthorityFactory(contact_emails=[]))
    assert deliveries_enqueue(escalation=escalation, event="opened") == []


def test_broker_outage_delays_and_the_sweeper_sends(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(delivery_send_task, "delay", broker_down)
    escalation = EscalationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = deliveries_enqueue(escalation=escalation, event="opened")
    row.refresh_from_db()
    assert (row.status, row.attempts, mail.outbox) == ("pending", 0, [])
    assert deliveries_sweep() == 1
    assert deliveries_sweep() == 0
    assert len(mail.outbox) == 1


def test_email_carries_ids_deadlines_and_an_expiring_link_only():
    escalation = EscalationFactory()
    row = Delivery.objects.create(escalation=escalation, channel=Delivery.Channel.EMAIL, event="opened")
    assert delivery_send(delivery_id=row.pk)
    message = mail.outbox[0]
    assert str(escalation.uuid) in message.subject
    assert str(escalation.uuid) in message.body
    assert str(escalation.merchant.uuid) in message.body
    assert escalation.merchant.name not in message.body
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    path, token = link.removeprefix("https://redress.example").split("?token=")
    assert path == f"/authority/escalations/{escalation.uuid}/dossier/"
    assert dossier_token_check(token=token, escalation_uuid=escalation.uuid)
    assert not dossier_token_check(token=token, escalation_uuid=EscalationFactory().uuid)
    assert not dossier_token_check(token=token + "x", escalation_uuid=escalation.uuid)


def test_dossier_link_expires(settings):
    escalation = EscalationFactory()
    token = delivery_module.dossier_token(escalation)
    settings.DOSSIER_LINK_TTL = timedelta(seconds=-1)
    assert not dossier_token_check(token=token, escalation_uuid=escalation.uuid)


def test_smtp_outage_delays_then_the_sweeper_sends_once(settings):
    settings.EMAIL_BACKEND = "portal.escalations.tests.test_delivery.OutageBackend"
    row = Delivery.objects.create(escalation=EscalationFactory(), channel=Delivery.Channel.EMAIL, event="opened")
    now = timezone.now()
    assert not delivery_send(delivery_id=row.pk, now=now)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "email: ConnectionRefusedError")
    assert now + timedelta(seconds=30) <= row.next_attempt_at <= now + timedelta(seconds=60)
    # Not due yet: the sweeper leaves it.
    assert deliveries_sweep(now=now + timedelta(seconds=10)) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_sweep(now=now + timedelta(minutes=2)) == 1
    assert deliveries_sweep(now=now + timedelta(hours=7)) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == ("sent", 2, 1)


def test_webhook_is_signed_and_carries_ids_and_a_link_only(receiver, hooked):
    row = _webhook(hooked)
    assert delivery_send(delivery_id=row.pk)
    (request,) = receiver.requests
    assert request["error"] is None
    assert request["id"] == str(row.uuid)
    payload = request["payload"]
    assert set(payload) == {"type", "escalation", "merchant", "authority", "status", "dossier_url", "created_at"}
    assert payload["type"] == "escalation.opened"
    assert payload["escalation"] == str(hooked.uuid)
    assert payload["merchant"] == str(hooked.merchant.uuid)
    assert payload["authority"] == str(hooked.authority.uuid)
    assert payload["dossier_url"].startswith(f"https://redress.example/authority/escalations/{hooked.uuid}/dossier/")


def test_delivery_task_run_twice_sends_once(receiver, hooked):
    row = _webhook(hooked)
    delivery_send_task.delay(row.pk)
    delivery_send_task.delay(row.pk)
    assert deliveries_sweep() == 0
    assert len(receiver.requests) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_claimed_row_is_not_sent_by_another_worker_meanwhile(receiver, hooked):
    """A worker that claimed the row and is still sending (or died) holds it for the lease."""
    row = _webhook(hooked)
    now = timezone.now()
    assert delivery_module._claim(row.pk, now) is not None
    assert not delivery_send(delivery_id=row.pk, now=now + timedelta(minutes=1))
    assert receiver.requests == []
    assert delivery_send(delivery_id=row.pk, now=now + delivery_module.CLAIM_LEASE)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(("script", "error"), [([500], "HTTP 500"), (["sleep"], "Timeout"), ([302], "HTTP 302")])
def test_failures_are_retried_with_the_same_webhook_id(receiver, hooked, script, error):
    receiver.script = list(script)
    row = _webhook(hooked)
    now = timezone.now()
    assert not delivery_send(delivery_id=row.pk, now=now)
    row.refresh_from_db()
    assert row.status == "pending"
    assert error in row.last_error
    assert row.next_attempt_at > now
    hooked.refresh_from_db()
    assert hooked.status == Escalation.Status.PENDING
    assert deliveries_sweep(now=now + timedelta(minutes=2)) == 1
    time.sleep(0.1 if script != ["sleep"] else 1.6)
    # A redirect is not followed: the receiver saw the two POSTs to its own path, nothing at the Location.
    assert [r["path"] for r in receiver.requests] == ["/hook", "/hook"]
    assert {r["id"] for r in receiver.requests} == {str(row.uuid)}
    assert [r["error"] for r in receiver.requests] == [None, None]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    hooked.refresh_from_db()
    assert hooked.status == Escalation.Status.DELIVERED


def test_receiver_drops_the_retry_of_a_message_it_processed(receiver, hooked):
    """The timeout case: the receiver processed the message but we never saw its answer, so the same id comes
    again, and the reference verifier's replay check drops it."""
    receiver.seen = set()
    receiver.script = ["sleep"]
    row = _webhook(hooked)
    now = timezone.now()
    delivery_send(delivery_id=row.pk, now=now)
    deliveries_sweep(now=now + timedelta(minutes=2))
    time.sleep(1.6)
    assert [(r["id"], r["error"]) for r in receiver.requests] == [
        (str(row.uuid), None),
        (str(row.uuid), "message already processed"),
    ]


def test_410_disables_the_endpoint(receiver, hooked):
    receiver.script = [410]
    row, other = _webhook(hooked), _webhook(hooked, event="supplemented")
    assert not delivery_send(delivery_id=row.pk)
    row.refresh_from_db()
    other.refresh_from_db()
    hooked.authority.refresh_from_db()
    assert (row.status, other.status) == ("disabled", "disabled")
    assert hooked.authority.webhook_url == ""
    assert deliveries_sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert len(receiver.requests) == 1


def test_attempts_are_capped(receiver, hooked):
    receiver.script = [500]
    row = _webhook(hooked)
    Delivery.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert not delivery_send(delivery_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert deliveries_sweep(now=timezone.now() + timedelta(days=1)) == 0


def test_ssrf_target_is_refused_and_not_contacted(settings, receiver):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    authority = AuthorityFactory(contact_emails=[], webhook_url=receiver.url, webhook_secret=SECRET)
    row = _webhook(EscalationFactory(authority=authority))
    assert not delivery_send(delivery_id=row.pk)
    row.refresh_from_db()
    assert row.status == "pending"
    assert row.last_error == "webhook refused: address refused: loopback"
    assert receiver.requests == []


def test_backoff_doubles_with_jitter_up_to_the_cap():
    for attempts in range(1, 6):
        ceiling = timedelta(seconds=60 * 2 ** (attempts - 1))
        for _ in range(20):
            assert ceiling / 2 <= backoff(attempts) <= ceiling
    assert backoff(30) <= BACKOFF_CAP
    assert backoff(30) >= BACKOFF_CAP / 2
    assert len({backoff(3) for _ in range(10)}) > 1
