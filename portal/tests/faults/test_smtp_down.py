"""Fault: the mail server is down while notifications and escalation messages are sent.

Django sends through its real SMTP backend to a local sink (servers.SmtpSink). The first send happens as it
does in production, from the task queued on commit (eager here: the task's code is the same in a worker); the
outage then lasts through a sweep with nothing listening and one where the server answers 421 (up but not
taking mail). The message stays due; when the server takes mail again the sweeper sends it, and only once.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from complaints import notifications
from complaints.models import Notification
from complaints.tasks import notifications_sweep
from complaints.tests.factories import ComplaintFactory
from portal.escalations import delivery as delivery_module
from portal.escalations.models import Delivery, Escalation
from portal.escalations.tasks import deliveries_sweep_task
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def _outage_then_recovery(smtp, sweep, attempts, counted: bool) -> None:
    """Sweep once with the server down and once with it refusing service, then once it takes mail. Escalation
    deliveries count every attempt (they back off); a notice's email counts only attempts its message could be
    to blame for, so no outage, however long, uses up its attempts."""
    assert sweep() == 0
    assert attempts() == (2 if counted else 0)
    smtp.refusing = True
    smtp.start()
    assert sweep() == 0
    assert attempts() == (3 if counted else 0)
    assert smtp.messages == []
    smtp.refusing = False
    assert sweep() == 1


def test_a_notification_email_waits_out_a_mail_server_outage_and_is_sent_once(
    complainant, smtp, django_capture_on_commit_callbacks, caplog
):
    complaint = ComplaintFactory(complainant=complainant)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice = notifications.notification_create(
            user_id=complainant.pk, complaint=complaint, kind=Notification.Kind.STATUS, message="请补充付款截图。"
        )
    notice.refresh_from_db()
    assert (notice.emailed_at, notice.email_attempts) == (None, 0)
    assert f"Email for notification {notice.pk} not sent: ConnectionRefusedError" in caplog.text

    def sweep():
        # The sweeper takes notices older than SWEEP_AFTER: each sweep here is one that much later.
        Notification.objects.filter(pk=notice.pk).update(
            created_at=timezone.now() - notifications.SWEEP_AFTER - timedelta(minutes=1)
        )
        return notifications_sweep()

    def attempts():
        return Notification.objects.get(pk=notice.pk).email_attempts

    _outage_then_recovery(smtp, sweep, attempts, counted=False)
    assert sweep() == 0
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert notice.email_attempts == 1
    assert [message["to"] for message in smtp.messages] == [[complainant.email]]
    assert complaint.code in smtp.messages[0]["subject"]
    assert "请补充付款截图。" in smtp.messages[0]["body"]


def test_an_escalation_email_waits_out_a_mail_server_outage_and_is_sent_once(smtp, django_capture_on_commit_callbacks):
    authority = AuthorityFactory(contact_emails=["trust-safety@owner.example.com"])
    escalation = EscalationFactory(authority=authority)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (delivery,) = delivery_module.deliveries_enqueue(escalation=escalation, event="opened")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert delivery.last_error == "email: ConnectionRefusedError"

    def sweep():
        # Each sweep runs when the backoff since the last failure has passed (the beat sweeps every minute).
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        return deliveries_sweep_task()

    def attempts():
        return Delivery.objects.get(pk=delivery.pk).attempts

    _outage_then_recovery(smtp, sweep, attempts, counted=True)
    assert sweep() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.Status.SENT, 4, "")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DELIVERED
    assert [message["to"] for message in smtp.messages] == [["trust-safety@owner.example.com"]]
    assert str(escalation.uuid) in smtp.messages[0]["subject"]
