"""Complaints, replies and risk alerts as the merchant pages' tests need them."""

from datetime import timedelta

from django.utils import timezone

from complaints import services
from complaints.models import Complaint, MerchantReply
from merchants.models import Platform
from merchants.services import MerchantClaims
from portal.escalations.alerts import risk_alert_approve, risk_alert_create

NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了，请帮忙。"
PHONE = "13800138000"
BANK_CARD = "6222021234567890128"  # passes the Luhn check


def claims(**overrides) -> MerchantClaims:
    return MerchantClaims(**{"merchant_name": "易联购", "platform": Platform.Code.WECHAT_MINI_PROGRAM, **overrides})


def file(complainant, *, category="not_delivered", submitted_at=None, **claim_overrides) -> Complaint:
    return services.complaint_submit(
        complainant=complainant,
        claims=claims(**claim_overrides),
        category=category,
        narrative=NARRATIVE,
        submitted_at=submitted_at,
    )


def stand(complaint, *, status=Complaint.Status.ACCEPTED, due_in_days=-1, publish=False) -> Complaint:
    """The complaint as a moderator left it: accepted (or closed) with its reply clock, published if asked."""
    Complaint.objects.filter(pk=complaint.pk).update(
        status=status,
        reply_due_at=timezone.now() + timedelta(days=due_in_days),
        consent_publish=publish,
        narrative_redacted=NARRATIVE,
    )
    complaint.refresh_from_db()
    return complaint


def reply(complaint, author, body: str, *, on_time=True) -> MerchantReply:
    """A published reply; the complaint's first reply time set before or after its due date."""
    created = MerchantReply.objects.create(complaint=complaint, author=author, body=body, body_redacted=body)
    offset = timedelta(days=-2 if on_time else 2)
    Complaint.objects.filter(pk=complaint.pk).update(first_reply_at=complaint.reply_due_at + offset)
    return created


def publish_alert(merchant, moderator, text="多名买家反映付款后不发货、客服失联，请勿向其付款。", level="high"):
    alert = risk_alert_create(merchant=merchant, level=level, text=text, actor=moderator)
    return risk_alert_approve(alert=alert, actor=moderator)
