"""The merchant's right of reply: public replies, proposed resolutions and the complainant's answer to them, and
the reminders of the reply clock. One function per step, each in a transaction with the complaint's row locked
first (then the proposal's), so two clicks at once give one result and the second is told why not.

Who may do what: an approved representative of the complaint's merchant replies, proposes and withdraws, only
while the complaint is accepted (open); its complainant accepts or rejects an open proposal. Refusals of that
kind raise workflow.TransitionError (a message on the page, 409 in an API); bad input raises ValidationError.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import workflow
from complaints.models import Complaint, MerchantReply, Notification, ResolutionProposal, TimelineEvent
from complaints.notifications import notification_create
from complaints.redaction import redact
from complaints.services import REDACTION_FIELDS, redaction_known
from merchants.selectors import representative_merchant_ids, representative_user_ids, representatives_by_merchant

Kind = ResolutionProposal.Kind
TransitionError = workflow.TransitionError

REPLY_MAX = 5000
REASON_MAX = 2000
# Refunds up to the column's 14 digits, 2 of them decimals.
AMOUNT_MAX = Decimal("999999999999.99")
CENTS = Decimal("0.01")
# Reminders go out this long before a reply is due (and for any overdue one never reminded).
REMINDER_BEFORE = timedelta(days=3)

MSG_NOT_REPRESENTATIVE = _("Only an approved representative of this merchant can do this.")
MSG_OWN_COMPLAINT = _("You filed this complaint yourself: another representative of the merchant has to answer it.")
MSG_NOT_OPEN = _(
    "This complaint is “%(status)s”: the merchant can reply or propose a resolution only while it is accepted "
    "and not closed."
)
MSG_REPLY_REQUIRED = _("Write your reply.")
MSG_TOO_LONG = _("Write at most %(max)d characters.")
MSG_MESSAGE_REQUIRED = _("Explain your proposal to the complainant.")
MSG_KIND = _("Choose what you propose: a refund, a replacement or an explanation.")
MSG_AMOUNT_REQUIRED = _("A refund needs the amount, more than zero.")
MSG_AMOUNT_FORMAT = _("Give the amount in yuan with at most two decimals, for example 199.90.")
MSG_AMOUNT_NOT_REFUND = _("Only a refund has an amount.")
MSG_ONE_OPEN = _("This complaint already has a proposal waiting for the complainant: withdraw it first.")
MSG_PROPOSAL_CLOSED = _("This proposal is “%(status)s”: it cannot be answered or withdrawn any more.")


def _redacted(complaint: Complaint, text: str) -> str:
    """A representative's text as published: the same masks as the complaint's account, with the complainant's
    own contact values, which the merchant may know from the order."""
    known = redaction_known(complaint.complainant, {name: getattr(complaint, name) for name in REDACTION_FIELDS})
    return redact(text, known=known)


def _locked(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",)).select_related("complainant", "merchant").get(pk=complaint_id)
    )


def _locked_for_representative(complaint: Complaint, user) -> Complaint:
    complaint = _locked(complaint.pk)
    if complaint.merchant_id not in representative_merchant_ids(user=user):
        raise TransitionError(MSG_NOT_REPRESENTATIVE)
    if complaint.complainant_id == user.pk and not complaint.source:
        # One account would answer for both sides: offer itself a refund, accept it and close the complaint.
        raise TransitionError(MSG_OWN_COMPLAINT)
    if complaint.status != Complaint.Status.ACCEPTED:
        raise TransitionError(MSG_NOT_OPEN % {"status": complaint.get_status_display()})
    return complaint


def _locked_open_proposal(proposal: ResolutionProposal) -> ResolutionProposal:
    proposal = ResolutionProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ResolutionProposal.Status.OPEN:
        raise TransitionError(MSG_PROPOSAL_CLOSED % {"status": proposal.get_status_display()})
    return proposal


def _answered_by_merchant(complaint: Complaint) -> None:
    """A reply or a proposal stops the reply clock the first time."""
    if complaint.first_reply_at is None:
        complaint.first_reply_at = timezone.now()
        complaint.save(update_fields=["first_reply_at", "updated_at"])


def _representative_link(complaint: Complaint) -> str:
    return reverse("representation:detail", kwargs={"uuid": complaint.uuid})


def _notify_representatives(complaint: Complaint, kind: str, message: str = "") -> None:
    link = _representative_link(complaint)
    for user_id in representative_user_ids(merchant=complaint.merchant):
        notification_create(user_id=user_id, complaint=complaint, kind=kind, message=message, link=link)


def _text(field: str, value: str, *, required, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: ValidationError(required, code="required")})
    if len(value) > limit:
        raise ValidationError({field: ValidationError(MSG_TOO_LONG % {"max": limit}, code="max_length")})
    return value


@transaction.atomic
def reply_post(*, complaint: Complaint, user, body: str) -> MerchantReply:
    """A public reply to an accepted complaint; the complainant is told."""
    body = _text("body", body, required=MSG_REPLY_REQUIRED, limit=REPLY_MAX)
    complaint = _locked_for_representative(complaint, user)
    reply = MerchantReply.objects.create(
        complaint=complaint, author=user, body=body, body_redacted=_redacted(complaint, body)
    )
    _answered_by_merchant(complaint)
    TimelineEvent.objects.create(
        complaint=complaint, kind=TimelineEvent.Kind.MERCHANT_REPLIED, actor=user, data={"reply": str(reply.uuid)}
    )
    notification_create(
        user_id=complaint.complainant_id, complaint=complaint, kind=Notification.Kind.REPLY, message=reply.body_redacted
    )
    return reply


def _amount(kind: str, amount) -> Decimal | None:
    if kind != Kind.REFUND:
        if amount not in (None, ""):
            raise ValidationError({"amount": ValidationError(MSG_AMOUNT_NOT_REFUND, code="not_refund")})
        return None
    if amount in (None, ""):
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_REQUIRED, code="required")})
    if isinstance(amount, float):
        # Money is never a float: 0.1 + 0.2 is not 0.3.
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_FORMAT, code="format")})
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_FORMAT, code="format")}) from None
    if not value.is_finite() or value.as_tuple().exponent < -2 or value > AMOUNT_MAX:
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_FORMAT, code="format")})
    if value <= 0:
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_REQUIRED, code="required")})
    return value.quantize(CENTS)


@transaction.atomic
def proposal_make(*, complaint: Complaint, user, kind: str, amount=None, message: str) -> ResolutionProposal:
    """Offer a refund (with its amount), a replacement or an explanation; one waits for the complainant at a
    time. The first offer also counts as the merchant's reply for the clock."""
    if kind not in Kind.values:
        raise ValidationError({"kind": ValidationError(MSG_KIND, code="invalid_choice")})
    amount = _amount(kind, amount)
    message = _text("message", message, required=MSG_MESSAGE_REQUIRED, limit=REPLY_MAX)
    complaint = _locked_for_representative(complaint, user)
    if complaint.proposals.filter(status=ResolutionProposal.Status.OPEN).exists():
        raise ValidationError(MSG_ONE_OPEN, code="one_open")
    proposal = ResolutionProposal.objects.create(
        complaint=complaint,
        author=user,
        kind=kind,
        amount=amount,
        message=message,
        message_redacted=_redacted(complaint, message),
    )
    _answered_by_merchant(complaint)
    TimelineEvent.objects.create(
        complaint=complaint,
        kind=TimelineEvent.Kind.PROPOSAL_MADE,
        actor=user,
        data={"proposal": str(proposal.uuid), "kind": kind, "amount": str(amount) if amount is not None else ""},
    )
    notification_create(
        user_id=complaint.complainant_id,
        complaint=complaint,
        kind=Notification.Kind.PROPOSAL,
        message=proposal.message_redacted,
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: ResolutionProposal, user) -> ResolutionProposal:
    """The merchant takes back an offer the complainant has not answered, to make another."""
    _locked_for_representative(proposal.complaint, user)
    proposal = _locked_open_proposal(proposal)
    proposal.status = ResolutionProposal.Status.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    return proposal


def _locked_for_complainant(proposal: ResolutionProposal, user) -> tuple[Complaint, ResolutionProposal]:
    complaint = _locked(proposal.complaint_id)
    workflow.check_complainant(user, complaint)
    proposal = _locked_open_proposal(proposal)
    if complaint.status != Complaint.Status.ACCEPTED:
        raise TransitionError(MSG_PROPOSAL_CLOSED % {"status": complaint.get_status_display()})
    return complaint, proposal


def _answer(complaint: Complaint, proposal: ResolutionProposal, user, status: str, reason: str = "") -> None:
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    TimelineEvent.objects.create(
        complaint=complaint,
        kind=TimelineEvent.Kind.PROPOSAL_ANSWERED,
        actor=user,
        data={"proposal": str(proposal.uuid), "kind": proposal.kind, "answer": status, "reason": reason},
    )


@transaction.atomic
def proposal_accept(*, proposal: ResolutionProposal, user) -> Complaint:
    """The complainant accepts: the complaint closes with the closure the proposal's kind maps to
    (ResolutionProposal.CLOSURE) and the representatives are told."""
    complaint, proposal = _locked_for_complainant(proposal, user)
    _answer(complaint, proposal, user, ResolutionProposal.Status.ACCEPTED)
    complaint = workflow.complaint_resolve_by_proposal(complaint=complaint, user=user, proposal=proposal)
    _notify_representatives(complaint, Notification.Kind.PROPOSAL_ANSWERED)
    return complaint


@transaction.atomic
def proposal_reject(*, proposal: ResolutionProposal, user, reason: str = "") -> ResolutionProposal:
    """The complainant rejects: the complaint stays accepted for another offer. The reason reaches the merchant
    redacted, like everything the merchant reads of the complainant."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": ValidationError(MSG_TOO_LONG % {"max": REASON_MAX}, code="max_length")})
    complaint, proposal = _locked_for_complainant(proposal, user)
    reason = _redacted(complaint, reason)
    _answer(complaint, proposal, user, ResolutionProposal.Status.REJECTED, reason)
    _notify_representatives(complaint, Notification.Kind.PROPOSAL_ANSWERED, reason)
    return proposal


def reply_reminders_send() -> int:
    """Tell representatives about complaints due within REMINDER_BEFORE (or overdue) that have no reply yet,
    once per (representative, complaint): the REPLY_DUE notices already written are the record, read under
    the complaint's row lock so two runs at once cannot both send. Returns how many notices were written."""
    answering = representatives_by_merchant()
    if not answering:
        return 0
    due = Complaint.objects.filter(
        status=Complaint.Status.ACCEPTED,
        first_reply_at__isnull=True,
        reply_due_at__lte=timezone.now() + REMINDER_BEFORE,
        merchant_id__in=list(answering),
    )
    sent = 0
    for complaint_id, merchant_id in list(due.order_by("reply_due_at", "pk").values_list("pk", "merchant_id")):
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=complaint_id, status=Complaint.Status.ACCEPTED, first_reply_at__isnull=True)
                .first()
            )
            if complaint is None:  # replied since, or another run holds it
                continue
            reminded = set(
                Notification.objects.filter(complaint=complaint, kind=Notification.Kind.REPLY_DUE).values_list(
                    "user_id", flat=True
                )
            )
            link = _representative_link(complaint)
            for user_id in sorted(answering[merchant_id] - reminded):
                notification_create(user_id=user_id, complaint=complaint, kind=Notification.Kind.REPLY_DUE, link=link)
                sent += 1
    return sent
