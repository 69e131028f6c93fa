"""Celery tasks: thin wrappers taking IDs; the work and its idempotence live in the services."""

from celery import shared_task
from django.utils import timezone

from portal.escalations import delivery, risk_service, services


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def merchant_risk_recompute_task(merchant_id: int) -> None:
    risk_service.merchant_risk_recompute(merchant_id=merchant_id)


# Hourly (settings.CELERY_BEAT_SCHEDULE "risks-refresh"): windows and baselines move with the clock.
@shared_task(ignore_result=True, time_limit=1800, soft_time_limit=1700)
def risks_refresh_task() -> int:
    return risk_service.risks_refresh()


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def delivery_send_task(delivery_id: int) -> None:
    delivery.delivery_send(delivery_id=delivery_id)


# Every minute (settings.CELERY_BEAT_SCHEDULE "deliveries-sweep"): sends what the broker lost and due retries.
@shared_task(ignore_result=True, time_limit=300, soft_time_limit=270)
def deliveries_sweep_task() -> int:
    return delivery.deliveries_sweep()


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=270)
def escalations_overdue_task() -> int:
    return services.escalations_flag_overdue(now=timezone.now())
