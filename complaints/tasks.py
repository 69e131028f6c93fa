"""Celery tasks: thin wrappers taking IDs; the work and its idempotence live in services."""

from celery import shared_task

from complaints import flags, importing, notifications, priority, privacy, replies, services


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=90)
def evidence_process(evidence_id: int) -> None:
    services.evidence_process(evidence_id=evidence_id)


@shared_task(ignore_result=True, time_limit=300)
def evidence_sweep() -> int:
    return services.evidence_sweep()


@shared_task(ignore_result=True, time_limit=600)
def drafts_purge_expired() -> int:
    return services.drafts_purge_expired()


# A file of importing.files.MAX_ROWS rows takes minutes; a run stopped by the limit resumes from its saved progress.
@shared_task(acks_late=True, ignore_result=True, time_limit=1900, soft_time_limit=1800)
def import_run(job_id: int) -> None:
    importing.import_job_run(job_id=job_id)


@shared_task(ignore_result=True, time_limit=300)
def imports_sweep() -> int:
    return importing.imports_sweep()


@shared_task(acks_late=True, ignore_result=True, time_limit=60, soft_time_limit=50)
def notification_email(notification_id: int) -> None:
    notifications.notification_email_send(notification_id=notification_id)


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=240)
def notifications_sweep() -> int:
    return notifications.notifications_sweep()


@shared_task(ignore_result=True, time_limit=600, soft_time_limit=540)
def priorities_refresh() -> int:
    return priority.priorities_refresh()


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def complaint_flags(complaint_id: int) -> None:
    flags.flags_for_complaint(complaint_id=complaint_id)


@shared_task(ignore_result=True, time_limit=600, soft_time_limit=540)
def reply_reminders() -> int:
    return replies.reply_reminders_send()


@shared_task(ignore_result=True, time_limit=3600, soft_time_limit=3500)
def personal_data_purge() -> None:
    privacy.personal_data_purge()
