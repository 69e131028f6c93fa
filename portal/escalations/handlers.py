"""Reactions to what complaints reports (complaints.signals), without complaints importing this app."""

import logging

from django.db import transaction
from django.dispatch import receiver

from complaints.selectors import RISK_STATUSES
from complaints.signals import complaint_status_changed

logger = logging.getLogger(__name__)


def _enqueue_risk(merchant_id: int) -> None:
    """Recompute in a task. A broker outage must not delay an alarm until the hourly refresh: the merchant is then
    recomputed in the request (one merchant's recent complaints)."""
    from portal.escalations.risk_service import merchant_risk_recompute
    from portal.escalations.tasks import merchant_risk_recompute_task

    try:
        merchant_risk_recompute_task.delay(merchant_id)
    except Exception:  # kombu raises several types for an unreachable broker.
        logger.warning("risk of merchant %s not enqueued; computed in the request", merchant_id)
        merchant_risk_recompute(merchant_id=merchant_id)


@receiver(complaint_status_changed, dispatch_uid="escalations_risk_on_status")
def _risk_on_status(*, complaint, old_status, **kwargs):
    # Accepting a complaint is what makes it count; withdrawing an accepted one takes it out again.
    if (complaint.status in RISK_STATUSES) != (old_status in RISK_STATUSES):
        merchant_id = complaint.merchant_id
        transaction.on_commit(lambda: _enqueue_risk(merchant_id))
