"""A merchant's representative asks moderators to review a complaint (not our customer, false, defamatory,
already resolved). A request changes nothing by itself: a moderator who upholds it then acts through the normal
moderation workflow (complaints.workflow), which audits the change. Beside every request moderators see how many
its requester made and how many were dismissed, so a representative who uses them to bury complaints shows."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, ReviewRequest
from merchants.selectors import representative_merchant_ids

EXPLANATION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000

MSG_NOT_REPRESENTATIVE = _("Only an approved representative of this complaint's merchant can ask for a review.")
MSG_ALREADY_OPEN = _("A review of this complaint has already been requested and is waiting for a moderator.")
MSG_REASON_INVALID = _("Choose one of the reasons.")
MSG_EXPLANATION_REQUIRED = _("Explain why the complaint should be reviewed.")
MSG_EXPLANATION_TOO_LONG = _("The explanation is too long (at most %(limit)d characters).")
MSG_NOTE_TOO_LONG = _("The note is too long (at most %(limit)d characters).")
MSG_DECIDED = _("This review request has already been decided.")
MSG_MODERATORS_ONLY = _("Only moderators decide review requests.")

NOT_REPRESENTATIVE = "not_representative"
ALREADY_OPEN = "already_open"
DECIDED = "decided"


def _field_error(field: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


@transaction.atomic
def review_request_create(*, complaint: Complaint, user, reason: str, explanation: str) -> ReviewRequest:
    """Ask moderators to review a complaint against a merchant the user represents; one open request per
    complaint. Errors are ValidationErrors: reason and explanation keyed by field, the rest without a field."""
    if reason not in ReviewRequest.Reason.values:
        raise _field_error("reason", MSG_REASON_INVALID, "invalid_choice")
    explanation = (explanation or "").strip()
    if not explanation:
        raise _field_error("explanation", MSG_EXPLANATION_REQUIRED, "required")
    if len(explanation) > EXPLANATION_MAX_LENGTH:
        raise _field_error("explanation", MSG_EXPLANATION_TOO_LONG, "max_length", limit=EXPLANATION_MAX_LENGTH)
    # The complaint's row lock orders concurrent requests, and its merchant is read as it is now (merges move it).
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.merchant_id not in representative_merchant_ids(user=user):
        raise ValidationError(MSG_NOT_REPRESENTATIVE, code=NOT_REPRESENTATIVE)
    if ReviewRequest.objects.filter(complaint=complaint, status=ReviewRequest.Status.OPEN).exists():
        raise ValidationError(MSG_ALREADY_OPEN, code=ALREADY_OPEN)
    try:
        with transaction.atomic():
            return ReviewRequest.objects.create(
                complaint=complaint, requested_by=user, reason=reason, explanation=explanation
            )
    except IntegrityError:
        raise ValidationError(MSG_ALREADY_OPEN, code=ALREADY_OPEN) from None


@transaction.atomic
def review_request_decide(*, request: ReviewRequest, moderator, upheld: bool, note: str = "") -> ReviewRequest:
    """Record a moderator's answer: upheld (they then change the complaint through the moderation workflow) or
    dismissed. Who, when and why are kept on the request."""
    if not getattr(moderator, "is_moderator", False):
        raise PermissionDenied(MSG_MODERATORS_ONLY)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise _field_error("note", MSG_NOTE_TOO_LONG, "max_length", limit=NOTE_MAX_LENGTH)
    request = ReviewRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ReviewRequest.Status.OPEN:
        raise ValidationError(MSG_DECIDED, code=DECIDED)
    request.status = ReviewRequest.Status.UPHELD if upheld else ReviewRequest.Status.DISMISSED
    request.decided_by, request.decided_at, request.note = moderator, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return request


# Reads ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequesterRecord:
    """How one representative has used review requests."""

    made: int = 0
    dismissed: int = 0
    upheld: int = 0


def review_request_records(*, user_ids) -> dict[int, RequesterRecord]:
    """Per requester: requests made, dismissed and upheld, in one query; users who made none are absent."""
    rows = (
        ReviewRequest.objects.filter(requested_by_id__in=set(user_ids))
        .values("requested_by_id")
        .annotate(
            made=Count("id"),
            dismissed=Count("id", filter=Q(status=ReviewRequest.Status.DISMISSED)),
            upheld=Count("id", filter=Q(status=ReviewRequest.Status.UPHELD)),
        )
        .order_by()
    )
    return {row["requested_by_id"]: RequesterRecord(row["made"], row["dismissed"], row["upheld"]) for row in rows}


def review_requests_for_moderators() -> QuerySet[ReviewRequest]:
    """Every request: open ones first, oldest first (a queue), then decided ones, latest decision first."""
    open_first = Case(
        When(status=ReviewRequest.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        ReviewRequest.objects.select_related("complaint__merchant", "requested_by", "decided_by")
        .annotate(open_first=open_first)
        .order_by("open_first", F("decided_at").desc(nulls_first=True), "created_at", "id")
    )


def review_request_get(*, uuid) -> ReviewRequest:
    """A request by its public id, for moderators; 404 if unknown."""
    return get_object_or_404(
        ReviewRequest.objects.select_related("complaint__merchant", "requested_by", "decided_by"), uuid=uuid
    )
