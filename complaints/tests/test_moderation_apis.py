"""The moderators' API: the queue with its filters, one case, and each moderation step (taken, validated, refused
with 409 when the state does not allow it, one winner between two moderators)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import workflow
from complaints.models import Complaint, Flag, ModerationAction
from complaints.services import complaint_submit
from complaints.tests.factories import ComplaintFactory
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.api.tests.helpers import api_client, error_of

pytestmark = pytest.mark.django_db

Status = Complaint.Status
QUEUE = "/api/v1/moderation/complaints/"
PHONE = "13812345678"
NARRATIVE = f"付款以后商家一直没有发货，客服电话{PHONE}也打不通，小程序已经打不开了，请大家小心。"


def case_url(complaint, step=""):
    return f"{QUEUE}{complaint.code}/{step + '/' if step else ''}"


@pytest.fixture
def api(moderator):
    return api_client(moderator)


@pytest.fixture
def other_moderator(db):
    return UserFactory(email="moderator2@example.com", role=User.Role.MODERATOR)


@pytest.fixture
def filed(complainant):
    return complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("6999.00"),
        consent_publish=True,
    )


# The queue ---------------------------------------------------------------------------------------------------


def test_the_queue_lists_open_complaints_worst_first(api, other_moderator):
    low = ComplaintFactory(priority=1)
    high = ComplaintFactory(priority=50, vulnerable=True, region="440000")
    ComplaintFactory(priority=99, status=Status.ACCEPTED)
    Flag.objects.create(complaint=high, kind=Flag.Kind.SIMILAR_NARRATIVE, other=low)
    workflow.complaint_claim(complaint=high, moderator=other_moderator)

    response = api.get(QUEUE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["code"] for item in body["results"]] == [high.code, low.code]
    item = body["results"][0]
    assert item["priority"] == 50
    assert item["merchant"] == {"id": str(high.merchant.uuid), "name": high.merchant.name}
    assert item["platform"] == "wechat_mini_program"
    assert item["region"] == "440000"
    assert item["amount"] == "6999.00" and item["currency"] == "CNY"
    assert item["vulnerable"] is True
    assert item["claimed_by"] == "moderator2@example.com"
    assert item["flags"] == [
        {
            "kind": "similar_narrative",
            "kind_display": "Near-identical account in another account's complaint",
            "other": low.code,
        }
    ]
    assert body["results"][1]["claimed_by"] is None


def test_the_queue_filters_like_the_page(api):
    merchant = MerchantFactory()
    accepted = ComplaintFactory(status=Status.ACCEPTED, merchant=merchant)
    rejected = ComplaintFactory(status=Status.REJECTED, merchant=merchant)
    counterfeit = ComplaintFactory(category="counterfeit")
    flagged = ComplaintFactory()
    Flag.objects.create(complaint=flagged, kind=Flag.Kind.BRIGADING_ADDRESS)

    def codes(**query):
        response = api.get(QUEUE, query)
        assert response.status_code == 200, response.content
        return {item["code"] for item in response.json()["results"]}

    assert codes(status=["accepted", "rejected"]) == {accepted.code, rejected.code}
    assert codes(status="accepted", merchant=str(merchant.uuid)) == {accepted.code}
    assert codes(category="counterfeit") == {counterfeit.code}
    assert codes(flag="brigading_address") == {flagged.code}
    assert codes(platform="douyin") == set()


def test_the_queue_is_paginated_with_limit_and_offset(api):
    for priority in range(5):
        ComplaintFactory(priority=priority)

    body = api.get(QUEUE, {"limit": 2, "offset": 2}).json()

    assert body["count"] == 5
    assert [item["priority"] for item in body["results"]] == [2, 1]


def test_the_queue_takes_a_fixed_number_of_queries(api, other_moderator):
    def add_rows(count):
        for _ in range(count):
            complaint = ComplaintFactory()
            Flag.objects.create(complaint=complaint, kind=Flag.Kind.SAME_EVIDENCE, other=ComplaintFactory())
            workflow.complaint_claim(complaint=complaint, moderator=other_moderator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(QUEUE).status_code == 200
        return len(captured)

    add_rows(1)
    few = queries()
    add_rows(20)
    assert queries() == few


def test_an_invalid_filter_is_a_400_naming_it(api):
    error = error_of(api.get(QUEUE, {"status": "lost", "region": "999999"}), 400, "invalid")

    assert set(error["fields"]) == {"status", "region"}


def test_the_queue_refuses_post(api):
    error_of(api.post(QUEUE, {}), 405)


# One case ----------------------------------------------------------------------------------------------------


def test_the_case_shows_the_raw_account_its_personal_data_and_the_redacted_text(api, filed, complainant):
    ComplaintFactory(complainant=complainant, complainant_key=filed.complainant_key, status=Status.REJECTED)

    response = api.get(case_url(filed).replace(filed.code, filed.code.lower().replace("-", "")))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == filed.code
    assert body["narrative"] == NARRATIVE
    start = NARRATIVE.index(PHONE)
    assert body["pii"] == [{"kind": "mobile", "start": start, "end": start + len(PHONE)}]
    assert PHONE not in body["narrative_redacted"] and "138****5678" in body["narrative_redacted"]
    assert body["complainant"] == "buyer@example.com"
    assert body["app_id"] == "wx0000000000000001"
    assert body["history"] == {"total": 1, "by_status": {"rejected": 1}}
    assert [entry["label"] for entry in body["timeline"]] == ["Complaint submitted"]
    assert body["actions"] == ["accept", "claim", "redaction", "reject", "request-info", "review"]
    assert body["is_public"] is False and body["consent_publish"] is True


def test_an_unknown_case_is_a_404(api):
    error_of(api.get(f"{QUEUE}RD-2222-2222/"), 404, "not_found")
    error_of(api.post(f"{QUEUE}RD-2222-2222/accept/"), 404, "not_found")


# Steps -------------------------------------------------------------------------------------------------------


def test_review_then_accept_publishes_and_is_audited(api, filed, moderator):
    assert api.post(case_url(filed, "review")).json()["status"] == "in_review"

    response = api.post(case_url(filed, "accept"), {"note": "Verified"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted" and body["is_public"] is True
    assert body["actions"] == ["close", "redaction"]
    assert [(entry["label"], entry["audited"]) for entry in body["timeline"]] == [
        ("Complaint submitted", False),
        ("Taken into review", True),
        ("Accepted", True),
    ]
    assert body["timeline"][2]["actor"] == moderator.email and body["timeline"][2]["note"] == "Verified"


def test_a_second_accept_is_a_409_with_a_clear_message(api, filed, other_moderator):
    # Two moderators decide the same case: the first wins, the second is told why not.
    assert api.post(case_url(filed, "accept")).status_code == 200

    error = error_of(api_client(other_moderator).post(case_url(filed, "accept")), 409, "invalid_transition")

    assert error["message"] == "This complaint is “Accepted”: it cannot be accepted now."
    assert ModerationAction.objects.filter(complaint=filed, action="accept").count() == 1


def test_acting_on_a_case_another_moderator_claimed_is_a_409_naming_them(api, filed, other_moderator):
    assert api_client(other_moderator).post(case_url(filed, "claim")).json()["claimed_by"] == other_moderator.email

    error = error_of(api.post(case_url(filed, "reject"), {"reason": "spam"}, format="json"), 409)

    assert error["message"] == "moderator2@example.com is working on this complaint."
    assert api.get(case_url(filed)).json()["actions"] == []
    assert Complaint.objects.get(pk=filed.pk).status == Status.SUBMITTED


def test_claim_and_release(api, filed, moderator):
    claimed = api.post(case_url(filed, "claim")).json()

    assert claimed["claimed_by"] == moderator.email
    assert "release" in claimed["actions"] and "claim" not in claimed["actions"]
    released = api.post(case_url(filed, "release")).json()
    assert released["claimed_by"] is None
    filed.refresh_from_db()
    assert filed.claimed_by is None and filed.claimed_at is None


def test_a_claim_ends_when_it_lapses(api, filed, other_moderator, settings):
    workflow.complaint_claim(complaint=filed, moderator=other_moderator)
    Complaint.objects.filter(pk=filed.pk).update(claimed_at=timezone.now() - settings.MODERATION_CLAIM_TTL * 2)

    assert api.post(case_url(filed, "accept")).json()["status"] == "accepted"


def test_reject_needs_a_known_reason(api, filed):
    error = error_of(api.post(case_url(filed, "reject"), {"reason": "boring"}, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"reason"}

    body = api.post(case_url(filed, "reject"), {"reason": "duplicate", "note": "Same as RD-X"}, format="json").json()

    assert body["status"] == "rejected" and body["reject_reason"] == "duplicate"


def test_request_info_needs_a_question(api, filed):
    error_of(api.post(case_url(filed, "request-info"), {}, format="json"), 400)

    body = api.post(case_url(filed, "request-info"), {"question": "请上传付款截图"}, format="json").json()

    assert body["status"] == "needs_info"
    assert body["actions"] == ["claim", "redaction", "reject"]


def test_close_needs_an_accepted_complaint_and_an_outcome(api, filed):
    error = error_of(api.post(case_url(filed, "close"), {"outcome": "unresolved"}, format="json"), 409)
    assert "cannot be closed now" in error["message"]
    api.post(case_url(filed, "accept"))
    error_of(api.post(case_url(filed, "close"), {"outcome": "accepted"}, format="json"), 400)

    body = api.post(case_url(filed, "close"), {"outcome": "closed_explanation"}, format="json").json()

    assert body["status"] == "closed_explanation"


def test_editing_the_redaction(api, filed):
    body = api.post(case_url(filed, "redaction"), {"text": "商家不发货。"}, format="json").json()

    assert body["narrative_redacted"] == "商家不发货。"
    assert body["timeline"][-1]["label"] == "Redacted text edited"
    assert body["timeline"][-1]["before"].startswith("付款以后") and body["timeline"][-1]["after"] == "商家不发货。"
    # Blank restores the automatic redaction.
    restored = api.post(case_url(filed, "redaction"), {"text": ""}, format="json").json()
    assert "138****5678" in restored["narrative_redacted"]


def test_steps_refuse_get(api, filed):
    error_of(api.get(case_url(filed, "accept")), 405)
