"""Fault: the same task delivered twice at the same moment (a sweep racing a redelivery, two beats, a broker
handing out a message again while its first worker still runs it).

Each task's service (what the Celery task calls with the id it was given) runs twice in parallel threads, each
with its own database connection, on whichever database the run uses: PostgreSQL's row locks
(select_for_update with skip_locked) in the PostgreSQL pass, SQLite's one writer (BEGIN IMMEDIATE) in the SQLite
pass. The slow part of each task (decoding the image, talking to the mail server) is slowed down so that the two
runs overlap. Whatever the interleaving, there is one result.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from complaints import notifications, processing, services
from complaints.models import Evidence, Notification
from complaints.tests import files
from complaints.tests.conftest import UNREACHABLE_BROKER_URL, celery_publishing_to
from complaints.tests.factories import ComplaintFactory
from portal.escalations import delivery as delivery_module
from portal.escalations.models import Delivery
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory
from portal.tests.faults.evidence import assert_processed_once, file_complaint

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# Long enough for the second run to reach its lock while the first is in the slow part.
SLOW_SECONDS = 1.0


def run_together(*calls) -> list:
    """Start the calls at the same moment, each in a thread with its own database connection; their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a concurrent run did not finish within 60 s"
    if errors:
        raise errors[0]
    return results


def test_evidence_processed_by_two_runs_at_once_has_one_result(complainant, monkeypatch):
    with celery_publishing_to(UNREACHABLE_BROKER_URL):
        complaint = file_complaint(complainant, files.upload("receipt.jpg", files.jpeg_bytes((800, 600))))
    evidence = complaint.evidence.get()
    assert evidence.status == Evidence.Status.PENDING
    process_image = processing.process_image

    def slow_process_image(stream):
        time.sleep(SLOW_SECONDS)
        return process_image(stream)

    monkeypatch.setattr(processing, "process_image", slow_process_image)

    def run():
        return services.evidence_process(evidence_id=evidence.pk)

    results = run_together(run, run)

    # One run saved its result. The other found the row locked by the first's claim and left it (skip_locked), or
    # claimed it just after, decoded the file too (a second attempt counted) and dropped its result.
    assert sorted(result is None for result in results) == [False, True]
    evidence.refresh_from_db()
    assert evidence.attempts in (1, 2)
    assert_processed_once(evidence, attempts=evidence.attempts)


def test_a_notification_emailed_by_two_runs_at_once_is_sent_once(complainant, smtp):
    smtp.start()
    smtp.data_delay = SLOW_SECONDS
    complaint = ComplaintFactory(complainant=complainant)
    with celery_publishing_to(UNREACHABLE_BROKER_URL), transaction.atomic():
        notice = notifications.notification_create(
            user_id=complainant.pk, complaint=complaint, kind=Notification.Kind.STATUS
        )

    def run():
        return notifications.notification_email_send(notification_id=notice.pk)

    assert sorted(run_together(run, run)) == [False, True]
    assert len(smtp.messages) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert notice.email_attempts == 1


def test_an_escalation_delivery_sent_by_two_runs_at_once_is_sent_once(smtp):
    smtp.start()
    smtp.data_delay = SLOW_SECONDS
    escalation = EscalationFactory(authority=AuthorityFactory(contact_emails=["trust-safety@owner.example.com"]))
    with celery_publishing_to(UNREACHABLE_BROKER_URL), transaction.atomic():
        (delivery,) = delivery_module.deliveries_enqueue(escalation=escalation, event="opened")

    def run():
        return delivery_module.delivery_send(delivery_id=delivery.pk)

    assert sorted(run_together(run, run)) == [False, True]
    assert len(smtp.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)
