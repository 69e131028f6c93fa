"""The complainant's side of the right of reply: the merchant's replies and proposals on their complaint's page,
accepting or rejecting a proposal there, the timeline's words for it, and what the public page shows."""

import pytest
from django.test import Client
from django.urls import reverse

from complaints import replies, workflow
from complaints.models import Complaint, ResolutionProposal
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint, file_complaint
from complaints.tests.test_views import english
from complaints.views import MSG_PROPOSAL_ACCEPTED, MSG_PROPOSAL_REJECTED

pytestmark = pytest.mark.django_db

Kind = ResolutionProposal.Kind
PHONE = "13987654321"


def logged_in(user, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def complaint(complainant, moderator):
    return accepted_complaint(complainant=complainant, moderator=moderator)


@pytest.fixture
def rep(complaint):
    return RepresentativeFactory(merchant=complaint.merchant).user


@pytest.fixture
def proposal(complaint, rep):
    replies.reply_post(complaint=complaint, user=rep, body=f"您好，我们已核实订单，请拨打{PHONE}联系售后。")
    return replies.proposal_make(
        complaint=complaint, user=rep, kind=Kind.REFUND, amount="6999.00", message="全额退款，三个工作日到账。"
    )


@pytest.fixture
def buyer(complainant):
    return logged_in(complainant)


def detail(complaint):
    return reverse("complaints:detail", kwargs={"uuid": complaint.uuid})


def answer_url(proposal, answer):
    return reverse(f"complaints:proposal_{answer}", kwargs={"uuid": proposal.complaint.uuid, "proposal": proposal.uuid})


def test_the_complainant_sees_the_reply_the_proposal_and_the_buttons(buyer, complaint, proposal):
    page = buyer.get(detail(complaint)).content.decode()

    assert "139****4321" in page and PHONE not in page
    assert "全额退款，三个工作日到账。" in page
    assert "CNY 6999.00" in page and "Awaiting the complainant" in page
    assert answer_url(proposal, "accept") in page and answer_url(proposal, "reject") in page
    assert "The merchant replied" in page
    assert "The merchant proposed a refund of CNY 6999.00" in page


def test_a_moderator_reading_the_page_gets_no_buttons(moderator, complaint, proposal):
    page = logged_in(moderator).get(detail(complaint)).content.decode()

    assert "全额退款，三个工作日到账。" in page
    assert answer_url(proposal, "accept") not in page


def test_the_page_takes_a_fixed_number_of_queries_whatever_was_replied(
    buyer, complaint, rep, django_assert_max_num_queries
):
    url = detail(complaint)
    buyer.get(url)
    with django_assert_max_num_queries(9) as few:
        buyer.get(url)
    for n in range(3):
        replies.reply_post(complaint=complaint, user=rep, body=f"第{n}次回复。")
        made = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="说明。")
        replies.proposal_withdraw(proposal=made, user=rep)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = buyer.get(url)
    assert len(response.context["replies"]) == 3 and len(response.context["proposals"]) == 3


def test_accepting_closes_the_complaint_and_a_second_click_is_told(buyer, complaint, proposal):
    first = buyer.post(answer_url(proposal, "accept"), follow=True)
    second = buyer.post(answer_url(proposal, "accept"), follow=True)

    assert first.redirect_chain == [(detail(complaint), 302)]
    page = first.content.decode()
    assert english(MSG_PROPOSAL_ACCEPTED, status="Closed with monetary relief") in page
    assert "Proposal accepted: Refund" in page
    assert "Closed with monetary relief" in page
    assert answer_url(proposal, "accept") not in page
    assert english(replies.MSG_PROPOSAL_CLOSED, status="Accepted") in second.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.CLOSED_MONETARY_RELIEF


def test_rejecting_keeps_the_complaint_open_and_shows_the_reason_on_the_timeline(buyer, complaint, proposal):
    response = buyer.post(answer_url(proposal, "reject"), {"reason": "金额不对。"}, follow=True)

    assert response.redirect_chain == [(detail(complaint), 302)]
    page = response.content.decode()
    assert english(MSG_PROPOSAL_REJECTED) in page
    assert "Proposal rejected: Refund" in page and "金额不对。" in page
    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.REJECTED
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.ACCEPTED


def test_a_too_long_reason_is_shown_again_with_the_error(buyer, complaint, proposal):
    response = buyer.post(answer_url(proposal, "reject"), {"reason": "不" * (replies.REASON_MAX + 1)})

    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.OPEN


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_answers_refuse_outsiders_wrong_methods_and_missing_csrf(
    request, answer, complaint, proposal, complainant, rep, moderator, stranger
):
    url = answer_url(proposal, answer)

    assert Client().post(url).status_code == 302  # to the login page
    assert logged_in(stranger).post(url).status_code == 404
    assert logged_in(rep).post(url).status_code == 404
    assert logged_in(complainant).get(url).status_code == 405
    assert logged_in(complainant, enforce_csrf_checks=True).post(url).status_code == 403
    # A moderator may read the complaint but not answer for its complainant.
    refused = logged_in(moderator).post(url, follow=True)
    assert english(workflow.MSG_NOT_YOURS) in refused.content.decode()

    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.OPEN


def test_another_complaints_proposal_is_not_found(buyer, complainant, moderator, proposal):
    mine = accepted_complaint(complainant=complainant, moderator=moderator)
    url = reverse("complaints:proposal_accept", kwargs={"uuid": mine.uuid, "proposal": proposal.uuid})

    assert buyer.post(url).status_code == 404
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.OPEN


# The public page ---------------------------------------------------------------------------------------------------


def public(complaint):
    return reverse("complaints:public_detail", kwargs={"uuid": complaint.uuid})


def test_the_public_page_shows_the_redacted_reply_and_the_outcome(client, complaint, complainant, proposal):
    replies.proposal_accept(proposal=proposal, user=complainant)

    page = client.get(public(complaint), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "您好，我们已核实订单" in page and "139****4321" in page and PHONE not in page
    assert "Closed with monetary relief" in page
    assert "The complainant accepted the merchant's offer of a refund of CNY 6999.00." in page
    assert complainant.email not in page and proposal.author.email not in page
    assert "全额退款" not in page  # the offer's message stays between the parties


def test_the_public_page_says_when_the_merchant_has_not_replied(client, complaint):
    page = client.get(public(complaint), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The merchant has not replied." in page
    assert 'id="outcome"' not in page


def test_an_explanation_accepted_is_named_as_such(client, complaint, complainant, rep):
    made = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="货已发出。")
    replies.proposal_accept(proposal=made, user=complainant)

    page = client.get(public(complaint), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Closed with explanation" in page
    assert "The complainant accepted the merchant's proposal: Explanation." in page


def test_replies_to_an_unpublished_complaint_are_not_public(client, complainant, moderator):
    private = accepted_complaint(complainant=complainant, moderator=moderator, consent_publish=False)
    rep = RepresentativeFactory(merchant=private.merchant).user
    replies.reply_post(complaint=private, user=rep, body="我们会处理。")

    assert client.get(public(private)).status_code == 404


def test_the_public_page_takes_a_fixed_number_of_queries(client, complaint, rep, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(public(complaint))
    for n in range(3):
        replies.reply_post(complaint=complaint, user=rep, body=f"第{n}次回复。")

    with django_assert_max_num_queries(3):
        response = client.get(public(complaint))
    assert len(response.context["replies"]) == 3


def test_a_submitted_complaints_page_reads_no_replies(buyer, complainant):
    filed = file_complaint(complainant=complainant)
    response = buyer.get(detail(filed))

    assert response.context["replies"] == [] and response.context["proposals"] == []
