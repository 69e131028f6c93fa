"""A representative who also complained about their own merchant reads that complaint like the others but cannot
answer it for the merchant: one account would otherwise settle its own complaint."""

import pytest
from django.urls import reverse

from complaints import replies
from complaints.models import Complaint, MerchantReply, ResolutionProposal
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint

pytestmark = pytest.mark.django_db

Kind = ResolutionProposal.Kind


@pytest.fixture
def own_complaint(complainant, moderator):
    """A complaint whose complainant later became an approved representative of the same merchant."""
    complaint = accepted_complaint(complainant=complainant, moderator=moderator)
    RepresentativeFactory(merchant=complaint.merchant, user=complainant)
    return complaint


def test_a_representative_cannot_settle_their_own_complaint(own_complaint, complainant):
    # Otherwise one account offers itself a refund and accepts it: the complaint is closed "with monetary relief"
    # and the merchant's record shows a reply and a settlement that never happened.
    with pytest.raises(replies.TransitionError) as error:
        replies.proposal_make(complaint=own_complaint, user=complainant, kind=Kind.REFUND, amount="1", message="退")

    assert error.value.message == replies.MSG_OWN_COMPLAINT
    assert not ResolutionProposal.objects.exists()
    assert Complaint.objects.get(pk=own_complaint.pk).status == Complaint.Status.ACCEPTED


def test_a_representative_cannot_answer_their_own_complaint_for_the_merchant(own_complaint, complainant):
    with pytest.raises(replies.TransitionError) as error:
        replies.reply_post(complaint=own_complaint, user=complainant, body="这位顾客说得都对。")

    assert error.value.message == replies.MSG_OWN_COMPLAINT
    assert not MerchantReply.objects.exists()
    assert Complaint.objects.get(pk=own_complaint.pk).first_reply_at is None


def test_the_representatives_page_offers_no_reply_or_proposal_on_their_own_complaint(
    client, own_complaint, complainant
):
    client.force_login(complainant)

    page = client.get(reverse("representation:detail", args=[own_complaint.uuid]))
    posted = client.post(
        reverse("representation:propose", args=[own_complaint.uuid]),
        {"kind": Kind.REFUND, "amount": "1", "message": "退"},
    )

    assert page.status_code == 200
    assert reverse("representation:reply", args=[own_complaint.uuid]) not in page.content.decode()
    assert reverse("representation:propose", args=[own_complaint.uuid]) not in page.content.decode()
    assert posted.status_code == 302 and not ResolutionProposal.objects.exists()


def test_another_representative_still_answers_it(own_complaint, complainant):
    other = RepresentativeFactory(merchant=own_complaint.merchant).user
    proposal = replies.proposal_make(complaint=own_complaint, user=other, kind=Kind.REFUND, amount="1", message="退")

    assert (
        replies.proposal_accept(proposal=proposal, user=complainant).status == Complaint.Status.CLOSED_MONETARY_RELIEF
    )
