"""Reads for the merchant's right of reply: what a representative may see of their merchant's complaints, the
replies and proposals beside a complaint, and the part of them anyone may read. Outsiders get 404."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from complaints.models import (
    ACCEPTED_STATUSES,
    PUBLIC_STATUSES,
    Complaint,
    MerchantReply,
    ResolutionProposal,
    ReviewRequest,
    TimelineEvent,
)
from merchants import identifiers
from merchants.models import Merchant
from merchants.selectors import (
    merchant_get,
    merchant_group_ids,
    merchant_root,
    merchants_by_ids,
    representative_merchant_ids,
)

Status = Complaint.Status


def representative_ids_or_403(*, user) -> set[int]:
    """The merchants the user answers for; a user who answers for none may not use the representatives' pages."""
    merchant_ids = representative_merchant_ids(user=user)
    if not merchant_ids:
        raise PermissionDenied
    return merchant_ids


def represented_merchants(*, user) -> list[Merchant]:
    """The active merchants the user answers for, by name (merged-in ones are answered for through their root)."""
    merchants = merchants_by_ids(representative_ids_or_403(user=user)).values()
    return sorted((m for m in merchants if not m.merged_into_id), key=lambda merchant: (merchant.name, merchant.pk))


def _for_representative(merchant_ids) -> QuerySet[Complaint]:
    # Only complaints a moderator accepted: submitted, rejected or withdrawn ones were never checked.
    return Complaint.objects.filter(merchant_id__in=merchant_ids, status__in=ACCEPTED_STATUSES)


def complaint_get_for_representative(*, user, uuid) -> Complaint:
    """A complaint of a merchant the user answers for, accepted or later; 403 for someone who answers for no
    merchant, 404 for anything else."""
    merchant_ids = representative_ids_or_403(user=user)
    complaint = _for_representative(merchant_ids).select_related("merchant", "complainant").filter(uuid=uuid).first()
    if complaint is None:
        raise Http404
    return complaint


def merchant_get_for_representative(*, user, uuid) -> Merchant:
    """A merchant the user answers for, by its public id (its root when merged); 403 or 404 otherwise."""
    merchant_ids = representative_ids_or_403(user=user)
    merchant = merchant_root(merchant_get(uuid=uuid))
    if merchant.pk not in merchant_ids:
        raise Http404
    return merchant


def merchant_complaints_for_representative(*, merchant: Merchant) -> QuerySet[Complaint]:
    """The merchant group's accepted-or-later complaints: those still waiting for a first reply first, the
    soonest due (so the overdue) at the top; then the answered and closed ones, newest first."""
    waiting = Case(
        When(status=Status.ACCEPTED, first_reply_at__isnull=True, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    due = Case(When(status=Status.ACCEPTED, first_reply_at__isnull=True, then=F("reply_due_at")), default=None)
    return (
        _for_representative(merchant_group_ids(merchant))
        .annotate(waiting=waiting, due_order=due)
        .order_by("waiting", F("due_order").asc(nulls_last=True), "-submitted_at", "-pk")
    )


def reply_overdue(complaint: Complaint, *, now: datetime | None = None) -> bool:
    """Accepted, not answered, and past the day the reply was due."""
    return bool(
        complaint.status == Status.ACCEPTED
        and complaint.first_reply_at is None
        and complaint.reply_due_at
        and complaint.reply_due_at < (now or timezone.now())
    )


def complainant_contact(complaint: Complaint) -> str:
    """What a representative may know of who complained: a masked email ("z***@example.com") when the
    complainant did not ask to hide their identity, otherwise nothing. An imported complaint's account is the
    importer's, not the victim's: nothing either."""
    if complaint.hide_identity or complaint.source:
        return ""
    return identifiers.mask(identifiers.EMAIL, complaint.complainant.email.lower())


def complaint_replies(*, complaint: Complaint) -> list[MerchantReply]:
    return list(MerchantReply.objects.filter(complaint=complaint))


def complaint_proposals(*, complaint: Complaint) -> list[ResolutionProposal]:
    return list(ResolutionProposal.objects.filter(complaint=complaint))


def complaint_review_requests(*, complaint: Complaint) -> list[ReviewRequest]:
    return list(ReviewRequest.objects.filter(complaint=complaint))


def proposal_answers(*, complaint: Complaint) -> dict[str, dict]:
    """The complainant's answer to each proposal (accepted or rejected, and the redacted reason), by proposal
    uuid, from the timeline."""
    events = TimelineEvent.objects.filter(complaint=complaint, kind=TimelineEvent.Kind.PROPOSAL_ANSWERED)
    return {event.data.get("proposal", ""): event.data for event in events}


def proposal_get(*, complaint: Complaint, uuid) -> ResolutionProposal:
    """One proposal of a complaint the caller already fetched with its permission check; 404 for another's."""
    proposal = ResolutionProposal.objects.filter(complaint=complaint, uuid=uuid).first()
    if proposal is None:
        raise Http404
    return proposal


# What anyone may read -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicReply:
    """A published reply: its redacted text and date, never who wrote it."""

    body: str
    created_at: datetime


@dataclass(frozen=True)
class PublicResolution:
    """The offer the complainant accepted, which closed the complaint."""

    kind: str
    kind_display: str
    amount: Decimal | None


def _published(complaint_uuid) -> dict:
    return {
        "complaint__uuid": complaint_uuid,
        "complaint__consent_publish": True,
        "complaint__status__in": PUBLIC_STATUSES,
    }


def public_replies(*, complaint_uuid) -> list[PublicReply]:
    """The replies beside a published complaint, oldest first (empty for a complaint that is not public)."""
    rows = MerchantReply.objects.filter(**_published(complaint_uuid)).values_list("body_redacted", "created_at")
    return [PublicReply(body=body, created_at=created_at) for body, created_at in rows]


def public_resolution(*, complaint_uuid) -> PublicResolution | None:
    """The accepted offer that closed a published complaint, if one did."""
    row = (
        ResolutionProposal.objects.filter(**_published(complaint_uuid), status=ResolutionProposal.Status.ACCEPTED)
        .values("kind", "amount")
        .first()
    )
    if row is None:
        return None
    return PublicResolution(
        kind=row["kind"], kind_display=ResolutionProposal.Kind(row["kind"]).label, amount=row["amount"]
    )
