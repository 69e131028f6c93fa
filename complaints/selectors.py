"""Reads about complaints. Every fetch by a user-supplied id is permission-checked: outsiders get 404."""

from django.http import Http404
from django.utils import timezone

from complaints.models import Complaint, ComplaintDraft, Evidence


def _visible_to(user):
    if not user.is_authenticated:
        return Complaint.objects.none()
    if user.is_moderator:
        return Complaint.objects.all()
    return Complaint.objects.filter(complainant=user)


def complaint_list_for_user(*, user):
    """The user's own complaints, newest first, with their merchant and evidence (the API lists both)."""
    return _visible_to(user).filter(complainant=user).select_related("merchant").prefetch_related("evidence")


def complaint_get_for_user(*, user, uuid=None, code=None) -> Complaint:
    lookup = {"uuid": uuid} if uuid is not None else {"code": code}
    complaint = (
        _visible_to(user)
        .select_related("merchant", "merchant__platform")
        .prefetch_related("evidence", "timeline")
        .filter(**lookup)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def draft_get_for_user(*, user, uuid) -> ComplaintDraft:
    draft = ComplaintDraft.objects.filter(owner=user, uuid=uuid).first() if user.is_authenticated else None
    if draft is None:
        raise Http404
    return draft


def draft_latest_for_user(*, user) -> ComplaintDraft | None:
    """The user's newest draft that has not expired: "File a complaint" resumes it."""
    return ComplaintDraft.objects.filter(owner=user, expires_at__gt=timezone.now()).order_by("-updated_at").first()


def evidence_get_for_user(*, user, uuid) -> Evidence:
    """Evidence of a complaint the user may see, or of the user's own draft."""
    if not user.is_authenticated:
        raise Http404
    evidence = Evidence.objects.select_related("complaint", "draft").filter(uuid=uuid).first()
    if evidence is None:
        raise Http404
    if evidence.complaint_id and _visible_to(user).filter(pk=evidence.complaint_id).exists():
        return evidence
    if evidence.draft_id and evidence.draft.owner_id == user.pk:
        return evidence
    raise Http404
