import hashlib
import hmac
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from complaints import services, workflow
from complaints.codes import PATTERN
from complaints.decorators import MSG_VERIFY_FIRST
from complaints.models import Complaint, Evidence, TimelineEvent
from complaints.tests.factories import ComplaintFactory
from complaints.tests.files import jpeg_bytes, pdf_bytes, png_bytes, upload
from complaints.uploads import MSG_MISMATCH, MSG_TOO_MANY
from portal.accounts.tests.factories import UserFactory
from portal.api.errors import MSG_TOO_MANY_FILES
from portal.api.tests.helpers import api_client, error_of

LIST_URL = "/api/v1/complaints/"
NARRATIVE = "I paid for a phone in the mini program; the shop never shipped it and stopped answering."


def detail_url(code):
    return f"/api/v1/complaints/{code}/"


def evidence_url(code):
    return f"/api/v1/complaints/{code}/evidence/"


def filing(**overrides):
    data = {
        "merchant_name": "果园小店",
        "platform": "wechat_mini_program",
        "mini_program_name": "果园优选",
        "app_id": "wx1234567890abcdef",
        "category": "not_delivered",
        "narrative": NARRATIVE,
        "amount": "6999.00",
        "payment_method": "wechat_pay",
        "paid_at": "2025-03-01",
        "order_number": "4200001234",
        "region": "440000",
    }
    data.update(overrides)
    return data


def images_and_pdf():
    return [
        upload("order.jpg", jpeg_bytes(), "image/jpeg"),
        upload("receipt.png", png_bytes(), "image/png"),
        upload("chat.pdf", pdf_bytes(), "application/pdf"),
    ]


# Filing ------------------------------------------------------------------------------------------


def test_create_json_without_files_answers_the_contracted_body(complainant):
    response = api_client(complainant).post(LIST_URL, filing(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"code", "status", "merchant", "evidence"}
    assert PATTERN.match(body["code"])
    assert body["status"] == "submitted"
    assert body["evidence"] == []
    complaint = Complaint.objects.get(code=body["code"])
    assert body["merchant"] == {"id": str(complaint.merchant.uuid), "name": complaint.merchant.name}
    assert complaint.complainant == complainant
    assert complaint.amount == Decimal("6999.00")
    assert complaint.currency == "CNY"
    assert complaint.app_id == "wx1234567890abcdef"
    assert complaint.region == "440000"
    assert (complaint.consent_publish, complaint.hide_identity) == (False, True)


def test_create_multipart_with_two_images_and_a_pdf(complainant, django_capture_on_commit_callbacks):
    client = api_client(complainant)
    files = images_and_pdf()
    digests = [hashlib.sha256(f.read()).hexdigest() for f in files]
    for f in files:
        f.seek(0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["name"] for item in body["evidence"]] == ["order.jpg", "receipt.png", "chat.pdf"]
    assert {item["status"] for item in body["evidence"]} == {"pending"}
    assert set(body["evidence"][0]) == {"id", "name", "status"}
    # A multipart form that leaves hide_identity out keeps its default (HTML forms would say False).
    assert Complaint.objects.get(code=body["code"]).hide_identity is True

    detail = client.get(detail_url(body["code"])).json()
    assert [e["id"] for e in detail["evidence"]] == [e["id"] for e in body["evidence"]]
    assert [e["status"] for e in detail["evidence"]] == ["ready", "ready", "ready"]
    assert [e["kind"] for e in detail["evidence"]] == ["image", "image", "pdf"]
    assert [e["sha256"] for e in detail["evidence"]] == digests
    kinds = [event["kind"] for event in detail["timeline"]]
    assert kinds[0] == "submitted"
    assert kinds.count("evidence_ready") == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"merchant_name": "", "mini_program_name": "", "app_id": "", "platform": ""}, "merchant_name"),
        ({"narrative": "Too short."}, "narrative"),
        ({"category": "bad_luck"}, "category"),
        ({"platform": "myspace"}, "platform"),
        ({"amount": "12.345"}, "amount"),
        ({"region": "999999"}, "region"),
        ({"paid_at": "2999-01-01"}, "paid_at"),
    ],
)
def test_create_refuses_invalid_fields(complainant, overrides, field):
    response = api_client(complainant).post(LIST_URL, filing(**overrides), format="json")

    error = error_of(response, 400, "invalid")
    assert field in error["fields"]
    assert error["fields"][field]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_validation_messages_follow_accept_language(complainant, language):
    data = filing(merchant_name="", mini_program_name="", app_id="", platform="")

    response = api_client(complainant, language=language).post(LIST_URL, data, format="json")

    error = error_of(response, 400)
    with translation.override(language):
        assert error["fields"]["merchant_name"] == [str(services.MSG_NO_MERCHANT)]


def test_anonymous_message_is_translated():
    english = error_of(api_client(language="en").get(LIST_URL), 401)
    chinese = error_of(api_client(language="zh-hans").get(LIST_URL), 401)

    with translation.override("zh-hans"):
        assert chinese["message"] == str(NotAuthenticated.default_detail)
    assert english["message"] == "Authentication credentials were not provided."
    assert chinese["message"] != english["message"]


def test_create_refuses_an_11_mb_file_with_413(complainant):
    big = upload("big.png", png_bytes() + b"\0" * (11 * 1024 * 1024), "image/png")

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": [big]}, format="multipart")

    error = error_of(response, 413, "too_large")
    assert "big.png" in error["fields"]["evidence"][0]
    assert not Complaint.objects.exists()
    assert not Evidence.objects.exists()


def test_create_refuses_html_renamed_png_with_415_and_keeps_nothing(complainant):
    files = [upload("receipt.png", b"<html><body>pay here</body></html>", "image/png"), *images_and_pdf()]

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    error = error_of(response, 415, "unsupported_type")
    assert error["fields"]["evidence"] == [str(MSG_MISMATCH % {"name": "receipt.png", "ext": "PNG"})]
    assert not Complaint.objects.exists()
    assert not Evidence.objects.exists()


def test_create_refuses_an_11th_file(complainant):
    files = [upload(f"shot{n}.png", png_bytes(), "image/png") for n in range(settings.EVIDENCE_MAX_FILES + 1)]

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    error = error_of(response, 400, "too_many_files")
    assert error["fields"]["evidence"] == [str(MSG_TOO_MANY % {"limit": settings.EVIDENCE_MAX_FILES, "count": 0})]
    assert not Complaint.objects.exists()


def test_create_refuses_101_files_in_one_request(complainant):
    files = [upload(f"shot{n}.png", png_bytes(size=(4, 4)), "image/png") for n in range(101)]

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    error = error_of(response, 400, "too_many_files")
    assert error["message"] == str(MSG_TOO_MANY_FILES)
    assert not Complaint.objects.exists()


def test_create_refuses_text_in_place_of_evidence_files(complainant):
    response = api_client(complainant).post(LIST_URL, filing(evidence=["not a file"]), format="json")

    error = error_of(response, 400, "invalid")
    assert "evidence" in error["fields"]


def test_create_requires_authentication():
    response = api_client().post(LIST_URL, filing(), format="json")

    error_of(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_create_with_session_auth_requires_csrf(complainant):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(complainant)

    response = client.post(LIST_URL, filing(), format="json")

    error_of(response, 403, "permission_denied")


# Reading -----------------------------------------------------------------------------------------


def test_list_returns_only_own_complaints_newest_first(complainant, stranger):
    older = ComplaintFactory(complainant=complainant)
    newer = ComplaintFactory(complainant=complainant)
    ComplaintFactory(complainant=stranger)
    Complaint.objects.filter(pk=older.pk).update(submitted_at=newer.submitted_at.replace(year=2020))

    response = api_client(complainant).get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [item["code"] for item in body["results"]] == [newer.code, older.code]
    assert body["results"][0]["merchant"] == {"id": str(newer.merchant.uuid), "name": newer.merchant.name}


def test_list_paginates_with_limit_and_offset(complainant):
    ComplaintFactory.create_batch(3, complainant=complainant)

    body = api_client(complainant).get(LIST_URL, {"limit": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert "offset=2" in body["next"]


def test_list_query_count_does_not_grow_with_complaints(complainant, django_assert_max_num_queries):
    for complaint in ComplaintFactory.create_batch(5, complainant=complainant):
        services.evidence_upload(user=complainant, uploads=[upload("a.png", png_bytes())], complaint=complaint)
    client = api_client(complainant)

    # token lookup, count, page with merchants, evidence prefetch
    with django_assert_max_num_queries(4):
        response = client.get(LIST_URL)

    assert [len(item["evidence"]) for item in response.json()["results"]] == [1] * 5


def test_detail_shows_facts_claims_evidence_and_timeline(complainant):
    complaint = ComplaintFactory(complainant=complainant, order_number="4200001234", region="110000")
    services.timeline_add(complaint=complaint, kind=TimelineEvent.Kind.SUBMITTED, actor=complainant)
    services.evidence_upload(user=complainant, uploads=[upload("chat.pdf", pdf_bytes())], complaint=complaint)

    response = api_client(complainant).get(detail_url(complaint.code))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == complaint.code
    assert body["merchant"] == {"id": str(complaint.merchant.uuid), "name": complaint.merchant.name}
    assert body["merchant_name"] == complaint.merchant_name
    assert body["category"] == "not_delivered"
    assert body["category_display"] == "Paid but not delivered (pre-sales included)"
    assert body["amount"] == "6999.00"
    assert body["order_number"] == "4200001234"
    assert body["region"] == "110000"
    assert body["narrative"] == complaint.narrative
    [evidence] = body["evidence"]
    assert set(evidence) == {"id", "name", "kind", "status", "reject_reason", "reject_reason_display", "size", "sha256"}
    assert (evidence["name"], evidence["kind"], evidence["size"]) == ("chat.pdf", "pdf", len(pdf_bytes()))
    assert [event["kind"] for event in body["timeline"]] == ["submitted", "evidence_added"]
    assert body["timeline"][1]["data"] == {"name": "chat.pdf"}
    assert set(body["timeline"][0]) == {"kind", "kind_display", "at", "data"}


def test_detail_shows_the_translated_reject_reason(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    outcome = services.evidence_upload(user=complainant, uploads=[upload("a.png", png_bytes())], complaint=complaint)
    Evidence.objects.filter(pk=outcome.stored[0].pk).update(
        status=Evidence.Status.REJECTED, reject_reason=Evidence.RejectReason.TOO_MANY_PIXELS
    )

    [evidence] = api_client(complainant, language="zh-hans").get(detail_url(complaint.code)).json()["evidence"]

    assert evidence["reject_reason"] == "too_many_pixels"
    with translation.override("zh-hans"):
        assert evidence["reject_reason_display"] == str(Evidence.RejectReason.TOO_MANY_PIXELS.label)


def test_detail_accepts_the_code_as_people_type_it(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    typed = complaint.code.replace("-", "").lower()

    response = api_client(complainant).get(detail_url(typed))

    assert response.status_code == 200
    assert response.json()["code"] == complaint.code


def test_detail_is_404_for_a_stranger_and_401_for_anonymous(complainant, stranger):
    complaint = ComplaintFactory(complainant=complainant)

    error_of(api_client(stranger).get(detail_url(complaint.code)), 404, "not_found")
    anonymous = api_client().get(detail_url(complaint.code))
    error_of(anonymous, 401, "not_authenticated")
    assert anonymous["WWW-Authenticate"] == "Token"


def test_detail_is_404_for_an_unknown_or_malformed_code(complainant):
    client = api_client(complainant)

    error_of(client.get(detail_url("RD-2345-6789")), 404, "not_found")
    error_of(client.get(detail_url("not-a-code")), 404, "not_found")


# Adding evidence ---------------------------------------------------------------------------------


def test_evidence_add_stores_the_files(complainant, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(complainant=complainant)
    client = api_client(complainant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(evidence_url(complaint.code.lower()), {"evidence": images_and_pdf()}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["name"] for item in body["evidence"]] == ["order.jpg", "receipt.png", "chat.pdf"]
    assert complaint.evidence.count() == 3
    detail = client.get(detail_url(complaint.code)).json()
    assert [e["status"] for e in detail["evidence"]] == ["ready", "ready", "ready"]
    assert [event["kind"] for event in detail["timeline"]].count("evidence_added") == 3


def test_evidence_add_is_all_or_nothing(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    files = [*images_and_pdf(), upload("fake.png", b"%PDF-1.4 not really a picture", "image/png")]

    response = api_client(complainant).post(evidence_url(complaint.code), {"evidence": files}, format="multipart")

    error = error_of(response, 415, "unsupported_type")
    assert len(error["fields"]["evidence"]) == 1
    assert not complaint.evidence.exists()
    assert not complaint.timeline.exists()


def test_evidence_add_counts_existing_files_but_not_rejected_ones(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    limit = settings.EVIDENCE_MAX_FILES
    existing = [upload(f"old{n}.png", png_bytes()) for n in range(limit - 1)]
    stored = services.evidence_upload(user=complainant, uploads=existing, complaint=complaint).stored
    client = api_client(complainant)
    two = [upload("new1.png", png_bytes()), upload("new2.png", png_bytes())]

    error = error_of(client.post(evidence_url(complaint.code), {"evidence": two}, format="multipart"), 400)

    assert error["code"] == "too_many_files"
    assert error["fields"]["evidence"] == [str(MSG_TOO_MANY % {"limit": limit, "count": limit - 1})]
    assert complaint.evidence.count() == limit - 1

    Evidence.objects.filter(pk=stored[0].pk).update(status=Evidence.Status.REJECTED)
    for f in two:
        f.seek(0)
    response = client.post(evidence_url(complaint.code), {"evidence": two}, format="multipart")
    assert response.status_code == 201, response.content
    assert complaint.evidence.count() == limit + 1


def test_evidence_add_requires_files(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    client = api_client(complainant)

    error = error_of(client.post(evidence_url(complaint.code), {}, format="multipart"), 400, "invalid")
    assert "evidence" in error["fields"]
    error_of(client.post(evidence_url(complaint.code), {"evidence": []}, format="json"), 415)


def test_evidence_add_refuses_outsiders(complainant, stranger, moderator):
    complaint = ComplaintFactory(complainant=complainant)

    def attempt(user):
        return api_client(user).post(
            evidence_url(complaint.code), {"evidence": [upload("a.png", png_bytes())]}, format="multipart"
        )

    error_of(attempt(stranger), 404, "not_found")
    error_of(attempt(moderator), 403, "permission_denied")
    error_of(attempt(None), 401, "not_authenticated")
    assert not complaint.evidence.exists()


# Methods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "list"),
        ("delete", "list"),
        ("post", "detail"),
        ("patch", "detail"),
        ("delete", "detail"),
        ("get", "evidence"),
        ("put", "evidence"),
    ],
)
def test_wrong_methods_are_405(complainant, method, path):
    complaint = ComplaintFactory(complainant=complainant)
    url = {"list": LIST_URL, "detail": detail_url(complaint.code), "evidence": evidence_url(complaint.code)}[path]

    response = getattr(api_client(complainant), method)(url)

    error_of(response, 405, "method_not_allowed")
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_filing_needs_a_verified_email_address(db):
    unverified = UserFactory(email_verified=False)
    client = APIClient(headers={"accept-language": "en"})
    client.force_authenticate(unverified)

    response = client.post(LIST_URL, filing(), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == str(MSG_VERIFY_FIRST)
    assert not Complaint.objects.exists()


# Filing: vulnerability, the client address, the rate per account --------------------------------------


def test_create_takes_vulnerability_and_hashes_the_client_address(complainant):
    client = api_client(complainant)

    response = client.post(LIST_URL, filing(vulnerable=True), format="json", REMOTE_ADDR="198.51.100.23")

    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert complaint.vulnerable is True
    expected = hmac.new(settings.SECRET_KEY.encode(), b"198.51.100.23", hashlib.sha256).hexdigest()
    assert complaint.client_ip_hash == expected
    assert client.get(detail_url(complaint.code)).json()["vulnerable"] is True


def test_filing_is_throttled_per_account_but_listing_is_not(complainant, stranger, monkeypatch):
    # DRF reads the rates once, into the throttle class: override them there.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "filing", "2/hour")
    client = api_client(complainant)
    for _attempt in range(2):
        assert client.post(LIST_URL, filing(), format="json").status_code == 201

    response = client.post(LIST_URL, filing(), format="json")

    error_of(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert Complaint.objects.filter(complainant=complainant).count() == 2
    assert client.get(LIST_URL).status_code == 200
    assert api_client(stranger).post(LIST_URL, filing(), format="json").status_code == 201


# The complainant's side of moderation ----------------------------------------------------------------


def action_url(code, action):
    return f"/api/v1/complaints/{code}/{action}/"


QUESTION = "Which day did you pay?"


@pytest.fixture
def asked(complainant, moderator):
    complaint = ComplaintFactory(complainant=complainant)
    return workflow.complaint_request_info(complaint=complaint, moderator=moderator, question=QUESTION)


def test_detail_shows_the_open_question_and_publication(complainant, asked):
    body = api_client(complainant).get(detail_url(asked.code)).json()

    assert body["status"] == "needs_info"
    assert body["question"] == QUESTION
    assert (body["is_public"], body["public_url"], body["consent_publish"]) == (False, None, False)
    assert body["narrative_redacted"] == asked.narrative_redacted
    assert (body["reject_reason"], body["reject_reason_display"]) == ("", "")
    change = body["timeline"][-1]
    assert (change["kind"], change["data"]["to"], change["data"]["note"]) == ("status_changed", "needs_info", QUESTION)


def test_answer_sends_the_complaint_back_to_review(complainant, asked):
    client = api_client(complainant)

    response = client.post(action_url(asked.code.lower(), "answer"), {"answer": "On 1 March."}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"code", "status", "status_display", "consent_publish", "is_public", "public_url"}
    assert (body["code"], body["status"]) == (asked.code, "in_review")
    detail = client.get(detail_url(asked.code)).json()
    assert detail["question"] == ""
    assert detail["timeline"][-1]["data"]["note"] == "On 1 March."


def test_answer_needs_an_answer(complainant, asked):
    client = api_client(complainant)

    for data in ({}, {"answer": "   "}):
        error = error_of(client.post(action_url(asked.code, "answer"), data, format="json"), 400, "invalid")
        assert "answer" in error["fields"]
    asked.refresh_from_db()
    assert asked.status == Complaint.Status.NEEDS_INFO


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_answer_when_no_question_is_open_is_a_409_in_the_clients_language(complainant, language):
    complaint = ComplaintFactory(complainant=complainant)

    response = api_client(complainant, language=language).post(
        action_url(complaint.code, "answer"), {"answer": "Too early."}, format="json"
    )

    error = error_of(response, 409, "invalid_transition")
    with translation.override(language):
        expected = str(workflow.MSG_NOT_ALLOWED % {"status": complaint.get_status_display(), "action": _("answered")})
    assert error["message"] == expected
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.SUBMITTED


def test_withdraw_is_final(complainant):
    complaint = ComplaintFactory(complainant=complainant, status=Complaint.Status.ACCEPTED, consent_publish=True)
    client = api_client(complainant)

    response = client.post(action_url(complaint.code, "withdraw"))

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["is_public"]) == ("withdrawn", False)
    error_of(client.post(action_url(complaint.code, "withdraw")), 409, "invalid_transition")
    assert complaint.timeline.filter(kind=TimelineEvent.Kind.STATUS_CHANGED).count() == 1


def test_consent_publishes_an_accepted_complaint_and_its_withdrawal_unpublishes_it(complainant):
    complaint = ComplaintFactory(complainant=complainant, status=Complaint.Status.ACCEPTED)
    client = api_client(complainant)

    given = client.post(action_url(complaint.code, "consent"), {"consent": True}, format="json").json()

    public = f"http://testserver/complaints/public/{complaint.uuid}/"
    assert (given["consent_publish"], given["is_public"], given["public_url"]) == (True, True, public)
    assert client.get(detail_url(complaint.code)).json()["public_url"] == public
    assert api_client().get(public).status_code == 200

    withdrawn = client.post(action_url(complaint.code, "consent"), {"consent": False}, format="json").json()

    assert (withdrawn["consent_publish"], withdrawn["is_public"], withdrawn["public_url"]) == (False, False, None)
    assert api_client().get(public).status_code == 404
    kinds = list(complaint.timeline.values_list("kind", "data__consent"))
    assert kinds == [(TimelineEvent.Kind.CONSENT_CHANGED, True), (TimelineEvent.Kind.CONSENT_CHANGED, False)]


def test_consent_must_be_said_in_json(complainant):
    complaint = ComplaintFactory(complainant=complainant, status=Complaint.Status.ACCEPTED, consent_publish=True)
    client = api_client(complainant)

    error = error_of(client.post(action_url(complaint.code, "consent"), {}, format="json"), 400, "invalid")
    assert "consent" in error["fields"]
    # A form body that leaves the field out must not read as "no".
    error_of(client.post(action_url(complaint.code, "consent"), {}, format="multipart"), 415)
    complaint.refresh_from_db()
    assert complaint.consent_publish is True


@pytest.mark.parametrize(
    ("action", "data"), [("answer", {"answer": "Not mine."}), ("withdraw", {}), ("consent", {"consent": True})]
)
def test_actions_refuse_outsiders(asked, stranger, moderator, action, data):
    url = action_url(asked.code, action)

    error_of(api_client(stranger).post(url, data, format="json"), 404, "not_found")
    error_of(api_client(moderator).post(url, data, format="json"), 403, "permission_denied")
    error_of(api_client().post(url, data, format="json"), 401, "not_authenticated")
    asked.refresh_from_db()
    assert (asked.status, asked.consent_publish) == (Complaint.Status.NEEDS_INFO, False)


@pytest.mark.parametrize("action", ["answer", "withdraw", "consent"])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_actions_take_only_post(asked, complainant, action, method):
    error_of(getattr(api_client(complainant), method)(action_url(asked.code, action)), 405, "method_not_allowed")


def test_actions_are_in_the_schema():
    schema = api_client().get("/api/schema/", {"format": "json"}).json()

    for action in ("answer", "withdraw", "consent"):
        responses = schema["paths"][f"/api/v1/complaints/{{code}}/{action}/"]["post"]["responses"]
        assert {"200", "401", "403", "404", "409"} <= set(responses), action
