"""What a merchant's representatives read when the complainant answers their proposal: the complaint's status
alone cannot say it (after a rejection it is still "Accepted")."""

import pytest
from django.utils import translation

from complaints import replies
from complaints.models import Notification, ResolutionProposal
from complaints.notifications import notification_headline
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(complainant, moderator):
    complaint = accepted_complaint(complainant=complainant, moderator=moderator)
    rep = RepresentativeFactory(merchant=complaint.merchant).user
    return replies.proposal_make(
        complaint=complaint, user=rep, kind=ResolutionProposal.Kind.REFUND, amount="10", message="退款十元。"
    )


def _answered_headline() -> str:
    notice = Notification.objects.get(kind=Notification.Kind.PROPOSAL_ANSWERED)
    with translation.override("en"):
        return notification_headline(notice)


def test_a_rejected_proposal_is_announced_as_rejected(proposal, complainant):
    replies.proposal_reject(proposal=proposal, user=complainant, reason="不够。")

    # The complaint is still "Accepted" after a rejection: the headline must not read as if the offer was.
    headline = _answered_headline()
    assert "rejected" in headline and "Accepted" not in headline


def test_an_accepted_proposal_is_announced_as_accepted_with_the_closure(proposal, complainant):
    replies.proposal_accept(proposal=proposal, user=complainant)

    headline = _answered_headline()
    assert "accepted" in headline and "Closed with monetary relief" in headline
