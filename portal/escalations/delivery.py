"""Telling an authority about an escalation: by email (a link to the dossier) and by signed webhook.

Delivery rows are the outbox (DESIGN.md section 4). A row is created with the escalation's change and its send
is enqueued after commit; the sweeper sends what a broker outage or a crashed worker left behind, and retries
failures with exponential backoff. A send first claims the row in its own transaction (counting the attempt
and pushing next_attempt_at past the task's time limit), so a second task, or the sweeper, finds nothing to do
while the first is sending. Neither channel carries personal data: ids, deadlines and a link that needs an
authority sign-in.
"""

import hmac
import json
import logging
import random
import time
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# The module, not its names: services.py imports this module to enqueue deliveries, and a cycle of modules
# resolves at call time.
from portal.escalations import services, webhook_verify
from portal.escalations.models import Authority, Delivery, Escalation
from portal.escalations.ssrf import UnsafeURLError, safe_post

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
# Longer than delivery_send_task's hard time limit: a claimed row comes back only if its worker died.
CLAIM_LEASE = timedelta(minutes=5)
# The beat runs the sweep every minute; one run stops starting sends after this long and leaves the rest due.
SWEEP_BUDGET_SECONDS = 200
SWEEP_BATCH = 200
DOSSIER_SALT = "dossier"
DOSSIER_PATH = "/authority/escalations/{uuid}/dossier/"


def dossier_token(escalation: Escalation) -> str:
    return signing.TimestampSigner(salt=DOSSIER_SALT).sign(str(escalation.uuid))


def dossier_token_check(*, token: str, escalation_uuid) -> bool:
    """Whether a dossier link's token was issued by us for this escalation and has not expired."""
    try:
        value = signing.TimestampSigner(salt=DOSSIER_SALT).unsign(token, max_age=settings.DOSSIER_LINK_TTL)
    except signing.BadSignature:
        return False
    return hmac.compare_digest(value, str(escalation_uuid))


def dossier_url(escalation: Escalation) -> str:
    path = DOSSIER_PATH.format(uuid=escalation.uuid)
    return f"{settings.SITE_URL.rstrip('/')}{path}?token={dossier_token(escalation)}"


def deliveries_enqueue(*, escalation: Escalation, event: str) -> list[Delivery]:
    """Create one delivery per channel the authority has and send each after the caller's transaction commits.

    Call inside the transaction that changed the escalation, so the message exists exactly when the change does.
    """
    authority = escalation.authority
    channels = []
    if authority.contact_emails:
        channels.append(Delivery.Channel.EMAIL)
    if authority.webhook_url:
        channels.append(Delivery.Channel.WEBHOOK)
    deliveries = [Delivery.objects.create(escalation=escalation, channel=channel, event=event) for channel in channels]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return deliveries


def _enqueue(delivery_id: int) -> None:
    from portal.escalations.tasks import delivery_send_task

    try:
        delivery_send_task.delay(delivery_id)
    except Exception as error:
        # Any broker failure: the row stays pending and the sweeper sends it.
        logger.warning("Delivery %s not enqueued (%s); the sweeper will send it", delivery_id, type(error).__name__)


def backoff(attempts: int) -> timedelta:
    """The wait after the given number of failed attempts: doubling from a minute, capped at six hours, with
    jitter over its upper half so receivers that failed together are not retried together."""
    ceiling = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)
    return ceiling * random.uniform(0.5, 1.0)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        # Counted and committed before sending, so a message that crashes its worker is not retried for ever.
        delivery.attempts += 1
        delivery.next_attempt_at = now + CLAIM_LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one due delivery; True when it was sent now. Running it again (or concurrently) does not resend."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return False
    escalation = Escalation.objects.select_related("authority").get(pk=delivery.escalation_id)
    if delivery.channel == Delivery.Channel.EMAIL:
        error, disable = _send_email(delivery, escalation), False
    else:
        error, disable = _send_webhook(delivery, escalation)
    if disable:
        _disable(delivery, escalation.authority, error)
        return False
    if error:
        _fail(delivery, error, now)
        return False
    with transaction.atomic():
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["status", "sent_at", "last_error"])
        if escalation.status == Escalation.Status.PENDING:
            try:
                services.escalation_mark_delivered(escalation=escalation, now=delivery.sent_at)
            except services.EscalationError:
                # The authority acknowledged (or another channel reported delivery) meanwhile: nothing to record.
                logger.info("Escalation %s had moved on before delivery %s", escalation.pk, delivery.pk)
    return True


def _fail(delivery: Delivery, error: str, now: datetime) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.last_error = error[:200]
    delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
    logger.warning("Delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, delivery.last_error)


def _disable(delivery: Delivery, authority: Authority, error: str) -> None:
    """The receiver said the endpoint is gone (410): stop sending to it until an admin sets a new one."""
    with transaction.atomic():
        Authority.objects.filter(pk=authority.pk, webhook_url=authority.webhook_url).update(webhook_url="")
        Delivery.objects.filter(
            escalation__authority=authority, channel=Delivery.Channel.WEBHOOK, status=Delivery.Status.PENDING
        ).update(status=Delivery.Status.DISABLED, last_error=error)
        delivery.status = Delivery.Status.DISABLED
        delivery.last_error = error
        delivery.save(update_fields=["status", "last_error"])
    logger.warning("Webhook endpoint of authority %s disabled after HTTP 410", authority.pk)


def _deadline(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes")


def _send_email(delivery: Delivery, escalation: Escalation) -> str:
    """Send the email; the error to record, or "" when sent."""
    recipients = list(escalation.authority.contact_emails)
    if not recipients:
        return "no contact email address"
    expires = timezone.now() + settings.DOSSIER_LINK_TTL
    with translation.override(settings.LANGUAGE_CODE):
        intro = {
            "supplemented": _("An escalation sent to you has new complaints."),
            "reminded": _("Reminder: an escalation sent to you is waiting for your answer."),
        }.get(delivery.event, _("A merchant has been escalated to you."))
        subject = _("Redress escalation %(escalation)s") % {"escalation": escalation.uuid}
        lines = [
            intro,
            "",
            _("Escalation: %(escalation)s") % {"escalation": escalation.uuid},
            _("Merchant: %(merchant)s") % {"merchant": escalation.merchant.uuid},
            _("Acknowledge by: %(due)s") % {"due": _deadline(escalation.ack_due_at)},
            _("Respond by: %(due)s") % {"due": _deadline(escalation.response_due_at)},
            "",
            _("Open the dossier (sign-in required; the link expires %(expires)s):") % {"expires": _deadline(expires)},
            dossier_url(escalation),
            "",
            _("Redress, consumer complaints against online merchants"),
        ]
    try:
        send_mail(subject, "\n".join(lines) + "\n", None, recipients)
    except OSError as error:
        # The exception text can carry an address; record only its type. The sweeper tries again.
        return f"email: {type(error).__name__}"
    return ""


def webhook_payload(delivery: Delivery, escalation: Escalation) -> bytes:
    """The webhook body: ids, status and the dossier link; never complaint or complainant data."""
    payload = {
        "type": f"escalation.{delivery.event}",
        "escalation": str(escalation.uuid),
        "merchant": str(escalation.merchant.uuid),
        "authority": str(escalation.authority.uuid),
        "status": escalation.status,
        "dossier_url": dossier_url(escalation),
        "created_at": delivery.created_at.isoformat(),
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def _send_webhook(delivery: Delivery, escalation: Escalation) -> tuple[str, bool]:
    """POST the signed message; the error to record ("" when sent) and whether the endpoint must be disabled."""
    authority = escalation.authority
    if not authority.webhook_url:
        return "webhook endpoint removed", True
    body = webhook_payload(delivery, escalation)
    msg_id = str(delivery.uuid)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Redress-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_verify.sign(
            secret=authority.webhook_secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
    try:
        response = safe_post(
            authority.webhook_url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_loopback=settings.WEBHOOK_ALLOW_LOOPBACK,
        )
    except UnsafeURLError as error:
        return f"webhook refused: {error}", False
    except urllib3.exceptions.HTTPError as error:
        return f"webhook: {type(error).__name__}", False
    if response.status == 410:
        return "webhook: HTTP 410 Gone", True
    # Only 2xx is success: a redirect is not followed, so the message did not arrive.
    if not 200 <= response.status < 300:
        return f"webhook: HTTP {response.status}", False
    return "", False


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Send the due deliveries: never enqueued (broker outage), orphaned by a dead worker, or waiting to retry.
    Returns how many were sent."""
    now = now or timezone.now()
    started = time.monotonic()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    sent = 0
    for pk in due.values_list("pk", flat=True)[:SWEEP_BATCH]:
        if time.monotonic() - started > SWEEP_BUDGET_SECONDS:
            break
        sent += delivery_send(delivery_id=pk, now=now)
    return sent
