"""Fault: a long mail server outage, and a mail server that takes the connection and never answers.

A notice's email must outlive any outage (the sweep runs every few minutes; an outage of hours must not use up
its attempts), and a silent server must cost a bounded wait (settings.EMAIL_TIMEOUT), not a worker held until
the task's time limit.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from complaints import notifications
from complaints.models import Notification
from complaints.tasks import notification_email, notifications_sweep
from complaints.tests.conftest import UNREACHABLE_BROKER_URL, celery_publishing_to
from complaints.tests.factories import ComplaintFactory
from portal.tests.faults.servers import free_port

pytestmark = [pytest.mark.faults]


def _due(*notices) -> None:
    """Each sweep here is one a sweep period later: the notices are old enough to be swept."""
    Notification.objects.filter(pk__in=[n.pk for n in notices]).update(
        created_at=timezone.now() - notifications.SWEEP_AFTER - timedelta(minutes=1)
    )


@pytest.mark.django_db
def test_an_email_outlives_an_outage_longer_than_its_attempts_and_the_sweep_stops_at_the_first_failure(
    complainant, smtp, django_capture_on_commit_callbacks
):
    complaints = [ComplaintFactory(complainant=complainant) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notices = [
            notifications.notification_create(user_id=complainant.pk, complaint=c, kind=Notification.Kind.STATUS)
            for c in complaints
        ]
    for _sweep in range(notifications.MAX_ATTEMPTS * 2):
        _due(*notices)
        assert notifications_sweep() == 0
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {0}
    smtp.start()
    _due(*notices)
    assert notifications_sweep() == 3
    assert sorted(c.code for c in complaints) == sorted(
        code for message in smtp.messages for code in [c.code for c in complaints] if code in message["subject"]
    )
    _due(*notices)
    assert notifications_sweep() == 0
    assert len(smtp.messages) == 3


class BlackHole:
    """A mail server that accepts connections and never answers (a stuck relay, a firewall dropping replies)."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self):
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def black_hole(settings):
    hole = BlackHole()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hole.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield hole
    hole.close()


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_answers_costs_the_timeout_and_leaves_the_email_due(complainant, black_hole):
    complaints = [ComplaintFactory(complainant=complainant) for _ in range(3)]
    with celery_publishing_to(UNREACHABLE_BROKER_URL):
        notices = [
            notifications.notification_create(user_id=complainant.pk, complaint=c, kind=Notification.Kind.STATUS)
            for c in complaints
        ]
    notice = notices[0]

    def send():
        try:
            notification_email(notice.pk)
        finally:
            connection.close()

    sender = threading.Thread(target=send, daemon=True)
    started = time.monotonic()
    sender.start()
    sender.join(timeout=30)
    waited = time.monotonic() - started
    assert not sender.is_alive(), f"the send was still waiting after {waited:.0f} s"
    notice.refresh_from_db()
    assert (notice.emailed_at, notice.email_attempts) == (None, 0)
    assert len(black_hole.accepted) == 1

    # A sweep over the three waits out one timeout, not three: it stops at the first sign of trouble.
    _due(*notices)
    assert notifications_sweep() == 0
    assert len(black_hole.accepted) == 2
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {0}
