from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from complaints import services, tasks
from complaints.models import ComplaintDraft, Evidence
from complaints.tests import files
from complaints.tests.factories import ComplaintFactory
from portal.celery import app as celery_app


def test_the_processing_task_is_safe_to_redeliver():
    task = tasks.evidence_process
    # Acknowledged after the work, so a worker killed mid-task leaves the message for another one.
    assert task.acks_late is True
    assert task.ignore_result is True
    assert 0 < task.soft_time_limit < task.time_limit
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_the_beat_schedule_names_registered_tasks():
    # What a worker does at start-up: every app's tasks module is imported, however this test run began.
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks
    assert schedule["evidence-sweep"]["task"] == tasks.evidence_sweep.name
    assert schedule["drafts-purge-expired"]["task"] == tasks.drafts_purge_expired.name
    assert schedule["personal-data-purge"]["task"] == tasks.personal_data_purge.name
    assert schedule["personal-data-purge"]["schedule"] <= 86400
    # Swept often enough that "pending after five minutes" is noticed within a minute.
    assert timedelta(minutes=5) == settings.EVIDENCE_SWEEP_AFTER
    assert schedule["evidence-sweep"]["schedule"] <= 60


@pytest.mark.django_db
def test_evidence_process_task_processes_by_id(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    outcome = services.evidence_upload(
        user=complainant, complaint=complaint, uploads=[files.upload("receipt.png", files.png_bytes())]
    )
    evidence = outcome.stored[0]

    tasks.evidence_process.delay(evidence.pk)

    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.READY
    assert evidence.thumbnail


@pytest.mark.django_db
def test_evidence_sweep_task_returns_how_many_it_republished(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    services.evidence_upload(
        user=complainant,
        complaint=complaint,
        uploads=[files.upload(f"{n}.png", files.png_bytes()) for n in range(2)],
    )
    complaint.evidence.update(enqueued_at=timezone.now() - timedelta(minutes=6))

    assert tasks.evidence_sweep.apply().get() == 2
    assert set(complaint.evidence.values_list("status", flat=True)) == {Evidence.Status.READY}
    assert tasks.evidence_sweep.apply().get() == 0


@pytest.mark.django_db
def test_drafts_purge_expired_task_returns_how_many_it_purged(complainant):
    expired = services.draft_create(owner=complainant)
    ComplaintDraft.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = services.draft_create(owner=complainant)

    assert tasks.drafts_purge_expired.apply().get() == 1
    assert list(ComplaintDraft.objects.all()) == [fresh]
