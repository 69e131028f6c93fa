"""A complaint carrying personal data everywhere the product writes it, for the erasure tests: filed through the
services with evidence processed, questioned, answered, redacted by hand, accepted, replied to, messaged, with a
draft left behind. Then a database dump to search for what should be gone, and the figures that must not move."""

import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from complaints import services, workflow
from complaints.models import (
    DailyRollup,
    DailyTotal,
    MerchantReply,
    MerchantStats,
    ResolutionProposal,
    ReviewRequest,
    VictimMessage,
)
from complaints.tests import files
from complaints.tests.factories import ComplaintFactory
from complaints.uploads import check_upload
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

EMAIL = "wang.xiaoming@example.com"
PHONE = "13812345678"
ID_NUMBER = "110105198806051237"
ORDER_NUMBER = "E20250301123456789"
# Words of the account that no redaction masks: only erasure removes them.
STORY = "我在易享购小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了。"
NARRATIVE = f"{STORY}我的手机号{PHONE}，身份证{ID_NUMBER}，请帮我联系商家退款。"
QUESTION = "请补充付款截图，并确认您的联系电话。"
ANSWER = f"已补充截图，联系电话是{PHONE}，身份证号{ID_NUMBER}。"
HAND_REDACTED = f"{STORY}（编辑已人工核对）"
MERCHANT_PHONE = "13987654321"
WECHAT_ID = "yixianggou_kf88"
PAYEE_ACCOUNT = "6222020200112233446"
CLIENT_IP = "203.0.113.7"
# A file name that says whose the file is, as victims' often do.
FILE_STEM = "王晓明身份证"
# What nothing in the database may hold once the complainant's data is erased (the email: once the account is).
VICTIM_VALUES = [PHONE, ID_NUMBER, ORDER_NUMBER, STORY, QUESTION, "已补充截图", "编辑已人工核对", FILE_STEM]


@dataclass
class Cast:
    complainant: User
    moderator: User
    complaint: object
    other: object


def upload(name="receipt.jpg"):
    return check_upload(files.upload(name, files.jpeg_bytes()))


def _process(complaint_or_draft) -> None:
    for evidence in complaint_or_draft.evidence.all():
        services.evidence_process(evidence_id=evidence.pk)


def build(*, email=EMAIL, accept=True, draft=True) -> Cast:
    complainant = UserFactory(email=email, first_name="晓明", last_name="王")
    moderator = UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)
    claims = MerchantClaims(
        merchant_name="易享购",
        platform="wechat_mini_program",
        merchant_phone=MERCHANT_PHONE,
        wechat_id=WECHAT_ID,
        payee_account=PAYEE_ACCOUNT,
    )
    complaint = services.complaint_submit(
        complainant=complainant,
        claims=claims,
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("6999.00"),
        payment_method="wechat_pay",
        order_number=ORDER_NUMBER,
        region="110000",
        consent_publish=True,
        uploads=[upload(f"{FILE_STEM}.jpg"), upload("chat.jpg")],
        client_ip=CLIENT_IP,
    )
    _process(complaint)
    workflow.complaint_request_info(complaint=complaint, moderator=moderator, question=QUESTION)
    workflow.complaint_answer(complaint=complaint, user=complainant, answer=ANSWER)
    workflow.complaint_redaction_edit(complaint=complaint, moderator=moderator, text=HAND_REDACTED)
    if accept:
        workflow.complaint_accept(complaint=complaint, moderator=moderator)
        _merchant_answers(complaint)
    other = ComplaintFactory(merchant=complaint.merchant, contactable=True)
    VictimMessage.objects.create(sender=complaint, recipient=other, body=f"我的电话是{PHONE}，一起维权吧。")
    VictimMessage.objects.create(sender=other, recipient=complaint, body="好的，我也被骗了。")
    if draft:
        _draft(complainant)
    complaint.refresh_from_db()
    return Cast(complainant=complainant, moderator=moderator, complaint=complaint, other=other)


def _draft(complainant) -> None:
    draft = services.draft_create(owner=complainant)
    services.draft_save(draft=draft, data={"narrative": NARRATIVE, "order_number": ORDER_NUMBER})
    services.evidence_upload(user=complainant, uploads=[files.upload("draft.jpg", files.jpeg_bytes())], draft=draft)
    _process(draft)


def _merchant_answers(complaint) -> None:
    """The merchant's words quoting the complainant's order, as replies, proposals and review requests can."""
    rep = UserFactory(role=User.Role.MERCHANT_REP)
    quoted = f"订单{ORDER_NUMBER}已核实，联系{PHONE}处理。"
    MerchantReply.objects.create(complaint=complaint, author=rep, body=quoted, body_redacted=quoted)
    ResolutionProposal.objects.create(
        complaint=complaint, author=rep, kind="explanation", message=quoted, message_redacted=quoted
    )
    ReviewRequest.objects.create(complaint=complaint, requested_by=rep, reason="other", explanation=quoted)


def database_dump() -> str:
    """Every row of every table, as dumpdata writes them, with Chinese as characters (dumpdata escapes it)."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return json.dumps(json.loads(out.getvalue()), ensure_ascii=False)


def stored_files() -> list[str]:
    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def figures(merchant) -> dict:
    """What the dashboards, merchant pages and risk scores count for the merchant."""
    stats = MerchantStats.objects.filter(merchant=merchant).values().first()
    return {
        "stats": stats,
        "rollups": list(DailyRollup.objects.filter(merchant=merchant).order_by("pk").values()),
        "totals": list(DailyTotal.objects.order_by("pk").values()),
    }
