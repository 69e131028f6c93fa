"""The right of reply's services: the reply clock started on acceptance, replies, proposals and the complainant's
answer to them, each refused to whoever may not take it and when it can no longer be taken."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints import replies, workflow
from complaints.models import (
    Complaint,
    MerchantReply,
    MerchantStats,
    ModerationAction,
    Notification,
    ResolutionProposal,
    TimelineEvent,
)
from complaints.rollups import recount
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint, file_complaint
from merchants.models import Representative
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = ResolutionProposal.Kind
Kinds = Notification.Kind


@pytest.fixture
def complaint(complainant, moderator):
    return accepted_complaint(complainant=complainant, moderator=moderator)


@pytest.fixture
def rep(complaint):
    return RepresentativeFactory(merchant=complaint.merchant).user


def notices(kind, user=None):
    rows = Notification.objects.filter(kind=kind)
    return rows.filter(user=user) if user is not None else rows


def message_of(error) -> list[str]:
    return [str(message) for message in error.value.messages]


# The reply clock ---------------------------------------------------------------------------------------------------


def test_accepting_starts_the_clock_and_tells_every_approved_representative(complainant, moderator, settings):
    settings.MERCHANT_REPLY_DAYS = 7
    filed = file_complaint(complainant=complainant)
    first, second = RepresentativeFactory(merchant=filed.merchant), RepresentativeFactory(merchant=filed.merchant)
    RepresentativeFactory(merchant=filed.merchant, status=Representative.Status.PENDING)
    RepresentativeFactory(merchant=filed.merchant, status=Representative.Status.REVOKED)
    RepresentativeFactory(merchant=MerchantFactory())
    assert filed.reply_due_at is None
    before = timezone.now()

    complaint = workflow.complaint_accept(complaint=filed, moderator=moderator)

    complaint.refresh_from_db()
    assert before + timedelta(days=7) <= complaint.reply_due_at <= timezone.now() + timedelta(days=7)
    assert complaint.first_reply_at is None
    told = notices(Kinds.NEW_COMPLAINT)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([first.user_id, second.user_id])
    assert {n.link for n in told} == {reverse("representation:detail", kwargs={"uuid": complaint.uuid})}
    assert all(n.status == Complaint.Status.ACCEPTED for n in told)


def test_a_representative_of_a_merchant_merged_into_the_complaints_one_is_told(complainant, moderator):
    filed = file_complaint(complainant=complainant)
    merged = MerchantFactory()
    rep = RepresentativeFactory(merchant=merged)
    merchant_merge(source=merged, target=filed.merchant, reason="Same company", actor=moderator)

    workflow.complaint_accept(complaint=filed, moderator=moderator)

    assert list(notices(Kinds.NEW_COMPLAINT).values_list("user_id", flat=True)) == [rep.user_id]


def test_bulk_acceptance_starts_the_clock_too(complainant, moderator):
    filed = [file_complaint(complainant=complainant, consent_publish=False) for _ in range(2)]
    rep = RepresentativeFactory(merchant=filed[0].merchant)

    outcome = workflow.complaints_bulk(complaints=filed, moderator=moderator, action="accept")

    assert len(outcome.done) == 2
    assert all(Complaint.objects.get(pk=c.pk).reply_due_at for c in filed)
    assert notices(Kinds.NEW_COMPLAINT, rep.user).count() == 2


def test_rejecting_starts_no_clock_and_tells_no_representative(complainant, moderator):
    filed = file_complaint(complainant=complainant)
    RepresentativeFactory(merchant=filed.merchant)

    workflow.complaint_reject(complaint=filed, moderator=moderator, reason="spam")

    filed.refresh_from_db()
    assert filed.reply_due_at is None
    assert not notices(Kinds.NEW_COMPLAINT).exists()


# Replies -----------------------------------------------------------------------------------------------------------


def test_a_reply_is_redacted_stops_the_clock_once_and_tells_the_complainant(complaint, rep, complainant):
    body = f"您好，已联系快递核实。如需帮助请联系 {complainant.email} 或 13812345678。"

    reply = replies.reply_post(complaint=complaint, user=rep, body=f"  {body}  ")

    complaint.refresh_from_db()
    assert reply.body == body
    assert "13812345678" not in reply.body_redacted and "138****5678" in reply.body_redacted
    assert complainant.email not in reply.body_redacted
    first = complaint.first_reply_at
    assert first is not None
    event = complaint.timeline.get(kind=TimelineEvent.Kind.MERCHANT_REPLIED)
    assert event.actor == rep and event.data == {"reply": str(reply.uuid)}
    told = notices(Kinds.REPLY, complainant).get()
    assert told.message == reply.body_redacted
    assert told.link == ""  # the complainant's own page

    replies.reply_post(complaint=complaint, user=rep, body="补充：退款已经提交。")

    complaint.refresh_from_db()
    assert complaint.first_reply_at == first
    assert MerchantReply.objects.filter(complaint=complaint).count() == 2


@pytest.mark.parametrize("body", ["", "   "])
def test_a_reply_needs_text(complaint, rep, body):
    with pytest.raises(ValidationError) as error:
        replies.reply_post(complaint=complaint, user=rep, body=body)

    assert error.value.message_dict == {"body": [str(replies.MSG_REPLY_REQUIRED)]}
    assert not MerchantReply.objects.exists()


def test_a_reply_has_a_length_limit(complaint, rep):
    with pytest.raises(ValidationError) as error:
        replies.reply_post(complaint=complaint, user=rep, body="好" * (replies.REPLY_MAX + 1))

    assert error.value.message_dict == {"body": [str(replies.MSG_TOO_LONG % {"max": replies.REPLY_MAX})]}


def test_only_an_approved_representative_of_the_merchant_replies(complaint, complainant, moderator, stranger):
    other = RepresentativeFactory(merchant=MerchantFactory()).user
    pending = RepresentativeFactory(merchant=complaint.merchant, status=Representative.Status.PENDING).user

    for user in (complainant, moderator, stranger, other, pending):
        with pytest.raises(workflow.TransitionError) as error:
            replies.reply_post(complaint=complaint, user=user, body="我们会处理。")
        assert error.value.message == replies.MSG_NOT_REPRESENTATIVE

    assert not MerchantReply.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).first_reply_at is None


def test_no_reply_before_acceptance_or_after_closure(complainant, moderator):
    filed = file_complaint(complainant=complainant)
    rep = RepresentativeFactory(merchant=filed.merchant).user

    with pytest.raises(workflow.TransitionError):
        replies.reply_post(complaint=filed, user=rep, body="我们会处理。")

    workflow.complaint_accept(complaint=filed, moderator=moderator)
    workflow.complaint_close(complaint=filed, moderator=moderator, outcome=Complaint.Status.UNRESOLVED)
    with pytest.raises(workflow.TransitionError) as error:
        replies.reply_post(complaint=filed, user=rep, body="我们会处理。")

    assert error.value.message == replies.MSG_NOT_OPEN % {"status": Complaint.Status.UNRESOLVED.label}
    assert not MerchantReply.objects.exists()


# Proposals ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        (Kind.REFUND, "199.9", Decimal("199.90")),
        (Kind.REFUND, Decimal("6999.00"), Decimal("6999.00")),
        (Kind.REFUND, 50, Decimal("50.00")),
        (Kind.REPLACEMENT, None, None),
        (Kind.EXPLANATION, "", None),
    ],
)
def test_a_proposal_is_recorded_with_its_amount_in_cents(complaint, rep, complainant, kind, amount, expected):
    proposal = replies.proposal_make(
        complaint=complaint, user=rep, kind=kind, amount=amount, message="我们同意全额退款，三个工作日内到账。"
    )

    assert proposal.status == ResolutionProposal.Status.OPEN
    assert proposal.amount == expected
    assert proposal.message_redacted == proposal.message
    event = complaint.timeline.get(kind=TimelineEvent.Kind.PROPOSAL_MADE)
    assert event.data == {"proposal": str(proposal.uuid), "kind": kind, "amount": str(expected) if expected else ""}
    assert notices(Kinds.PROPOSAL, complainant).get().message == proposal.message_redacted
    # An offer is an answer: the clock stops.
    assert Complaint.objects.get(pk=complaint.pk).first_reply_at is not None


@pytest.mark.parametrize(
    ("kind", "amount", "field", "message"),
    [
        (Kind.REFUND, None, "amount", replies.MSG_AMOUNT_REQUIRED),
        (Kind.REFUND, "0", "amount", replies.MSG_AMOUNT_REQUIRED),
        (Kind.REFUND, "-5.00", "amount", replies.MSG_AMOUNT_REQUIRED),
        (Kind.REFUND, "19.999", "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.REFUND, 19.99, "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.REFUND, "十元", "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.REFUND, "NaN", "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.REFUND, "Infinity", "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.REFUND, "1000000000000.00", "amount", replies.MSG_AMOUNT_FORMAT),
        (Kind.EXPLANATION, "10.00", "amount", replies.MSG_AMOUNT_NOT_REFUND),
        (Kind.REPLACEMENT, Decimal("1"), "amount", replies.MSG_AMOUNT_NOT_REFUND),
        ("voucher", None, "kind", replies.MSG_KIND),
    ],
)
def test_a_proposal_is_refused_with_the_reason(complaint, rep, kind, amount, field, message):
    with pytest.raises(ValidationError) as error:
        replies.proposal_make(complaint=complaint, user=rep, kind=kind, amount=amount, message="我们同意退款。")

    assert error.value.message_dict == {field: [str(message)]}
    assert not ResolutionProposal.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).first_reply_at is None


def test_a_proposal_needs_a_message(complaint, rep):
    with pytest.raises(ValidationError) as error:
        replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message=" ")

    assert error.value.message_dict == {"message": [str(replies.MSG_MESSAGE_REQUIRED)]}


def test_one_proposal_waits_at_a_time_until_withdrawn(complaint, rep):
    first = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="货已发出。")

    with pytest.raises(ValidationError) as error:
        replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款十元。")
    assert message_of(error) == [str(replies.MSG_ONE_OPEN)]

    withdrawn = replies.proposal_withdraw(proposal=first, user=rep)
    second = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款十元。")

    assert withdrawn.status == ResolutionProposal.Status.WITHDRAWN and withdrawn.decided_at
    assert second.status == ResolutionProposal.Status.OPEN


def test_only_the_merchants_representative_proposes_or_withdraws(complaint, rep, complainant, moderator):
    other = RepresentativeFactory(merchant=MerchantFactory()).user
    for user in (complainant, moderator, other):
        with pytest.raises(workflow.TransitionError):
            replies.proposal_make(complaint=complaint, user=user, kind=Kind.EXPLANATION, message="说明。")
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="说明。")

    for user in (complainant, moderator, other):
        with pytest.raises(workflow.TransitionError):
            replies.proposal_withdraw(proposal=proposal, user=user)

    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.OPEN


@pytest.mark.parametrize(
    ("kind", "amount", "closure"),
    [
        (Kind.REFUND, "6999.00", Complaint.Status.CLOSED_MONETARY_RELIEF),
        (Kind.REPLACEMENT, None, Complaint.Status.CLOSED_NON_MONETARY_RELIEF),
        (Kind.EXPLANATION, None, Complaint.Status.CLOSED_EXPLANATION),
    ],
)
def test_accepting_a_proposal_closes_the_complaint_with_its_closure(complaint, rep, complainant, kind, amount, closure):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=kind, amount=amount, message="处理方案。")
    status_notices = notices(Kinds.STATUS, complainant).count()

    closed = replies.proposal_accept(proposal=proposal, user=complainant)

    assert closed.status == closure == Complaint.objects.get(pk=complaint.pk).status
    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.ACCEPTED and proposal.decided_at
    kinds = list(complaint.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == [TimelineEvent.Kind.PROPOSAL_ANSWERED, TimelineEvent.Kind.STATUS_CHANGED]
    moved = complaint.timeline.filter(kind=TimelineEvent.Kind.STATUS_CHANGED).last()
    assert moved.actor == complainant and moved.data["to"] == closure
    audit = ModerationAction.objects.filter(complaint=complaint).last()
    assert (audit.action, audit.actor, audit.before["status"]) == ("resolve_by_proposal", complainant, "accepted")
    assert audit.after == {"status": closure, "reject_reason": "", "claimed_by": None, "proposal": str(proposal.uuid)}
    # The merchant's totals follow, as for any transition.
    stats = MerchantStats.objects.get(merchant=complaint.merchant)
    assert stats.by_status == {closure: 1}
    assert recount([complaint.merchant_id])[0][complaint.merchant_id]["by_status"] == {closure: 1}
    answered = notices(Kinds.PROPOSAL_ANSWERED).get()
    assert answered.user == rep and answered.status == closure
    assert answered.link == reverse("representation:detail", kwargs={"uuid": complaint.uuid})
    # The complainant did it: no notice to themselves.
    assert notices(Kinds.STATUS, complainant).count() == status_notices


def test_a_proposal_is_answered_once(complaint, rep, complainant):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款。")
    replies.proposal_accept(proposal=proposal, user=complainant)

    for answer in (replies.proposal_accept, replies.proposal_reject):
        with pytest.raises(workflow.TransitionError) as error:
            answer(proposal=proposal, user=complainant)
        assert error.value.message == replies.MSG_PROPOSAL_CLOSED % {"status": ResolutionProposal.Status.ACCEPTED.label}
    with pytest.raises(workflow.TransitionError):
        replies.proposal_withdraw(proposal=proposal, user=rep)

    assert ModerationAction.objects.filter(action="resolve_by_proposal").count() == 1
    assert notices(Kinds.PROPOSAL_ANSWERED).count() == 1


def test_only_the_complainant_answers_a_proposal(complaint, rep, moderator, stranger):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款。")

    for user in (rep, moderator, stranger):
        for answer in (replies.proposal_accept, replies.proposal_reject):
            with pytest.raises(workflow.TransitionError) as error:
                answer(proposal=proposal, user=user)
            assert error.value.message == workflow.MSG_NOT_YOURS

    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.OPEN
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.ACCEPTED


def test_an_imported_complaint_cannot_be_settled_by_the_account_that_imported_it(moderator):
    importer = UserFactory(role="moderator")
    imported = file_complaint(complainant=importer, source="维权群名单", source_row="7", complainant_ref="张三")
    workflow.complaint_accept(complaint=imported, moderator=moderator)
    rep = RepresentativeFactory(merchant=imported.merchant).user
    proposal = replies.proposal_make(complaint=imported, user=rep, kind=Kind.REFUND, amount="10", message="退款。")

    with pytest.raises(workflow.TransitionError) as error:
        replies.proposal_accept(proposal=proposal, user=importer)

    assert error.value.message == workflow.MSG_NOT_YOURS
    assert Complaint.objects.get(pk=imported.pk).status == Complaint.Status.ACCEPTED


def test_rejecting_leaves_the_complaint_open_and_tells_the_merchant_the_redacted_reason(complaint, rep, complainant):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款十元。")

    replies.proposal_reject(proposal=proposal, user=complainant, reason="只退十元不够，请打13812345678联系我。")

    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.REJECTED and proposal.decided_at
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.ACCEPTED
    told = notices(Kinds.PROPOSAL_ANSWERED, rep).get()
    assert "13812345678" not in told.message and "138****5678" in told.message
    event = complaint.timeline.get(kind=TimelineEvent.Kind.PROPOSAL_ANSWERED)
    assert event.data["answer"] == "rejected" and event.data["reason"] == told.message
    # Another offer may follow.
    replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="6999", message="全额退款。")


def test_a_rejection_reason_has_a_length_limit(complaint, rep, complainant):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="说明。")

    with pytest.raises(ValidationError) as error:
        replies.proposal_reject(proposal=proposal, user=complainant, reason="不" * (replies.REASON_MAX + 1))

    assert list(error.value.message_dict) == ["reason"]


def test_an_open_proposal_lapses_when_a_moderator_closes_the_complaint(complaint, rep, complainant, moderator):
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.REFUND, amount="10", message="退款。")
    workflow.complaint_close(complaint=complaint, moderator=moderator, outcome=Complaint.Status.UNRESOLVED)

    proposal.refresh_from_db()
    assert proposal.status == ResolutionProposal.Status.WITHDRAWN
    assert proposal.decided_at is not None
    with pytest.raises(workflow.TransitionError) as error:
        replies.proposal_accept(proposal=proposal, user=complainant)

    assert error.value.message == replies.MSG_PROPOSAL_CLOSED % {"status": ResolutionProposal.Status.WITHDRAWN.label}
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.UNRESOLVED


def test_resolving_by_another_complaints_proposal_is_refused(complainant, moderator, rep, complaint):
    other = accepted_complaint(complainant=complainant, moderator=moderator)
    proposal = replies.proposal_make(complaint=complaint, user=rep, kind=Kind.EXPLANATION, message="说明。")

    with pytest.raises(workflow.TransitionError) as error:
        workflow.complaint_resolve_by_proposal(complaint=other, user=complainant, proposal=proposal)

    assert error.value.message == workflow.MSG_NOT_THIS_COMPLAINT
    assert Complaint.objects.get(pk=other.pk).status == Complaint.Status.ACCEPTED
