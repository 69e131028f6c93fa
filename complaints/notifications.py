"""Telling complainants what happened to their complaint: the on-site notice is written with the change
(complaints.workflow); the email follows from a task, in the complainant's language, and is re-sent by a
sweeper if the broker was down."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Notification

logger = logging.getLogger(__name__)
SWEEP_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def _language(user) -> str:
    try:
        return translation.get_supported_language_variant(user.preferred_language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's email unless it was sent; True when it is sent now."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user", "complaint")
            .filter(pk=notification_id, emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if notification is None:
            return False
        # Counted before sending, so an address the mail server refuses is not retried for ever.
        notification.email_attempts += 1
        notification.save(update_fields=["email_attempts"])
        complaint = notification.complaint
        context = {
            "code": complaint.code,
            "status": complaint.Status(notification.status).label,
            "message": notification.message,
            "link": settings.SITE_URL.rstrip("/") + reverse("complaints:detail", kwargs={"uuid": complaint.uuid}),
        }
        with translation.override(_language(notification.user)):
            subject = "".join(render_to_string("complaints/emails/status_subject.txt", context).splitlines())
            body = render_to_string("complaints/emails/status_body.txt", context)
        try:
            send_mail(subject, body, None, [notification.user.email])
        except OSError as error:
            # The exception text can carry the address; log only its type. The sweeper tries again.
            logger.warning("Email for notification %s not sent: %s", notification.pk, type(error).__name__)
            return False
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


def notifications_sweep() -> int:
    """Send the emails a broker outage or a crashed worker left unsent."""
    stale = Notification.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS, created_at__lt=timezone.now() - SWEEP_AFTER
    )
    return sum(notification_email_send(notification_id=pk) for pk in stale.values_list("pk", flat=True)[:500])
