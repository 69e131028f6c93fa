"""Two clicks at once on one proposal give one result: the complaint's row lock orders them and the second is
told why it cannot be done. In separate threads and connections (transaction=True).

On PostgreSQL the second really waits on the first one's lock (held open until it does); SQLite serialises
writers, so there the same outcome is asserted with the two taking turns.
"""

import threading

import pytest
from django.db import connection

from complaints import replies
from complaints.models import Complaint, MerchantStats, ModerationAction, Notification, ResolutionProposal
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint
from complaints.tests.test_rollups_concurrency import finished, in_thread, wait_for_lock_waiter
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def proposal():
    complaint = accepted_complaint(complainant=UserFactory(), moderator=UserFactory(role=User.Role.MODERATOR))
    rep = RepresentativeFactory(merchant=complaint.merchant).user
    return replies.proposal_make(
        complaint=complaint, user=rep, kind=ResolutionProposal.Kind.REFUND, amount="6999.00", message="全额退款。"
    )


def race(monkeypatch, first, second):
    """Run `first` until it has answered the proposal under its locks, start `second`, let `first` commit once
    `second` waits; return both outcomes."""
    answered, go = threading.Event(), threading.Event()
    real_answer = replies._answer

    def answer_then_hold(*args, **kwargs):
        real_answer(*args, **kwargs)
        if connection.vendor == "postgresql" and not answered.is_set():
            answered.set()
            assert go.wait(timeout=20)

    monkeypatch.setattr(replies, "_answer", answer_then_hold)
    if connection.vendor == "postgresql":
        one = in_thread(first)
        assert answered.wait(timeout=20)
        two = in_thread(second)
        wait_for_lock_waiter()
        go.set()
    else:
        one = in_thread(first)
        finished(*one)
        two = in_thread(second)
    outcomes = []
    for thread, outcome in (one, two):
        thread.join(timeout=30)
        assert not thread.is_alive()
        outcomes.append(outcome)
    return outcomes


def test_two_accepts_at_once_close_the_complaint_once(monkeypatch, proposal):
    complainant = proposal.complaint.complainant

    def accept():
        return replies.proposal_accept(proposal=proposal, user=complainant).status

    first, second = race(monkeypatch, accept, accept)

    assert first == {"value": Complaint.Status.CLOSED_MONETARY_RELIEF}
    assert isinstance(second["error"], replies.TransitionError)
    assert second["error"].message == replies.MSG_PROPOSAL_CLOSED % {"status": ResolutionProposal.Status.ACCEPTED.label}
    assert ModerationAction.objects.filter(action="resolve_by_proposal").count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.PROPOSAL_ANSWERED).count() == 1
    stats = MerchantStats.objects.get(merchant_id=proposal.complaint.merchant_id)
    assert stats.by_status == {Complaint.Status.CLOSED_MONETARY_RELIEF: 1}


def test_a_withdrawal_while_the_complainant_accepts_is_refused(monkeypatch, proposal):
    complainant = proposal.complaint.complainant
    rep = proposal.author

    first, second = race(
        monkeypatch,
        lambda: replies.proposal_accept(proposal=proposal, user=complainant).status,
        lambda: replies.proposal_withdraw(proposal=proposal, user=rep).status,
    )

    assert first == {"value": Complaint.Status.CLOSED_MONETARY_RELIEF}
    assert isinstance(second["error"], replies.TransitionError)
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.ACCEPTED
