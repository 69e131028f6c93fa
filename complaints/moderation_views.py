"""Moderators' complaint pages: the priority queue with bulk decisions, and one case with everything needed to
decide it (facts, evidence, flags, the complainant's history, the raw account with personal data highlighted, the
redacted text to edit, the staff timeline) and the actions its state allows.

Everyone else gets 404: these pages do not exist for them. Every step goes through complaints.workflow, which
audits it; a step that can no longer be taken (another moderator was first) comes back as a message.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from complaints import queue
from complaints.codes import normalize_tracking_code
from complaints.decorators import moderator_required
from complaints.models import Complaint
from complaints.moderation_forms import (
    ACTION_FORMS,
    AcceptForm,
    BulkForm,
    CloseForm,
    QueueFilterForm,
    RedactionForm,
    RejectForm,
    RequestInfoForm,
    run_action,
)
from complaints.workflow import TransitionError, claim_is_live, complaints_bulk
from merchants.selectors import platform_choices
from merchants.services import MerchantClaims

PER_PAGE = 25
PLATFORM_LABELS = dict(platform_choices())

MSG_FORM_INVALID = _("Nothing was changed: %(errors)s")
MSG_REFUSED = _("%(code)s: %(message)s")
MSG_DONE = {
    "review": _("%(code)s is in review."),
    "request-info": _("%(code)s: your question was sent to the complainant."),
    "reject": _("%(code)s was rejected."),
    "close": _("%(code)s was closed: %(status)s."),
    "claim": _("You are working on %(code)s: other moderators see it is taken."),
    "release": _("%(code)s is free for other moderators again."),
    "redaction": _("The redacted text of %(code)s was saved."),
}
MSG_ACCEPTED_PUBLIC = _("%(code)s was accepted and its redacted account is published.")
MSG_ACCEPTED_PRIVATE = _("%(code)s was accepted; it is not published: the complainant has not consented.")
# Where each action leaves the moderator: a decision ends the case, so on to the queue's next one.
DECISIONS = {"request-info", "accept", "reject", "close"}


def _bulk_done(action: str, count: int) -> str:
    if action == "accept":
        return ngettext("%(count)d complaint accepted.", "%(count)d complaints accepted.", count) % {"count": count}
    return ngettext("%(count)d complaint rejected.", "%(count)d complaints rejected.", count) % {"count": count}


def _form_error(request, form) -> None:
    errors = " ".join(str(message) for field_errors in form.errors.values() for message in field_errors)
    messages.error(request, MSG_FORM_INVALID % {"errors": errors})


def _case(request, code: str) -> Complaint:
    code = normalize_tracking_code(code)
    if not code:
        raise Http404
    return queue.moderation_complaint_get(user=request.user, code=code)


def _platform(complaint: Complaint) -> str:
    """The merchant's platform, or where the complainant said they bought when the merchant has none."""
    if complaint.merchant.platform_id:
        return str(complaint.merchant.platform)
    return str(PLATFORM_LABELS.get(complaint.platform, complaint.platform))


def _claims(complaint: Complaint) -> list[tuple[str, str]]:
    """The merchant as the complainant named it, field by field, as typed."""
    rows = []
    for name in MerchantClaims.field_names():
        value = getattr(complaint, name)
        if value:
            label = capfirst(Complaint._meta.get_field(name).verbose_name)
            rows.append((label, PLATFORM_LABELS.get(value, value) if name == "platform" else value))
    return rows


def _flag_badges(complaint: Complaint) -> list[tuple[str, str]]:
    """Each kind of flag once, for the queue's badges (from the prefetched flags)."""
    kinds = {flag.kind: flag.get_kind_display() for flag in complaint.flags.all()}
    return sorted(kinds.items())


@moderator_required
@require_safe
def complaint_queue(request):
    form = QueueFilterForm(request.GET)
    form.is_valid()
    page = Paginator(queue.moderation_queue(user=request.user, filters=form.filters()), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "complaint": complaint,
            "flags": _flag_badges(complaint),
            "platform": _platform(complaint),
            "claimed_by": complaint.claimed_by if claim_is_live(complaint) else None,
        }
        for complaint in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "bulk_form": BulkForm(), "query": query.urlencode()}
    return render(request, "moderation/complaints/queue.html", context)


@moderator_required
@require_POST
def complaint_bulk(request):
    # Back to the queue as it was filtered; only its query string travels, so the redirect cannot leave the site.
    back = reverse("complaint_moderation:queue")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = f"{back}?{query}" if query else back
    form = BulkForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect(back)
    data = form.cleaned_data
    outcome = complaints_bulk(
        complaints=queue.moderation_complaints_by_code(user=request.user, codes=data["codes"]),
        moderator=request.user,
        action=data["action"],
        reason=data["reason"],
        note=data["note"],
    )
    if outcome.done:
        messages.success(request, _bulk_done(data["action"], len(outcome.done)))
    for complaint, message in outcome.refused:
        messages.error(request, MSG_REFUSED % {"code": complaint.code, "message": message})
    return redirect(back)


@moderator_required
@require_safe
def complaint_detail(request, code):
    complaint = _case(request, code)
    actions = queue.allowed_actions(complaint, user=request.user)
    context = {
        "complaint": complaint,
        "actions": actions,
        "claimed_by": complaint.claimed_by if claim_is_live(complaint) else None,
        "platform": _platform(complaint),
        "claims": _claims(complaint),
        "segments": queue.narrative_segments(complaint),
        "history": queue.complainant_history(complaint),
        "timeline": queue.staff_timeline(complaint),
        "evidence": list(complaint.evidence.all()),
        "flags": list(complaint.flags.all()),
        # Several forms share field names: each gets its own ids so every label points at its own field.
        "request_info_form": RequestInfoForm(auto_id="request-info-%s"),
        "accept_form": AcceptForm(auto_id="accept-%s"),
        "reject_form": RejectForm(auto_id="reject-%s"),
        "close_form": CloseForm(auto_id="close-%s"),
        "redaction_form": RedactionForm(auto_id="redaction-%s", initial={"text": complaint.narrative_redacted}),
    }
    return render(request, "moderation/complaints/detail.html", context)


def _done_message(action: str, complaint: Complaint) -> str:
    if action == "accept":
        return (MSG_ACCEPTED_PUBLIC if complaint.is_public else MSG_ACCEPTED_PRIVATE) % {"code": complaint.code}
    return MSG_DONE[action] % {"code": complaint.code, "status": complaint.get_status_display()}


@moderator_required
@require_POST
def complaint_act(request, code, action):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    complaint = _case(request, code)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("complaint_moderation:detail", code=complaint.code)
    try:
        complaint = run_action(action=action, complaint=complaint, moderator=request.user, data=form.cleaned_data)
    except TransitionError as error:
        messages.error(request, error.message)
        return redirect("complaint_moderation:detail", code=complaint.code)
    messages.success(request, _done_message(action, complaint))
    if action in DECISIONS:
        return redirect("complaint_moderation:queue")
    return redirect("complaint_moderation:detail", code=complaint.code)
