"""Risk alerts: a public warning about a merchant that moderators propose and approve.

A warning is shown on the merchant's profile and in "check before you pay" results only once approved, and until
withdrawn. Each step is one service, in a transaction with the alert's row locked, recording who took it and when;
only moderators take them. The text is published as written, so personal data in it is masked before saving.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.redaction import redact
from merchants.models import Merchant
from portal.escalations.models import MerchantRisk, RiskAlert

TEXT_MAX = 500
# How many high-risk merchants without a warning the moderators' list suggests.
SUGGESTIONS_SHOWN = 20

MSG_MODERATORS_ONLY = _("Only moderators can publish risk alerts.")
MSG_TEXT_REQUIRED = _("Write the warning buyers will read.")
MSG_TEXT_TOO_LONG = _("Keep the warning under %(count)d characters.")
MSG_LEVEL_INVALID = _("Choose high or medium risk.")
MSG_MERCHANT_INACTIVE = _("This merchant was merged into another: warn about that one instead.")
MSG_ALREADY_LIVE = _("This merchant already has a risk alert proposed or published: withdraw it first.")
MSG_NOT_PROPOSED = _("Only a proposed alert can be approved; this one is “%(status)s”.")
MSG_ALREADY_WITHDRAWN = _("This alert was already withdrawn.")

Status = RiskAlert.Status


def _require_moderator(actor) -> None:
    if not (actor.is_authenticated and actor.is_moderator):
        raise PermissionDenied(MSG_MODERATORS_ONLY)


@transaction.atomic
def risk_alert_create(*, merchant: Merchant, level: str, text: str, actor, now: datetime | None = None) -> RiskAlert:
    """Propose a warning about an active merchant; it is public once another step approves it."""
    _require_moderator(actor)
    text = text.strip()
    if level not in RiskAlert.Level.values:
        raise ValidationError(MSG_LEVEL_INVALID, code="invalid")
    if not text:
        raise ValidationError(MSG_TEXT_REQUIRED, code="required")
    if len(text) > TEXT_MAX:
        raise ValidationError(MSG_TEXT_TOO_LONG % {"count": TEXT_MAX}, code="max_length")
    # The merchant's row lock serialises two moderators proposing at once; the constraint is the last word.
    locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if locked.status != Merchant.Status.ACTIVE:
        raise ValidationError(MSG_MERCHANT_INACTIVE, code="inactive")
    if RiskAlert.objects.filter(merchant=locked, status__in=[Status.PROPOSED, Status.APPROVED]).exists():
        raise ValidationError(MSG_ALREADY_LIVE, code="exists")
    try:
        with transaction.atomic():
            return RiskAlert.objects.create(
                merchant=locked, level=level, text=redact(text), created_by=actor, created_at=now or timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError(MSG_ALREADY_LIVE, code="exists") from error


def _locked(alert: RiskAlert) -> RiskAlert:
    return RiskAlert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def risk_alert_approve(*, alert: RiskAlert, actor, now: datetime | None = None) -> RiskAlert:
    """Publish a proposed warning."""
    _require_moderator(actor)
    alert = _locked(alert)
    if alert.status != Status.PROPOSED:
        raise ValidationError(MSG_NOT_PROPOSED % {"status": alert.get_status_display()}, code="invalid_transition")
    alert.status, alert.approved_by, alert.approved_at = Status.APPROVED, actor, now or timezone.now()
    alert.save(update_fields=["status", "approved_by", "approved_at"])
    return alert


@transaction.atomic
def risk_alert_withdraw(*, alert: RiskAlert, actor, now: datetime | None = None) -> RiskAlert:
    """Take a warning down (or drop a proposal): it leaves every public page at once and stays on record."""
    _require_moderator(actor)
    alert = _locked(alert)
    if alert.status == Status.WITHDRAWN:
        raise ValidationError(MSG_ALREADY_WITHDRAWN, code="invalid_transition")
    alert.status, alert.withdrawn_by, alert.withdrawn_at = Status.WITHDRAWN, actor, now or timezone.now()
    alert.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
    return alert


# Reads ------------------------------------------------------------------------------------------------------


def _published_for(merchant_ids: list[int]):
    # A warning follows its merchant into a merge, as the complaints do.
    return RiskAlert.objects.filter(
        Q(merchant_id__in=merchant_ids) | Q(merchant__merged_into_id__in=merchant_ids), status=Status.APPROVED
    ).select_related("merchant")


def risk_alerts_for_merchants(*, merchant_ids) -> dict[int, RiskAlert]:
    """The published warning of each of these active merchants that has one, in one query."""
    ids = list(merchant_ids)
    alerts: dict[int, RiskAlert] = {}
    for alert in _published_for(ids).order_by("approved_at", "id"):
        # The newest wins when a merge brought two together.
        alerts[alert.merchant.merged_into_id or alert.merchant_id] = alert
    return {merchant_id: alert for merchant_id, alert in alerts.items() if merchant_id in ids}


def risk_alert_for_merchant(*, merchant_id: int) -> RiskAlert | None:
    """The merchant's published warning (approved, not withdrawn), or None."""
    return risk_alerts_for_merchants(merchant_ids=[merchant_id]).get(merchant_id)


def risk_alert_get(*, uuid) -> RiskAlert | None:
    return RiskAlert.objects.select_related("merchant").filter(uuid=uuid).first()


def risk_alerts_live():
    """Proposed and published warnings, proposals first, for the moderators' list."""
    return (
        RiskAlert.objects.filter(status__in=[Status.PROPOSED, Status.APPROVED])
        .select_related("merchant", "created_by", "approved_by")
        .order_by("-status", "-created_at", "-id")
    )


def risk_alerts_withdrawn(*, limit: int = 20):
    return RiskAlert.objects.filter(status=Status.WITHDRAWN).select_related("merchant", "withdrawn_by")[:limit]


def merchant_live_alert(*, merchant_id: int) -> RiskAlert | None:
    """The merchant's proposed or published warning, for moderators deciding whether to write one."""
    return RiskAlert.objects.filter(merchant_id=merchant_id, status__in=[Status.PROPOSED, Status.APPROVED]).first()


def high_risk_without_alert(*, threshold: int, limit: int = SUGGESTIONS_SHOWN) -> list[MerchantRisk]:
    """Active merchants the risk engine scores at `threshold` or more with no warning proposed or published,
    highest first: where moderators may want to write one."""
    live = RiskAlert.objects.filter(status__in=[Status.PROPOSED, Status.APPROVED]).values("merchant_id")
    return list(
        MerchantRisk.objects.filter(score__gte=threshold, merchant__status=Merchant.Status.ACTIVE)
        .exclude(merchant_id__in=live)
        .select_related("merchant")
        .order_by("-score", "merchant_id")[:limit]
    )
