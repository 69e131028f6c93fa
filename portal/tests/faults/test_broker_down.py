"""Fault: the broker (Redis) dies while complaints are being filed.

Filing must not depend on the broker: the complaint and its evidence rows are committed, the request answers
201 quickly, and the enqueue failure is only logged. The Evidence rows are the durable record: once Redis is
back (empty: it had no persistence), the sweeper publishes every row still pending and a worker processes
each file once, even when a message is delivered more than once.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from complaints.models import Complaint, Evidence
from complaints.tasks import evidence_process, evidence_sweep
from complaints.tests import files
from portal.api.tests.helpers import api_client
from portal.tests.faults.evidence import NARRATIVE, assert_processed_once

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROCESS_TASK = "complaints.tasks.evidence_process"
# A filing waits for at most two failed publishes per message (CELERY_TASK_PUBLISH_RETRY_POLICY), each refused
# at once by a dead local broker; this bound is far above that and far below a request timeout.
FILING_SECONDS = 10


def _file(api, n: int):
    started = time.monotonic()
    response = api.post(
        "/api/v1/complaints/",
        {
            "merchant_name": "果园小店",
            "platform": "wechat_mini_program",
            "category": "not_delivered",
            "narrative": NARRATIVE,
            "evidence": [
                files.upload(f"receipt-{n}.jpg", files.jpeg_bytes((640, 480))),
                files.upload(f"chat-{n}.png", files.png_bytes((300, 500))),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["code"], time.monotonic() - started


def test_complaints_filed_while_the_broker_is_down_are_saved_and_their_evidence_processed_once_after(
    complainant, broker, publishing, start_worker, caplog
):
    api = api_client(complainant)
    # Filed while the broker is up but no worker runs: its messages wait in Redis, and die with it.
    first_code, _seconds = _file(api, 0)
    assert broker.client().llen(publishing.conf.task_default_queue) >= 2
    broker.kill()

    filed = [_file(api, n) for n in range(1, 4)]
    assert max(seconds for _code, seconds in filed) < FILING_SECONDS
    codes = [first_code, *(code for code, _seconds in filed)]
    assert Complaint.objects.filter(code__in=codes).count() == 4
    evidence = list(Evidence.objects.filter(complaint__code__in=codes))
    assert len(evidence) == 8
    assert {row.status for row in evidence} == {Evidence.Status.PENDING}
    assert "not enqueued; the sweeper will retry" in caplog.text

    broker.start()
    worker = start_worker()
    # The beat runs the sweeper every minute; it takes the rows published more than EVIDENCE_SWEEP_AFTER ago.
    Evidence.objects.update(enqueued_at=timezone.now() - settings.EVIDENCE_SWEEP_AFTER - timedelta(minutes=1))
    evidence_sweep.delay()
    # And a second message for each file, as a broker restored from its disk would still hold the first ones.
    for row in evidence:
        evidence_process.delay(row.pk)

    worker.wait_for(
        lambda: worker.succeeded(PROCESS_TASK) == 2 * len(evidence), what="both messages of every file to be handled"
    )
    for row in evidence:
        assert_processed_once(row)
