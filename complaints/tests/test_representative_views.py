"""The representative's pages: the merchant's complaints with their reply clocks, one complaint as the merchant may
see it, and the forms beside it. Each works, validates, refuses outsiders (403 for non-representatives, 404 for
another merchant's complaints) and wrong methods; none shows the evidence or who complained unless allowed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import replies, services, workflow
from complaints.models import Complaint, MerchantReply, ResolutionProposal, ReviewRequest
from complaints.representative_views import MSG_REPLIED, MSG_REVIEW_REQUESTED, MSG_WITHDRAWN
from complaints.review_requests import MSG_ALREADY_OPEN
from complaints.tests.files import jpeg_bytes, upload
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint, file_complaint
from complaints.tests.test_views import english
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.api.tests.helpers import api_client

pytestmark = pytest.mark.django_db

Kind = ResolutionProposal.Kind


def logged_in(user, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def complaint(complainant, moderator, django_capture_on_commit_callbacks):
    """Accepted, with a checked picture only its complainant and moderators may see."""
    filed = file_complaint(complainant=complainant, paid_at=timezone.localdate() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_upload(user=complainant, uploads=[upload("order.jpg", jpeg_bytes())], complaint=filed)
    return workflow.complaint_accept(complaint=filed, moderator=moderator)


@pytest.fixture
def rep_user(complaint):
    return RepresentativeFactory(merchant=complaint.merchant).user


@pytest.fixture
def rep(rep_user):
    return logged_in(rep_user)


@pytest.fixture
def other_rep(db):
    return logged_in(RepresentativeFactory(merchant=MerchantFactory()).user)


def detail_url(complaint, name="detail", **kwargs):
    return reverse(f"representation:{name}", kwargs={"uuid": complaint.uuid, **kwargs})


def list_url(merchant):
    return reverse("representation:complaints", kwargs={"merchant": merchant.uuid})


# The merchant's complaints -------------------------------------------------------------------------------------


def test_the_list_shows_accepted_complaints_waiting_ones_first_the_overdue_on_top(
    rep, rep_user, complaint, complainant, moderator
):
    replied = accepted_complaint(complainant=complainant, moderator=moderator)
    replies.reply_post(complaint=replied, user=rep_user, body="已退款。")
    overdue = accepted_complaint(complainant=complainant, moderator=moderator)
    Complaint.objects.filter(pk=overdue.pk).update(reply_due_at=timezone.now() - timedelta(days=1))
    waiting_later = complaint
    submitted = file_complaint(complainant=complainant)
    rejected = file_complaint(complainant=complainant)
    workflow.complaint_reject(complaint=rejected, moderator=moderator, reason="spam")
    withdrawn = file_complaint(complainant=complainant)
    workflow.complaint_withdraw(complaint=withdrawn, user=complainant)

    response = rep.get(list_url(complaint.merchant))

    assert response.status_code == 200
    codes = [row["complaint"].code for row in response.context["rows"]]
    assert codes == [overdue.code, waiting_later.code, replied.code]
    page = response.content.decode()
    for hidden in (submitted, rejected, withdrawn):
        assert hidden.code not in page
    assert [row["overdue"] for row in response.context["rows"]] == [True, False, False]
    assert page.count("Reply overdue") == 1
    assert "Replied" in page and "Reply due by" in page


def test_the_list_takes_a_fixed_number_of_queries(
    rep, complaint, complainant, moderator, django_assert_max_num_queries
):
    url = list_url(complaint.merchant)
    rep.get(url)  # the session and the user, cached like any later visit
    with django_assert_max_num_queries(9) as few:
        rep.get(url)
    for _ in range(5):
        accepted_complaint(complainant=complainant, moderator=moderator)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep.get(url)
    assert len(response.context["rows"]) == 6


def test_a_merged_in_merchants_page_lists_the_whole_group(complainant, moderator, complaint):
    merged = MerchantFactory()
    client = logged_in(RepresentativeFactory(merchant=merged).user)
    merchant_merge(source=merged, target=complaint.merchant, reason="Same company", actor=moderator)

    response = client.get(list_url(merged))

    assert response.status_code == 200
    assert response.context["merchant"] == complaint.merchant
    assert complaint.code in response.content.decode()


@pytest.mark.parametrize("who", ["complainant", "stranger", "moderator", "regulator", "merchant_rep"])
def test_the_list_is_forbidden_to_anyone_who_represents_no_merchant(request, who, complaint):
    response = logged_in(request.getfixturevalue(who)).get(list_url(complaint.merchant))

    assert response.status_code == 403


def test_another_merchants_list_is_not_found(other_rep, complaint):
    assert other_rep.get(list_url(complaint.merchant)).status_code == 404
    assert other_rep.get(list_url(MerchantFactory())).status_code == 404


def test_the_list_needs_a_login_and_a_get(client, rep, complaint):
    url = list_url(complaint.merchant)

    assert client.get(url).status_code == 302
    assert rep.post(url).status_code == 405


# One complaint -------------------------------------------------------------------------------------------------


def test_the_complaint_page_shows_the_redacted_account_and_no_evidence(rep, complaint):
    response = rep.get(detail_url(complaint))

    assert response.status_code == 200
    page = response.content.decode()
    assert complaint.narrative_redacted in page
    assert "13812345678" not in page and "138****5678" in page
    assert complaint.order_number in page and "6999.00" in page
    assert complaint.get_category_display() in page
    assert "/complaints/evidence/" not in page and "order.jpg" not in page
    assert complaint.complainant.email not in page
    assert "chose not to be identified" in page
    assert reverse("representation:reply", kwargs={"uuid": complaint.uuid}) in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_complainant_who_does_not_hide_shows_as_a_masked_email(rep, complaint):
    Complaint.objects.filter(pk=complaint.pk).update(hide_identity=False)

    page = rep.get(detail_url(complaint)).content.decode()

    assert "b***@example.com" in page
    assert "buyer@example.com" not in page


def test_the_complaint_page_takes_a_fixed_number_of_queries(rep, rep_user, complaint, django_assert_max_num_queries):
    url = detail_url(complaint)
    rep.get(url)
    with django_assert_max_num_queries(10) as few:
        rep.get(url)
    for n in range(3):
        replies.reply_post(complaint=complaint, user=rep_user, body=f"第{n}次回复。")
        proposal = replies.proposal_make(complaint=complaint, user=rep_user, kind=Kind.EXPLANATION, message="说明。")
        replies.proposal_withdraw(proposal=proposal, user=rep_user)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep.get(url)
    assert len(response.context["replies"]) == 3 and len(response.context["proposals"]) == 3


@pytest.mark.parametrize("who", ["complainant", "stranger", "moderator", "merchant_rep"])
def test_the_complaint_page_is_forbidden_to_non_representatives(request, who, complaint):
    assert logged_in(request.getfixturevalue(who)).get(detail_url(complaint)).status_code == 403


def test_the_complaint_page_is_not_found_for_another_merchant_or_an_unchecked_complaint(
    other_rep, rep, rep_user, complainant, moderator, complaint
):
    assert other_rep.get(detail_url(complaint)).status_code == 404
    submitted = file_complaint(complainant=complainant)
    rejected = file_complaint(complainant=complainant)
    workflow.complaint_reject(complaint=rejected, moderator=moderator, reason="spam")
    withdrawn = accepted_complaint(complainant=complainant, moderator=moderator)
    workflow.complaint_withdraw(complaint=withdrawn, user=complainant)
    for hidden in (submitted, rejected, withdrawn):
        assert hidden.merchant == complaint.merchant
        assert rep.get(detail_url(hidden)).status_code == 404
        assert rep.post(detail_url(hidden, "reply"), {"body": "回复"}).status_code == 404
    assert not MerchantReply.objects.exists()


def test_a_closed_complaint_shows_without_the_forms(rep, complaint, moderator):
    workflow.complaint_close(complaint=complaint, moderator=moderator, outcome=Complaint.Status.UNRESOLVED)

    page = rep.get(detail_url(complaint)).content.decode()

    assert "This complaint is closed" in page
    assert reverse("representation:reply", kwargs={"uuid": complaint.uuid}) not in page
    assert reverse("representation:propose", kwargs={"uuid": complaint.uuid}) not in page


# Replying and proposing ----------------------------------------------------------------------------------------


def test_a_reply_is_published_and_the_page_says_so(rep, complaint):
    response = rep.post(detail_url(complaint, "reply"), {"body": "您好，已为您安排退款。"}, follow=True)

    assert response.redirect_chain == [(detail_url(complaint), 302)]
    assert english(MSG_REPLIED) in response.content.decode()
    assert MerchantReply.objects.get().body == "您好，已为您安排退款。"
    assert "您好，已为您安排退款。" in response.content.decode()


def test_an_empty_reply_is_shown_again_with_the_error(rep, complaint):
    response = rep.post(detail_url(complaint, "reply"), {"body": "  "})

    assert response.status_code == 400
    assert english(replies.MSG_REPLY_REQUIRED) in response.content.decode()
    assert not MerchantReply.objects.exists()


def test_a_reply_to_a_closed_complaint_is_refused_with_the_reason(rep, complaint, moderator):
    workflow.complaint_close(complaint=complaint, moderator=moderator, outcome=Complaint.Status.UNRESOLVED)

    response = rep.post(detail_url(complaint, "reply"), {"body": "补充说明。"}, follow=True)

    assert response.redirect_chain == [(detail_url(complaint), 302)]
    assert english(replies.MSG_NOT_OPEN, status="Unresolved") in response.content.decode()
    assert not MerchantReply.objects.exists()


def test_a_refund_proposal_is_sent(rep, complaint):
    data = {"kind": Kind.REFUND, "amount": "6999.00", "message": "全额退款，三个工作日到账。"}

    response = rep.post(detail_url(complaint, "propose"), data, follow=True)

    assert response.redirect_chain == [(detail_url(complaint), 302)]
    proposal = ResolutionProposal.objects.get()
    assert (proposal.kind, str(proposal.amount), proposal.status) == ("refund", "6999.00", "open")
    page = response.content.decode()
    assert "Awaiting the complainant" in page
    assert reverse("representation:propose", kwargs={"uuid": complaint.uuid}) not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": Kind.REFUND, "amount": "", "message": "退款。"}, replies.MSG_AMOUNT_REQUIRED),
        ({"kind": Kind.EXPLANATION, "amount": "5", "message": "说明。"}, replies.MSG_AMOUNT_NOT_REFUND),
        ({"kind": Kind.REFUND, "amount": "0", "message": "退款。"}, replies.MSG_AMOUNT_REQUIRED),
        ({"kind": Kind.REFUND, "amount": "10", "message": ""}, replies.MSG_MESSAGE_REQUIRED),
    ],
)
def test_a_bad_proposal_is_shown_again_with_the_error(rep, complaint, data, message):
    response = rep.post(detail_url(complaint, "propose"), data)

    assert response.status_code == 400
    assert english(message) in response.content.decode()
    assert not ResolutionProposal.objects.exists()


def test_a_second_proposal_while_one_waits_is_refused(rep, rep_user, complaint):
    replies.proposal_make(complaint=complaint, user=rep_user, kind=Kind.EXPLANATION, message="说明。")

    response = rep.post(detail_url(complaint, "propose"), {"kind": Kind.REPLACEMENT, "message": "换货。"}, follow=True)

    assert response.redirect_chain == [(detail_url(complaint), 302)]
    assert english(replies.MSG_ONE_OPEN) in response.content.decode()
    assert ResolutionProposal.objects.count() == 1


def test_a_proposal_is_withdrawn_once(rep, rep_user, complaint):
    proposal = replies.proposal_make(complaint=complaint, user=rep_user, kind=Kind.EXPLANATION, message="说明。")
    url = detail_url(complaint, "proposal_withdraw", proposal=proposal.uuid)

    first = rep.post(url, follow=True)
    second = rep.post(url, follow=True)

    assert english(MSG_WITHDRAWN) in first.content.decode()
    assert english(replies.MSG_PROPOSAL_CLOSED, status="Withdrawn") in second.content.decode()
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.WITHDRAWN


def test_another_complaints_proposal_is_not_found(rep, rep_user, complaint, complainant, moderator):
    other = accepted_complaint(complainant=complainant, moderator=moderator)
    proposal = replies.proposal_make(complaint=other, user=rep_user, kind=Kind.EXPLANATION, message="说明。")

    response = rep.post(detail_url(complaint, "proposal_withdraw", proposal=proposal.uuid))

    assert response.status_code == 404
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.OPEN


# Review requests -----------------------------------------------------------------------------------------------


def test_a_review_is_requested_once(rep, rep_user, complaint):
    data = {"reason": ReviewRequest.Reason.NOT_OUR_CUSTOMER, "explanation": "我们查不到这个订单号。"}

    first = rep.post(detail_url(complaint, "review_request"), data, follow=True)
    second = rep.post(detail_url(complaint, "review_request"), data, follow=True)

    assert english(MSG_REVIEW_REQUESTED) in first.content.decode()
    request = ReviewRequest.objects.get()
    assert (request.complaint, request.requested_by, request.reason) == (complaint, rep_user, "not_our_customer")
    assert second.redirect_chain == [(detail_url(complaint), 302)]
    assert english(MSG_ALREADY_OPEN) in second.content.decode()
    # The complaint itself is untouched.
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.ACCEPTED


def test_a_review_request_needs_a_reason_and_an_explanation(rep, complaint):
    response = rep.post(detail_url(complaint, "review_request"), {"reason": "because", "explanation": ""})

    assert response.status_code == 400
    assert set(response.context["review_form"].errors) == {"reason", "explanation"}
    assert not ReviewRequest.objects.exists()


# Every form: outsiders, methods, CSRF --------------------------------------------------------------------------

FORMS = {
    "reply": {"body": "回复。"},
    "propose": {"kind": Kind.EXPLANATION, "message": "说明。"},
    "review_request": {"reason": ReviewRequest.Reason.FALSE, "explanation": "不实。"},
}


def _state():
    return (MerchantReply.objects.count(), ResolutionProposal.objects.count(), ReviewRequest.objects.count())


@pytest.mark.parametrize("name", FORMS)
def test_the_forms_refuse_outsiders_wrong_methods_and_missing_csrf(request, name, complaint, other_rep, rep_user):
    url = detail_url(complaint, name)
    before = _state()

    assert Client().post(url, FORMS[name]).status_code == 302  # to the login page
    for who in ("complainant", "stranger", "moderator"):
        assert logged_in(request.getfixturevalue(who)).post(url, FORMS[name]).status_code == 403
    assert other_rep.post(url, FORMS[name]).status_code == 404
    assert logged_in(rep_user).get(url).status_code == 405
    assert logged_in(rep_user, enforce_csrf_checks=True).post(url, FORMS[name]).status_code == 403
    assert _state() == before

    assert logged_in(rep_user).post(url, FORMS[name]).status_code == 302
    assert _state() != before


def test_withdrawing_refuses_outsiders(request, complaint, other_rep, rep_user):
    proposal = replies.proposal_make(complaint=complaint, user=rep_user, kind=Kind.EXPLANATION, message="说明。")
    url = detail_url(complaint, "proposal_withdraw", proposal=proposal.uuid)

    for who in ("complainant", "stranger", "moderator"):
        assert logged_in(request.getfixturevalue(who)).post(url).status_code == 403
    assert other_rep.post(url).status_code == 404
    assert logged_in(rep_user).get(url).status_code == 405

    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.OPEN


# A representative never edits or deletes a complaint -----------------------------------------------------------


def _snapshot(complaint):
    row = Complaint.objects.filter(pk=complaint.pk).values().get()
    return row, complaint.evidence.count(), complaint.moderation_actions.count(), complaint.timeline.count()


def test_no_url_or_api_lets_a_representative_change_or_delete_a_complaint(rep, rep_user, complaint):
    proposal = replies.proposal_make(complaint=complaint, user=rep_user, kind=Kind.REFUND, amount="1", message="退款。")
    before = _snapshot(complaint)
    code, uuid = complaint.code, complaint.uuid
    pages = [
        f"/complaints/{uuid}/",
        f"/complaints/{uuid}/withdraw/",
        f"/complaints/{uuid}/consent/",
        f"/complaints/{uuid}/answer/",
        f"/complaints/{uuid}/evidence/",
        f"/complaints/{uuid}/proposals/{proposal.uuid}/accept/",
        f"/complaints/{uuid}/proposals/{proposal.uuid}/reject/",
        f"/moderation/complaints/{code}/accept/",
        f"/moderation/complaints/{code}/reject/",
        f"/moderation/complaints/{code}/close/",
        f"/moderation/complaints/{code}/redaction/",
        f"/business/complaints/{uuid}/",
        f"/business/complaints/{uuid}/reply/",
    ]
    apis = [
        f"/api/v1/complaints/{code}/",
        f"/api/v1/complaints/{code}/withdraw/",
        f"/api/v1/complaints/{code}/consent/",
        f"/api/v1/complaints/{code}/answer/",
        f"/api/v1/complaints/{code}/evidence/",
        f"/api/v1/moderation/complaints/{code}/close/",
        f"/api/v1/moderation/complaints/{code}/redaction/",
    ]
    data = {"outcome": "closed_explanation", "text": "改写", "consent": "0", "answer": "答", "reason": "spam"}
    api = api_client(rep_user)
    for method in ("post", "put", "patch", "delete"):
        for url in pages:
            if url.startswith("/business/") and method == "post":
                continue  # the representative's own forms add replies beside the complaint, tested above
            status = getattr(rep, method)(url, data).status_code
            assert status in {403, 404, 405}, (method, url, status)
        for url in apis:
            status = getattr(api, method)(url, data, format="json").status_code
            assert status in {403, 404, 405}, (method, url, status)

    assert _snapshot(complaint) == before
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.OPEN


def test_the_representatives_notices_lead_to_the_representatives_page(complainant, moderator):
    filed = file_complaint(complainant=complainant)
    rep_user = RepresentativeFactory(merchant=filed.merchant).user
    workflow.complaint_accept(complaint=filed, moderator=moderator)

    page = logged_in(rep_user).get(reverse("complaints:notices")).content.decode()

    assert f'href="{detail_url(filed)}"' in page
    assert f'href="{reverse("complaints:detail", kwargs={"uuid": filed.uuid})}"' not in page
