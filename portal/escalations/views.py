"""The authority portal: staff of an authority read the escalations sent to it and the complaints inside them,
acknowledge and answer them, and download their dossiers.

For anyone who is not staff of the escalation's authority these pages do not exist (404); anonymous visitors are
sent to log in first, as an emailed dossier link needs. Everything staff open is written to the access log.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from complaints.selectors import authority_complaint_get, authority_complaints
from portal.escalations import services
from portal.escalations.delivery import dossier_token_check
from portal.escalations.dossier import dossier_build
from portal.escalations.forms import RespondForm
from portal.escalations.models import AccessLog, Escalation, RiskRule
from portal.escalations.risk import reason_text
from portal.escalations.selectors import ACK_PENDING, RESPONSE_PENDING, authority_for_user

ESCALATIONS_PER_PAGE = 25

MSG_ACKNOWLEDGED = _("You acknowledged this escalation.")
MSG_RESPONDED = _("Your response was recorded: %(outcome)s.")
MSG_FORM_INVALID = _("Nothing was changed: %(errors)s")
MSG_LINK_INVALID = _("This download link is not valid or has expired. Download the dossier from this page.")


def authority_staff_required(view_func):
    """Staff of an authority only, with `request.authority` set to it. Anonymous visitors log in first (an emailed
    link must survive that); anyone else signed in gets 404: the portal does not exist for them."""

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        authority = authority_for_user(user=request.user)
        if authority is None:
            raise Http404
        request.authority = authority
        return view_func(request, *args, **kwargs)

    return wrapped


def _escalation(request, uuid) -> Escalation:
    """One escalation of the user's authority; another authority's is 404, as if it did not exist."""
    escalation = (
        Escalation.objects.select_related("merchant", "merchant__platform", "authority")
        .filter(authority=request.authority, uuid=uuid)
        .first()
    )
    if escalation is None:
        raise Http404
    return escalation


def _log(request, escalation: Escalation, action: str, *, complaint_id: int | None = None) -> None:
    AccessLog.objects.create(
        user=request.user,
        authority=request.authority,
        escalation=escalation,
        complaint_id=complaint_id,
        action=action,
        created_at=timezone.now(),
    )


def _overdue(escalation: Escalation, now) -> dict[str, bool]:
    """Which deadlines have passed while still running (the same test as the overdue sweep, read live)."""
    return {
        "ack": escalation.status in ACK_PENDING and escalation.ack_due_at < now,
        "response": escalation.status in RESPONSE_PENDING and escalation.response_due_at < now,
    }


def _rule_label(code: str) -> str:
    return RiskRule.Code(code).label if code in RiskRule.Code.values else code


def _reasons(escalation: Escalation) -> list[dict]:
    """Each reason as a sentence, with a moderator's own words when a person escalated."""
    return [
        {"text": reason_text(reason), "note": reason.get("reason", "")}
        for reason in escalation.reasons
        if isinstance(reason, dict)
    ]


def _events(escalation: Escalation) -> list[dict]:
    outcomes = dict(Escalation.Outcome.choices)
    rows = []
    for event in escalation.events.all():
        rows.append(
            {
                "kind": event.kind,
                "label": event.get_kind_display(),
                "at": event.created_at,
                "outcome": outcomes.get(event.data.get("outcome", ""), ""),
                "note": event.data.get("note", ""),
            }
        )
    return rows


@authority_staff_required
@require_safe
def escalation_list(request):
    now = timezone.now()
    escalations = (
        Escalation.objects.filter(authority=request.authority)
        .select_related("merchant", "merchant__platform")
        .order_by("-opened_at", "-id")
    )
    page = Paginator(escalations, ESCALATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"escalation": escalation, "overdue": _overdue(escalation, now)} for escalation in page.object_list]
    context = {"authority": request.authority, "page": page, "rows": rows}
    return render(request, "authority/escalation_list.html", context)


@authority_staff_required
@require_safe
@never_cache
def escalation_detail(request, uuid):
    escalation = _escalation(request, uuid)
    _log(request, escalation, AccessLog.Action.VIEW_ESCALATION)
    context = {
        "escalation": escalation,
        "overdue": _overdue(escalation, timezone.now()),
        "rules": [_rule_label(code) for code in escalation.rules],
        "reasons": _reasons(escalation),
        "events": _events(escalation),
        "complaints": authority_complaints(merchant_id=escalation.merchant_id),
        "can_acknowledge": escalation.status in ACK_PENDING,
        "can_respond": escalation.status in RESPONSE_PENDING,
        "respond_form": RespondForm(),
    }
    return render(request, "authority/escalation_detail.html", context)


@authority_staff_required
@require_safe
@never_cache
def complaint_detail(request, uuid, code):
    escalation = _escalation(request, uuid)
    # Only a complaint inside this escalation, i.e. a counted one against its merchant.
    complaint = authority_complaint_get(merchant_id=escalation.merchant_id, code=code)
    _log(request, escalation, AccessLog.Action.VIEW_COMPLAINT, complaint_id=complaint.pk)
    return render(request, "authority/complaint_detail.html", {"escalation": escalation, "complaint": complaint})


@authority_staff_required
@require_POST
def escalation_acknowledge(request, uuid):
    escalation = _escalation(request, uuid)
    try:
        services.escalation_acknowledge(escalation=escalation, user=request.user)
    except services.EscalationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_ACKNOWLEDGED)
    return redirect("authority:escalation", uuid=escalation.uuid)


@authority_staff_required
@require_POST
def escalation_respond(request, uuid):
    escalation = _escalation(request, uuid)
    form = RespondForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(message) for field_errors in form.errors.values() for message in field_errors)
        messages.error(request, MSG_FORM_INVALID % {"errors": errors})
        return redirect("authority:escalation", uuid=escalation.uuid)
    try:
        escalation = services.escalation_respond(
            escalation=escalation,
            user=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except services.EscalationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_RESPONDED % {"outcome": escalation.get_outcome_display()})
    return redirect("authority:escalation", uuid=escalation.uuid)


def dossier_filename(escalation: Escalation) -> str:
    """ASCII only, from our own ids: the merchant's name could carry anything into a download's filename."""
    return f"redress-dossier-{escalation.uuid}.zip"


@authority_staff_required
@require_safe
@never_cache
def dossier_download(request, uuid):
    """The escalation's dossier as a ZIP. The emailed link carries `?token=`; it only proves the link is the one
    we sent, never who is asking: the staff login and the authority check above still decide."""
    escalation = _escalation(request, uuid)
    token = request.GET.get("token")
    if token is not None and not dossier_token_check(token=token, escalation_uuid=escalation.uuid):
        messages.error(request, MSG_LINK_INVALID)
        return redirect("authority:escalation", uuid=escalation.uuid)
    content = dossier_build(escalation=escalation)
    _log(request, escalation, AccessLog.Action.DOWNLOAD_DOSSIER)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dossier_filename(escalation))
    response["X-Content-Type-Options"] = "nosniff"
    return response
