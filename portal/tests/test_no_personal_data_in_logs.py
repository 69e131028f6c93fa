"""No personal data in logs: a complaint full of it goes through filing, evidence processing, moderation and a
regulator's export, with every logger at DEBUG, and none of its phone, ID or card numbers reaches a log record."""

import logging

import pytest

from complaints import workflow
from complaints.models import Complaint
from complaints.tests.files import jpeg_bytes, upload
from portal.api.tests.helpers import api_client
from portal.escalations.tests.factories import AuthorityStaffFactory, provincial

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
RESIDENT_ID = "11010119900307123X"
CARD = "6222020000123456782"
WECHAT_ID = "wxid_secret_buyer88"
SECRETS = (PHONE, RESIDENT_ID, CARD, WECHAT_ID, "138 1234 5678")


def test_a_complaint_full_of_personal_data_leaves_none_of_it_in_the_logs(
    complainant, moderator, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    narrative = (
        f"我在小程序下单付款后商家失联。我的手机 {PHONE}（也写作 138 1234 5678），身份证 {RESIDENT_ID}，"
        f"付款银行卡 {CARD}，微信号 {WECHAT_ID}，客服一直不回复。"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(complainant).post(
            "/api/v1/complaints/",
            {
                "merchant_name": "果园小店",
                "platform": "wechat_mini_program",
                "merchant_phone": PHONE,
                "payee_account": CARD,
                "wechat_id": WECHAT_ID,
                "category": "not_delivered",
                "narrative": narrative,
                "amount": "6999.00",
                "region": "440000",
                "evidence": [upload("chat.jpg", jpeg_bytes(), "image/jpeg")],
            },
            format="multipart",
        )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.complaint_review_start(complaint=complaint, moderator=moderator)
        workflow.complaint_accept(complaint=complaint, moderator=moderator)
    regulator = AuthorityStaffFactory(authority=provincial("market_regulator", "440000"))
    export = api_client(regulator)
    export.force_login(regulator)
    csv_text = b"".join(export.get("/dashboard/export/complaints.csv").streaming_content).decode()

    assert complaint.evidence.get().status == "ready"
    assert PHONE not in csv_text and CARD not in csv_text
    logged = "\n".join(
        record.getMessage() + (caplog.handler.formatter.formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert caplog.records, "the journey logged nothing, so this test would prove nothing"
    for secret in SECRETS:
        assert secret not in logged
