"""The evidence pipeline across a real broker: a `celery -A portal worker` process against Redis.

Each test starts its own worker (complaints/tests/conftest.py) on the test database and evidence
directory; rows must be committed for the worker to see them, hence transaction=True.
"""

from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from complaints import services
from complaints.models import Evidence, TimelineEvent
from complaints.tasks import evidence_process
from complaints.tests import files
from complaints.uploads import check_upload
from merchants.services import MerchantClaims

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NARRATIVE = "小程序预售的手机付款后一直不发货，客服不回复，店铺也找不到了，请帮忙处理。"
PROCESS_TASK = "complaints.tasks.evidence_process"


def _file(complainant, *uploads):
    return services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="果园小店", platform="wechat_mini_program"),
        category="not_delivered",
        narrative=NARRATIVE,
        uploads=[check_upload(upload) for upload in uploads],
    )


def _statuses(complaint):
    return list(Evidence.objects.filter(complaint=complaint).values_list("status", flat=True))


def test_worker_processes_two_images_and_a_pdf(complainant, celery_worker):
    with celery_worker.publishing():
        complaint = _file(
            complainant,
            files.upload("receipt.jpg", files.jpeg_bytes((800, 600), exif=files.gps_exif())),
            files.upload("order.png", files.png_bytes((300, 500))),
            files.upload("contract.pdf", files.pdf_bytes(pages=2)),
        )
    celery_worker.wait_for(
        lambda: _statuses(complaint) == [Evidence.Status.READY] * 3, what="three evidence files to be ready"
    )
    # The worker process did the work (the test process publishes, it does not run tasks).
    celery_worker.wait_for(lambda: celery_worker.succeeded(PROCESS_TASK) == 3, what="three finished tasks")

    storage = storages["evidence"]
    receipt, order, contract = (
        Evidence.objects.get(complaint=complaint, original_name=name)
        for name in ("receipt.jpg", "order.png", "contract.pdf")
    )
    for image in (receipt, order):
        assert image.attempts == 1
        assert storage.exists(image.display.name)
        assert storage.exists(image.thumbnail.name)
        assert len(image.phash) == 16
    assert (receipt.width, receipt.height) == (800, 600)
    with storage.open(receipt.display.name) as display:
        assert b"Exif" not in display.read()
    assert contract.page_count == 2
    assert not contract.display
    ready_names = sorted(
        event.data["name"] for event in complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_READY)
    )
    assert ready_names == ["contract.pdf", "order.png", "receipt.jpg"]


def test_evidence_filed_while_broker_is_down_is_processed_after_the_sweep(
    complainant, celery_worker, dead_broker, caplog
):
    complaint = _file(
        complainant,
        files.upload("receipt.jpg", files.jpeg_bytes()),
        files.upload("chat.webp", files.webp_bytes()),
    )
    assert complaint.pk is not None
    assert _statuses(complaint) == [Evidence.Status.PENDING] * 2
    assert "not enqueued" in caplog.text
    assert celery_worker.succeeded(PROCESS_TASK) == 0

    # The broker is back. Within EVIDENCE_SWEEP_AFTER the sweeper leaves the rows alone; after it, it
    # publishes them again.
    with celery_worker.publishing():
        assert services.evidence_sweep() == 0
        Evidence.objects.filter(complaint=complaint).update(enqueued_at=timezone.now() - timedelta(minutes=6))
        assert services.evidence_sweep() == 2
    celery_worker.wait_for(
        lambda: _statuses(complaint) == [Evidence.Status.READY] * 2, what="the swept evidence to be ready"
    )
    assert complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_READY).count() == 2


def test_the_same_evidence_processed_twice_changes_nothing(complainant, celery_worker):
    with celery_worker.publishing():
        complaint = _file(complainant, files.upload("receipt.jpg", files.jpeg_bytes()))
        evidence = complaint.evidence.get()
        # The on-commit enqueue has published it once; a second message is what a sweep racing a slow
        # worker, or a redelivery after a lost acknowledgement, produces.
        evidence_process.delay(evidence.pk)
    celery_worker.wait_for(lambda: celery_worker.succeeded(PROCESS_TASK) >= 2, what="both runs of the task")

    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.READY
    assert evidence.attempts == 1
    assert complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_READY).count() == 1
    _dirs, display_files = storages["evidence"].listdir("display")
    _dirs, thumbnails = storages["evidence"].listdir("thumbnail")
    assert (len(display_files), len(thumbnails)) == (1, 1)
