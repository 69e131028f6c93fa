"""The risk engine against the database: read a merchant's counted complaints, evaluate the enabled rules
(portal.escalations.risk), keep the score on MerchantRisk and escalate when an escalating rule fired.

Runs after each accepted complaint (handlers.py, through a task) and hourly for every merchant with recent counted
complaints (a surge's baseline and the windows move with time, not only with filings).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from complaints.selectors import merchant_risk_inputs, risk_merchant_ids
from merchants.models import Merchant
from portal.escalations.models import Escalation, MerchantRisk, RiskRule
from portal.escalations.risk import MANUAL, Rule, lookback, risk_evaluate
from portal.escalations.routing import root_merchant
from portal.escalations.services import escalations_for_risk

# The complaints an escalation reports (count, claimed loss, complainants' provinces), and the merchants the
# hourly refresh visits.
FACTS_WINDOW = timedelta(days=30)


def _rules() -> tuple[list[Rule], set[str]]:
    """The enabled rules, and the codes of those that escalate. A moderator's own escalation (manual) raises the
    score but is not escalated again: the moderator already chose where it went."""
    rows = RiskRule.objects.filter(enabled=True).order_by("code")
    rules = [Rule(code=row.code, points=row.points, params=row.params or {}) for row in rows]
    return rules, {row.code for row in rows if row.escalates and row.code != MANUAL}


def _manual_open(merchant: Merchant) -> bool:
    # Escalations the engine opens have no `opened_by`; a moderator's have.
    return (
        Escalation.objects.filter(merchant=merchant, opened_by__isnull=False)
        .exclude(status=Escalation.Status.CLOSED)
        .exists()
    )


@transaction.atomic
def merchant_risk_recompute(*, merchant_id: int, now: datetime | None = None) -> MerchantRisk:
    """Recompute one merchant's risk as of `now` and escalate if an escalating rule fired. Idempotent: the same
    facts leave the score as it was and add nothing to open escalations. A merged merchant's root is computed."""
    now = now or timezone.now()
    merchant = root_merchant(Merchant.objects.select_related("platform").get(pk=merchant_id))
    rules, escalating = _rules()
    inputs = merchant_risk_inputs(merchant_id=merchant.pk, since=lookback(rules, merchant.registered_on, now))
    assessment = risk_evaluate(
        inputs=inputs, rules=rules, now=now, registered_on=merchant.registered_on, manual=_manual_open(merchant)
    )
    risk, created = MerchantRisk.objects.select_for_update().get_or_create(
        merchant=merchant,
        defaults={"score": assessment.score, "reasons": assessment.reasons, "computed_at": now},
    )
    # A slower run for an earlier moment (a queued task behind the hourly refresh) must not overwrite a newer one.
    if not created and risk.computed_at <= now:
        risk.score = assessment.score
        risk.reasons = assessment.reasons
        risk.computed_at = now
        risk.save(update_fields=["score", "reasons", "computed_at"])
    fired = [code for code in assessment.fired if code in escalating]
    if fired:
        recent = [one for one in inputs if now - FACTS_WINDOW < one.submitted_at <= now]
        escalations_for_risk(
            merchant=merchant,
            rules=fired,
            reasons=assessment.reasons,
            claimed_loss=sum((one.amount for one in recent if one.amount is not None), Decimal("0.00")),
            complaint_count=len(recent),
            complainant_regions=[one.region for one in recent if one.region],
            now=now,
        )
    return risk


def risks_refresh(*, now: datetime | None = None) -> int:
    """Recompute every merchant with counted complaints in the last 30 days, and those still scored from before
    (so a score falls back once its complaints age out). Each merchant in its own transaction: one failure or
    lock wait does not hold the others. Returns how many were recomputed."""
    now = now or timezone.now()
    merchant_ids = set(risk_merchant_ids(since=now - FACTS_WINDOW))
    merchant_ids.update(MerchantRisk.objects.filter(score__gt=0).values_list("merchant_id", flat=True))
    for merchant_id in sorted(merchant_ids):
        merchant_risk_recompute(merchant_id=merchant_id, now=now)
    return len(merchant_ids)
