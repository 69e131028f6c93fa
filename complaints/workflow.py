"""Moderation services: the complaint's life after filing, one function per transition.

Each runs in a transaction with the complaint's row locked, checks the transition is allowed from the state it
finds (two moderators acting at once: the second finds the first one's result and is told), records who did
what with the before and after (ModerationAction, append-only) and the complainant's timeline, keeps the
merchant's totals right and notifies the complainant on site and by email, in their language.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, ModerationAction, Notification, ResolutionProposal, TimelineEvent
from complaints.notifications import notification_create
from complaints.redaction import redact
from complaints.rollups import rollup_status_changed
from complaints.services import REDACTION_FIELDS, redaction_known
from complaints.signals import complaint_status_changed
from merchants.selectors import representative_user_ids

Status = Complaint.Status

MSG_NOT_ALLOWED = _("This complaint is “%(status)s”: it cannot be %(action)s now.")
MSG_CLAIMED = _("%(moderator)s is working on this complaint.")
MSG_REASON_REQUIRED = _("Choose the reason for rejecting it.")
MSG_QUESTION_REQUIRED = _("Write the question the complainant should answer.")
MSG_ANSWER_REQUIRED = _("Write your answer.")
MSG_NOT_MODERATOR = _("Only moderators can do this.")
MSG_NOT_YOURS = _("Only the person who filed this complaint can do this.")
MSG_READ_BEFORE_PUBLISHING = _("Accepting it publishes its redacted account: open it and check the text first.")
MSG_NOT_THIS_COMPLAINT = _("This proposal is not about this complaint.")

OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO})
CLOSURES = frozenset({
    Status.CLOSED_MONETARY_RELIEF, Status.CLOSED_NON_MONETARY_RELIEF, Status.CLOSED_EXPLANATION, Status.UNRESOLVED,
})  # fmt: skip


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    label: object  # what the action is called in the refusal message


TRANSITIONS = {
    "review": Transition(frozenset({Status.SUBMITTED}), Status.IN_REVIEW, _("taken into review")),
    "request_info": Transition(
        frozenset({Status.SUBMITTED, Status.IN_REVIEW}), Status.NEEDS_INFO, _("sent back with a question")
    ),
    "answer": Transition(frozenset({Status.NEEDS_INFO}), Status.IN_REVIEW, _("answered")),
    "accept": Transition(frozenset({Status.SUBMITTED, Status.IN_REVIEW}), Status.ACCEPTED, _("accepted")),
    "reject": Transition(OPEN, Status.REJECTED, _("rejected")),
    **{status: Transition(frozenset({Status.ACCEPTED}), status, _("closed")) for status in sorted(CLOSURES)},
    "withdraw": Transition(OPEN | {Status.ACCEPTED}, Status.WITHDRAWN, _("withdrawn")),
}


class TransitionError(Exception):
    """A moderation step that cannot be taken now (HTTP 409 in the API, a message on the page)."""

    code = "invalid_transition"

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=complaint.pk)


def _claim_live(complaint: Complaint) -> bool:
    return bool(
        complaint.claimed_by_id and complaint.claimed_at
        and complaint.claimed_at > timezone.now() - settings.MODERATION_CLAIM_TTL
    )  # fmt: skip


def _check_moderator(user, complaint: Complaint) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise TransitionError(MSG_NOT_MODERATOR)
    if _claim_live(complaint) and complaint.claimed_by_id != user.pk:
        raise TransitionError(MSG_CLAIMED % {"moderator": complaint.claimed_by.email})


def _check_complainant(user, complaint: Complaint) -> None:
    """The complainant's own steps. An imported complaint is filed under the importer's account, who must not
    answer, withdraw or consent for the victims."""
    if complaint.complainant_id != user.pk or complaint.source:
        raise TransitionError(MSG_NOT_YOURS)


def _snapshot(complaint: Complaint) -> dict:
    return {
        "status": complaint.status,
        "reject_reason": complaint.reject_reason,
        "claimed_by": complaint.claimed_by_id,
    }


def _audit(*, complaint: Complaint, actor, action: str, before: dict, after: dict, note: str = "") -> None:
    ModerationAction.objects.create(
        complaint=complaint, actor=actor, action=action, before=before, after=after, note=note
    )


def _move(complaint: Complaint, name: str, *, actor, note: str = "", **fields) -> Complaint:
    """The shared part of every transition: check, change, count, tell the complainant."""
    transition = TRANSITIONS[name]
    if complaint.status not in transition.sources:
        raise TransitionError(MSG_NOT_ALLOWED % {"status": complaint.get_status_display(), "action": transition.label})
    old = complaint.status
    complaint.status = transition.target
    for field, value in fields.items():
        setattr(complaint, field, value)
    complaint.save(update_fields=["status", *fields, "updated_at"])
    if old == Status.ACCEPTED:
        # A complaint closed or withdrawn can no longer be settled: an offer still waiting lapses with it.
        complaint.proposals.filter(status=ResolutionProposal.Status.OPEN).update(
            status=ResolutionProposal.Status.WITHDRAWN, decided_at=timezone.now()
        )
    rollup_status_changed(complaint=complaint, old_status=old)
    complaint_status_changed.send(sender=Complaint, complaint=complaint, old_status=old)
    TimelineEvent.objects.create(
        complaint=complaint,
        kind=TimelineEvent.Kind.STATUS_CHANGED,
        actor=actor,
        data={"from": old, "to": complaint.status, "note": note, "reason": complaint.reject_reason},
    )
    if actor.pk != complaint.complainant_id:
        _notify(complaint, note)
    return complaint


def _notify(complaint: Complaint, message: str) -> None:
    notification_create(
        user_id=complaint.complainant_id, complaint=complaint, kind=Notification.Kind.STATUS, message=message
    )


def _moderated(name: str, *, complaint: Complaint, moderator, note: str = "", **fields) -> Complaint:
    complaint = _locked(complaint)
    _check_moderator(moderator, complaint)
    before = _snapshot(complaint)
    # Acting on a case ends the actor's claim on it.
    if complaint.claimed_by_id == moderator.pk:
        fields.update(claimed_by=None, claimed_at=None)
    _move(complaint, name, actor=moderator, note=note, **fields)
    _audit(complaint=complaint, actor=moderator, action=name, before=before, after=_snapshot(complaint), note=note)
    return complaint


@transaction.atomic
def complaint_review_start(*, complaint: Complaint, moderator) -> Complaint:
    return _moderated("review", complaint=complaint, moderator=moderator)


@transaction.atomic
def complaint_request_info(*, complaint: Complaint, moderator, question: str) -> Complaint:
    if not (question or "").strip():
        raise TransitionError(MSG_QUESTION_REQUIRED)
    return _moderated("request_info", complaint=complaint, moderator=moderator, note=question.strip())


@transaction.atomic
def complaint_accept(*, complaint: Complaint, moderator, note: str = "") -> Complaint:
    """Accept it: the merchant's reply clock starts (settings.MERCHANT_REPLY_DAYS) and its representatives are
    told there is a complaint to answer."""
    due = timezone.now() + timedelta(days=settings.MERCHANT_REPLY_DAYS)
    complaint = _moderated(
        "accept", complaint=complaint, moderator=moderator, note=(note or "").strip(), reply_due_at=due
    )
    link = reverse("representation:detail", kwargs={"uuid": complaint.uuid})
    for user_id in representative_user_ids(merchant=complaint.merchant):
        notification_create(user_id=user_id, complaint=complaint, kind=Notification.Kind.NEW_COMPLAINT, link=link)
    return complaint


@transaction.atomic
def complaint_reject(*, complaint: Complaint, moderator, reason: str, note: str = "") -> Complaint:
    if reason not in Complaint.RejectReason.values:
        raise TransitionError(MSG_REASON_REQUIRED)
    return _moderated(
        "reject", complaint=complaint, moderator=moderator, note=(note or "").strip(), reject_reason=reason
    )


@transaction.atomic
def complaint_close(*, complaint: Complaint, moderator, outcome: str, note: str = "") -> Complaint:
    """Close an accepted complaint with one of CFPB's outcomes (after the merchant's reply)."""
    if outcome not in CLOSURES:
        raise TransitionError(MSG_NOT_ALLOWED % {"status": complaint.get_status_display(), "action": _("closed")})
    return _moderated(outcome, complaint=complaint, moderator=moderator, note=(note or "").strip())


@transaction.atomic
def complaint_answer(*, complaint: Complaint, user, answer: str) -> Complaint:
    """The complainant answers a moderator's question; the complaint goes back to review."""
    complaint = _locked(complaint)
    _check_complainant(user, complaint)
    if not (answer or "").strip():
        raise TransitionError(MSG_ANSWER_REQUIRED)
    return _move(complaint, "answer", actor=user, note=answer.strip())


@transaction.atomic
def complaint_resolve_by_proposal(*, complaint: Complaint, user, proposal: ResolutionProposal) -> Complaint:
    """The complainant accepted the merchant's proposal: the complaint closes with the CFPB closure its kind maps
    to, recorded like a moderator's decision with the complainant as the actor. complaints.replies.proposal_accept
    marks the proposal accepted in the same transaction."""
    complaint = _locked(complaint)
    _check_complainant(user, complaint)
    if proposal.complaint_id != complaint.pk:
        raise TransitionError(MSG_NOT_THIS_COMPLAINT)
    before = _snapshot(complaint)
    _move(complaint, ResolutionProposal.CLOSURE[proposal.kind], actor=user)
    _audit(
        complaint=complaint,
        actor=user,
        action="resolve_by_proposal",
        before=before,
        after={**_snapshot(complaint), "proposal": str(proposal.uuid)},
    )
    return complaint


@transaction.atomic
def complaint_withdraw(*, complaint: Complaint, user) -> Complaint:
    complaint = _locked(complaint)
    _check_complainant(user, complaint)
    return _move(complaint, "withdraw", actor=user, claimed_by=None, claimed_at=None)


@transaction.atomic
def complaint_consent_set(*, complaint: Complaint, user, consent: bool) -> Complaint:
    """Give or withdraw consent to publication; withdrawing unpublishes at once (Complaint.is_public)."""
    complaint = _locked(complaint)
    _check_complainant(user, complaint)
    if complaint.consent_publish != consent:
        complaint.consent_publish = consent
        complaint.save(update_fields=["consent_publish", "updated_at"])
        TimelineEvent.objects.create(
            complaint=complaint, kind=TimelineEvent.Kind.CONSENT_CHANGED, actor=user, data={"consent": consent}
        )
    return complaint


@transaction.atomic
def complaint_claim(*, complaint: Complaint, moderator) -> Complaint:
    """Take a case so other moderators leave it alone until it is acted on, released, or the claim lapses."""
    complaint = _locked(complaint)
    _check_moderator(moderator, complaint)
    if complaint.status not in OPEN:
        raise TransitionError(MSG_NOT_ALLOWED % {"status": complaint.get_status_display(), "action": _("claimed")})
    before = _snapshot(complaint)
    complaint.claimed_by, complaint.claimed_at = moderator, timezone.now()
    complaint.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    _audit(complaint=complaint, actor=moderator, action="claim", before=before, after=_snapshot(complaint))
    return complaint


@transaction.atomic
def complaint_release(*, complaint: Complaint, moderator) -> Complaint:
    complaint = _locked(complaint)
    _check_moderator(moderator, complaint)
    if complaint.claimed_by_id == moderator.pk:
        before = _snapshot(complaint)
        complaint.claimed_by, complaint.claimed_at = None, None
        complaint.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        _audit(complaint=complaint, actor=moderator, action="release", before=before, after=_snapshot(complaint))
    return complaint


@transaction.atomic
def complaint_redaction_edit(*, complaint: Complaint, moderator, text: str) -> Complaint:
    """The moderator's corrections to the redacted account; blank resets it to the automatic redaction."""
    complaint = _locked(complaint)
    _check_moderator(moderator, complaint)
    known = redaction_known(complaint.complainant, {f: getattr(complaint, f) for f in REDACTION_FIELDS})
    text = (text or "").strip() or redact(complaint.narrative, known=known)
    if text != complaint.narrative_redacted:
        before = {"narrative_redacted": complaint.narrative_redacted}
        complaint.narrative_redacted = text
        complaint.save(update_fields=["narrative_redacted", "updated_at"])
        _audit(
            complaint=complaint,
            actor=moderator,
            action="redaction_edit",
            before=before,
            after={"narrative_redacted": text},
        )
    return complaint


def claim_is_live(complaint: Complaint) -> bool:
    return _claim_live(complaint)


def check_complainant(user, complaint: Complaint) -> None:
    """Raise TransitionError unless the user may act as the complaint's complainant (not for imported ones)."""
    _check_complainant(user, complaint)


@dataclass
class BulkOutcome:
    done: list[Complaint]
    refused: list[tuple[Complaint, str]]  # with the reason, for the moderator


def complaints_bulk(*, complaints, moderator, action: str, reason: str = "", note: str = "") -> BulkOutcome:
    """Accept or reject several complaints, each in its own transaction: one that cannot be (claimed by
    someone else, already decided) is reported and the others go through."""
    outcome = BulkOutcome(done=[], refused=[])
    for complaint in complaints:
        if action == "accept" and complaint.consent_publish:
            # Accepting publishes it: someone must have read its redacted account on the case page first.
            outcome.refused.append((complaint, str(MSG_READ_BEFORE_PUBLISHING)))
            continue
        try:
            if action == "accept":
                outcome.done.append(complaint_accept(complaint=complaint, moderator=moderator, note=note))
            else:
                outcome.done.append(
                    complaint_reject(complaint=complaint, moderator=moderator, reason=reason, note=note)
                )
        except TransitionError as error:
            outcome.refused.append((complaint, str(error.message)))
    return outcome
