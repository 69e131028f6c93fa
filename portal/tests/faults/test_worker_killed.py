"""Fault: a Celery worker killed with SIGKILL in the middle of an evidence task.

Tasks are acknowledged late (after they finish), so a message whose worker died is delivered again: at once
when a pool process dies under a living worker (task_reject_on_worker_lost), after Redis's visibility timeout
when the whole worker dies. The attempt is counted in the database before the work, so a file that kills
every worker that touches it is given up after EVIDENCE_MAX_ATTEMPTS, marked failed where admins see it.
"""

import os
import signal

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from complaints import services
from complaints.models import Evidence, TimelineEvent
from complaints.tests import files
from portal.tests.faults.evidence import assert_processed_once, file_complaint, status

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Seconds a delivered message may stay unacknowledged before Redis gives it to another worker; long enough for
# the healthy worker to finish the small image without a second delivery, short enough for a quick test.
VISIBILITY = 3


def _drained(broker, worker):
    client = broker.client()
    return client.llen(worker.queue) == 0 and client.hlen("unacked") == 0


def test_a_pool_process_killed_mid_task_is_replaced_and_the_task_completes_once(
    complainant, start_worker, publishing, broker, rf, admin_user
):
    worker = start_worker(mode="hang-once")
    complaint = file_complaint(complainant, files.upload("receipt.jpg", files.jpeg_bytes((800, 600))))
    evidence = complaint.evidence.get()

    pid = worker.running_pid()
    assert pid != worker.process.pid, "the image should hang in a pool process, not in the worker itself"
    assert status(evidence) == Evidence.Status.PENDING
    os.kill(pid, signal.SIGKILL)

    worker.wait_for(lambda: status(evidence) == Evidence.Status.READY, what="the redelivered task to finish")
    assert "WorkerLostError" in worker.log()
    assert_processed_once(evidence, attempts=2)
    worker.wait_for(lambda: _drained(broker, worker), what="the queue to drain")


def test_a_worker_killed_mid_task_leaves_its_message_to_the_next_worker_which_completes_it_once(
    complainant, start_worker, publishing, broker, rf, admin_user
):
    first = start_worker(mode="hang-once", pool="solo", visibility=VISIBILITY)
    complaint = file_complaint(complainant, files.upload("receipt.jpg", files.jpeg_bytes((800, 600))))
    evidence = complaint.evidence.get()

    assert first.running_pid() == first.process.pid
    first.kill()
    # The dead worker never acknowledged it: Redis still holds the message, for redelivery.
    assert broker.client().hlen("unacked") == 1
    assert status(evidence) == Evidence.Status.PENDING

    second = start_worker(visibility=VISIBILITY)
    second.wait_for(lambda: status(evidence) == Evidence.Status.READY, what="the restored task to finish")
    assert_processed_once(evidence, attempts=2)
    second.wait_for(lambda: _drained(broker, second), what="the queue to drain")
    # Nothing is left for the sweeper, the durable path had Redis lost the message.
    assert services.evidence_sweep() == 0


def test_a_file_that_crashes_every_worker_is_given_up_after_the_capped_attempts_and_admins_see_it(
    complainant, start_worker, publishing, broker, rf, admin_user
):
    worker = start_worker(mode="crash")
    complaint = file_complaint(complainant, files.upload("poison.jpg", files.jpeg_bytes()))
    evidence = complaint.evidence.get()

    worker.wait_for(lambda: status(evidence) == Evidence.Status.REJECTED, timeout=90, what="the evidence to fail")
    evidence.refresh_from_db()
    assert evidence.reject_reason == Evidence.RejectReason.PROCESSING_FAILED
    # Each crash cost one attempt; the attempt past the cap marks it failed without touching the file.
    assert evidence.attempts == settings.EVIDENCE_MAX_ATTEMPTS + 1
    assert worker.log().count("exited with 'signal 9 (SIGKILL)'") == settings.EVIDENCE_MAX_ATTEMPTS
    assert complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_REJECTED).count() == 1
    # Not looping: the last delivery was acknowledged and nothing is queued or held.
    worker.wait_for(lambda: _drained(broker, worker), what="the queue to drain")
    assert services.evidence_sweep() == 0

    # Admins find it in the evidence changelist, filtered by the reason, with its status and reason as columns.
    request = rf.get(reverse("admin:complaints_evidence_changelist"), {"reject_reason__exact": "processing_failed"})
    request.user = admin_user
    changelist = admin.site.get_model_admin(Evidence).get_changelist_instance(request)
    assert list(changelist.result_list) == [evidence]
    assert {"status", "reject_reason"} <= set(changelist.list_display)
