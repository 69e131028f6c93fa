"""Telling people what happened to a complaint: the complainant (status, the merchant's replies and proposals,
authority outcomes, messages from other victims) and the merchant's representatives (new complaints, reply
deadlines). The on-site notice is written in the same transaction as the change; the email follows from a
task, in the recipient's language, and is re-sent by a sweeper if the broker was down."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, Notification

logger = logging.getLogger(__name__)
SWEEP_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5
Kind = Notification.Kind

HEADLINES = {
    Kind.STATUS: _("The status of your complaint %(code)s is now: %(status)s."),
    Kind.REPLY: _("The merchant replied to your complaint %(code)s."),
    Kind.PROPOSAL: _(
        "The merchant proposed a resolution for your complaint %(code)s. Accept or reject it on the complaint's page."
    ),
    Kind.PROPOSAL_ANSWERED: _(
        "The complainant accepted your proposal for complaint %(code)s, which is now closed: %(status)s."
    ),
    Kind.OUTCOME: _("An authority responded about the merchant in your complaint %(code)s."),
    Kind.NEW_COMPLAINT: _("Complaint %(code)s against your merchant was accepted and waits for your reply."),
    Kind.REPLY_DUE: _("Your reply to complaint %(code)s is due soon."),
    Kind.MESSAGE: _("Another victim of the merchant in your complaint %(code)s wrote to you."),
}
# An answered proposal either closed the complaint (accepted) or left it open as it was (rejected).
MSG_PROPOSAL_REJECTED = _("The complainant rejected your proposal for complaint %(code)s.")


SUBJECTS = {
    Kind.STATUS: _("Your complaint %(code)s: %(status)s"),
    Kind.REPLY: _("Your complaint %(code)s: the merchant replied"),
    Kind.PROPOSAL: _("Your complaint %(code)s: the merchant proposed a resolution"),
    Kind.PROPOSAL_ANSWERED: _("Complaint %(code)s: your proposal was answered"),
    Kind.OUTCOME: _("Your complaint %(code)s: an authority responded"),
    Kind.NEW_COMPLAINT: _("New complaint %(code)s against your merchant"),
    Kind.REPLY_DUE: _("Complaint %(code)s: your reply is due soon"),
    Kind.MESSAGE: _("Your complaint %(code)s: a message from another victim"),
}
MESSAGE_LABELS = {
    Kind.STATUS: _("Message from the moderator:"),
    Kind.REPLY: _("The merchant's reply:"),
    Kind.PROPOSAL: _("The proposal:"),
    Kind.PROPOSAL_ANSWERED: _("The complainant's answer:"),
    Kind.OUTCOME: _("The authority's note:"),
    Kind.NEW_COMPLAINT: _("Details:"),
    Kind.REPLY_DUE: _("Details:"),
    Kind.MESSAGE: _("The message:"),
}


def _language(user) -> str:
    try:
        return translation.get_supported_language_variant(user.preferred_language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def notification_link(notification: Notification) -> str:
    """The page the recipient reads more on: the one the notice names, or the complainant's complaint page."""
    return notification.link or reverse("complaints:detail", kwargs={"uuid": notification.complaint.uuid})


def notification_headline(notification: Notification) -> str:
    """One sentence saying what happened, in the active language."""
    status = Complaint.Status(notification.status).label if notification.status else ""
    headline = HEADLINES[notification.kind]
    if notification.kind == Kind.PROPOSAL_ANSWERED and notification.status == Complaint.Status.ACCEPTED:
        headline = MSG_PROPOSAL_REJECTED
    return headline % {"code": notification.complaint.code, "status": status}


def notification_message_label(notification: Notification) -> str:
    return str(MESSAGE_LABELS[notification.kind])


def notification_create(
    *, user_id: int, complaint: Complaint, kind: str, message: str = "", link: str = ""
) -> Notification:
    """Write an on-site notice and queue its email once the surrounding transaction commits."""
    notification = Notification.objects.create(
        user_id=user_id, complaint=complaint, kind=kind, status=complaint.status, message=message, link=link
    )
    transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _enqueue_email(notification_id: int) -> None:
    from complaints.tasks import notification_email

    try:
        notification_email.delay(notification_id)
    except Exception as error:
        # A broker outage must not undo the change: the on-site notice stands and the sweeper sends the email.
        logger.warning("Email for notification %s not queued: %s", notification_id, type(error).__name__)


class MailServerTrouble(Exception):
    """The mail server could not take the message now (down, too slow, a 4xx answer): the message is not at fault,
    so the attempt is not counted and the sweeper tries again later, however long the outage."""


def _permanent(error: OSError) -> bool:
    """A 5xx answer: the server will never take this message as it is. Anything else is passing trouble."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's email unless it was sent; True when it is sent now."""
    try:
        return _email_send(notification_id)
    except MailServerTrouble:
        return False


def _email_send(notification_id: int) -> bool:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "complaint")
            .filter(pk=notification_id, emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if notification is None:
            return False
        # Counted before sending, so an address the mail server refuses is not retried for ever.
        notification.email_attempts += 1
        notification.save(update_fields=["email_attempts"])
        with translation.override(_language(notification.user)):
            status = Complaint.Status(notification.status).label if notification.status else ""
            context = {
                "headline": notification_headline(notification),
                "message_label": notification_message_label(notification),
                "message": notification.message,
                "link": settings.SITE_URL.rstrip("/") + notification_link(notification),
            }
            subject = str(SUBJECTS[notification.kind] % {"code": notification.complaint.code, "status": status})
            body = render_to_string("complaints/emails/notice_body.txt", context)
        try:
            send_mail(" ".join(subject.splitlines()), body, None, [notification.user.email])
        except OSError as error:
            # The exception text can carry the address; log only its type. The sweeper tries again.
            logger.warning("Email for notification %s not sent: %s", notification.pk, type(error).__name__)
            if _permanent(error):
                return False
            # Leaving the transaction by the exception takes the attempt's count back.
            raise MailServerTrouble from error
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


def notifications_sweep() -> int:
    """Send the emails a broker outage, a crashed worker or a mail server outage left unsent. The sweep stops at
    the first sign of mail server trouble: the next sweep tries again, rather than this one waiting out a timeout
    per message."""
    stale = Notification.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS, created_at__lt=timezone.now() - SWEEP_AFTER
    )
    sent = 0
    for pk in stale.values_list("pk", flat=True)[:500]:
        try:
            sent += _email_send(pk)
        except MailServerTrouble:
            break
    return sent
