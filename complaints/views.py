"""The complainant's pages: the filing wizard, "My complaints", and evidence files streamed to their owners."""

import json
import os
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from complaints import forms, selectors, services
from complaints.decorators import verified_email_required
from complaints.models import Complaint, ComplaintDraft, Evidence
from complaints.uploads import ALLOWED_EXTENSIONS, extension_of, sanitize_filename
from merchants.selectors import platform_choices

STEPS = ["merchant", "facts", "evidence", "privacy", "review"]
STEP_TITLES = {
    "merchant": _("The merchant"),
    "facts": _("What happened"),
    "evidence": _("Evidence"),
    "privacy": _("Privacy"),
    "review": _("Review and submit"),
}
STEP_FORMS = {"merchant": forms.MerchantForm, "facts": forms.FactsForm, "privacy": forms.PrivacyForm}
STEP_FIELDS = {"merchant": forms.MERCHANT_FIELDS, "facts": forms.FACT_FIELDS, "privacy": forms.PRIVACY_FIELDS}
FIELD_STEP = {name: step for step, names in STEP_FIELDS.items() for name in names}
# What draft_submit files when the privacy step was never answered.
PRIVACY_DEFAULTS = {"consent_publish": False, "hide_identity": True}

PLATFORM_LABELS = dict(platform_choices())
REJECT_LABELS = dict(Evidence.RejectReason.choices)
# Evidence variant -> the files it may serve, by kind. Images are only ever served re-encoded.
SERVED_FILE = {
    (Evidence.Kind.IMAGE, "thumbnail"): "thumbnail",
    (Evidence.Kind.IMAGE, "display"): "display",
    (Evidence.Kind.PDF, "original"): "file",
}

MSG_SUBMITTED = _("Your complaint has been filed. Your tracking code is %(code)s. Keep it to follow your complaint.")
MSG_FIX_ANSWERS = _("Some answers are missing or not valid. Correct them and submit again; nothing else is lost.")
MSG_ABANDONED = _("Your draft and its files were deleted.")
MSG_NO_FILES = _("Choose at least one file to add.")
MSG_AMOUNT = _("CNY %(amount)s")
MSG_YES = _("Yes")
MSG_NO = _("No")


def _files_added(count: int) -> str:
    return ngettext(
        "%(count)d file added; it is being checked.", "%(count)d files added; they are being checked.", count
    ) % {"count": count}


def _step_url(draft: ComplaintDraft, step: str) -> str:
    return reverse("complaints:draft_step", kwargs={"draft": draft.uuid, "step": step})


def _json_safe(cleaned: dict) -> dict:
    """Decimals and dates as strings, the way draft_submit reads them back."""
    return json.loads(json.dumps(cleaned, cls=DjangoJSONEncoder))


def _display(name: str, value):
    """An answer as people read it: choice labels, money in CNY, dates in the page's language."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return MSG_YES if value else MSG_NO
    if name == "platform":
        return PLATFORM_LABELS.get(value, value)
    if name == "amount":
        return MSG_AMOUNT % {"amount": value}
    if name == "paid_at":
        return formats.date_format(date.fromisoformat(value) if isinstance(value, str) else value)
    choices = Complaint._meta.get_field(name).flatchoices
    return dict(choices).get(value, value) if choices else value


def _sections(values: dict, *, draft: ComplaintDraft | None = None) -> list[dict]:
    """The answers grouped by wizard step, with a link back to each step while it is still a draft."""
    sections = []
    for step, names in STEP_FIELDS.items():
        rows = []
        for name in names:
            shown = _display(name, values.get(name))
            if shown is not None:
                rows.append({"label": capfirst(STEP_FORMS[step].base_fields[name].label), "value": shown})
        sections.append(
            {"title": STEP_TITLES[step], "rows": rows, "url": _step_url(draft, step) if draft is not None else ""}
        )
    return sections


def _submit_errors(error: ValidationError, draft: ComplaintDraft) -> list[dict]:
    """Each refusal of draft_submit, with the step where it is fixed."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    rows = []
    for name, field_errors in by_field.items():
        step = FIELD_STEP.get(name)
        for message in ValidationError(field_errors).messages:
            rows.append(
                {
                    "step": STEP_TITLES[step] if step else "",
                    "url": _step_url(draft, step) if step else "",
                    "message": message,
                }
            )
    return rows


def _evidence_context(evidence: list[Evidence]) -> dict:
    active = [e for e in evidence if e.status != Evidence.Status.REJECTED]
    return {
        "evidence": evidence,
        "polling": any(e.status == Evidence.Status.PENDING for e in evidence),
        "active_count": len(active),
        "max_files": settings.EVIDENCE_MAX_FILES,
    }


# The filing wizard ---------------------------------------------------------------------------------


@verified_email_required
@require_safe
def draft_new(request):
    """Resume the newest unexpired draft, or start one."""
    draft = selectors.draft_latest_for_user(user=request.user)
    if draft is None:
        draft = services.draft_create(owner=request.user)
    return redirect(_step_url(draft, STEPS[0]))


@verified_email_required
@require_http_methods(["GET", "POST"])
def draft_step(request, draft, step):
    if step not in STEPS:
        raise Http404
    draft = selectors.draft_get_for_user(user=request.user, uuid=draft)
    if step == "evidence":
        return _evidence_step(request, draft)
    if step == "review":
        return _review_step(request, draft)
    return _form_step(request, draft, step)


def _render_step(request, draft: ComplaintDraft, step: str, context: dict):
    index = STEPS.index(step)
    context = {
        "draft": draft,
        "step": step,
        "step_title": STEP_TITLES[step],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "previous_url": _step_url(draft, STEPS[index - 1]) if index else "",
        **context,
    }
    return render(request, f"complaints/wizard/{step}.html", context)


def _next_url(draft: ComplaintDraft, step: str) -> str:
    return _step_url(draft, STEPS[STEPS.index(step) + 1])


def _form_step(request, draft: ComplaintDraft, step: str):
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            services.draft_save(draft=draft, data=_json_safe(form.cleaned_data))
            return redirect(_next_url(draft, step))
    else:
        form = form_class(initial=draft.data)
    return _render_step(request, draft, step, {"form": form})


def _evidence_step(request, draft: ComplaintDraft):
    errors = []
    if request.method == "POST":
        # Reading the files raises TooManyFilesSent past DATA_UPLOAD_MAX_NUMBER_FILES: handler400 answers.
        form = forms.EvidenceForm(files=request.FILES)
        form.is_valid()
        uploads = form.cleaned_data["evidence"]
        if uploads:
            outcome = services.evidence_upload(user=request.user, uploads=uploads, draft=draft)
            errors = [message for error in outcome.errors for message in error.messages]
            if outcome.stored:
                messages.success(request, _files_added(len(outcome.stored)))
        if not errors:
            if "continue" in request.POST:
                return redirect(_next_url(draft, "evidence"))
            if not uploads:
                messages.error(request, MSG_NO_FILES)
            return redirect(_step_url(draft, "evidence"))
    context = {"form": forms.EvidenceForm(), "upload_errors": errors, **_evidence_context(list(draft.evidence.all()))}
    return _render_step(request, draft, "evidence", context)


def _review_step(request, draft: ComplaintDraft):
    errors = []
    if request.method == "POST":
        try:
            complaint = services.draft_submit(draft=draft)
        except ValidationError as error:
            errors = _submit_errors(error, draft)
        else:
            messages.success(request, MSG_SUBMITTED % {"code": complaint.code}, extra_tags="message-tracking")
            return redirect("complaints:detail", uuid=complaint.uuid)
    context = {
        "sections": _sections({**PRIVACY_DEFAULTS, **draft.data}, draft=draft),
        "evidence": list(draft.evidence.all()),
        "submit_errors": errors,
        "fix_message": MSG_FIX_ANSWERS if errors else "",
    }
    return _render_step(request, draft, "review", context)


@login_required
@require_safe
def draft_evidence_panel(request, draft):
    """The evidence step's file list alone, polled while files are being checked."""
    draft = selectors.draft_get_for_user(user=request.user, uuid=draft)
    context = {"draft": draft, **_evidence_context(list(draft.evidence.all()))}
    return render(request, "complaints/wizard/_draft_evidence.html", context)


@login_required
@require_POST
def draft_evidence_remove(request, draft, evidence):
    draft = selectors.draft_get_for_user(user=request.user, uuid=draft)
    services.draft_evidence_remove(draft=draft, evidence_uuid=evidence)
    return redirect(_step_url(draft, "evidence"))


@login_required
@require_POST
def draft_abandon(request, draft):
    draft = selectors.draft_get_for_user(user=request.user, uuid=draft)
    services.draft_abandon(draft=draft)
    messages.info(request, MSG_ABANDONED)
    return redirect("pages:home")


# My complaints -------------------------------------------------------------------------------------


@login_required
@require_safe
def complaint_mine(request):
    page = Paginator(selectors.complaint_list_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page, "complaints": page.object_list})


def _timeline(complaint: Complaint) -> list[dict]:
    rows = []
    for event in complaint.timeline.all():
        reason = event.data.get("reason", "")
        rows.append(
            {
                "event": event,
                "name": event.data.get("name", ""),
                "reason": REJECT_LABELS.get(reason, "") if event.kind == event.Kind.EVIDENCE_REJECTED else "",
            }
        )
    return rows


@login_required
@require_safe
def complaint_detail(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    values = {name: getattr(complaint, name) for names in STEP_FIELDS.values() for name in names}
    context = {
        "complaint": complaint,
        "sections": _sections(values),
        "timeline": _timeline(complaint),
        "form": forms.EvidenceForm(),
        "can_add": complaint.complainant_id == request.user.pk,
        **_evidence_context(list(complaint.evidence.all())),
    }
    return render(request, "complaints/detail.html", context)


@login_required
@require_safe
def evidence_panel(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    context = {"complaint": complaint, **_evidence_context(list(complaint.evidence.all()))}
    return render(request, "complaints/_evidence_panel.html", context)


@login_required
@require_POST
def evidence_add(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    # Staff may read a complaint; only its complainant adds to it.
    if complaint.complainant_id != request.user.pk:
        raise Http404
    form = forms.EvidenceForm(files=request.FILES)
    form.is_valid()
    uploads = form.cleaned_data["evidence"]
    if not uploads:
        messages.error(request, MSG_NO_FILES)
    else:
        outcome = services.evidence_upload(user=request.user, uploads=uploads, complaint=complaint)
        if outcome.stored:
            messages.success(request, _files_added(len(outcome.stored)))
        for error in outcome.errors:
            for message in error.messages:
                messages.error(request, message)
    return redirect("complaints:detail", uuid=complaint.uuid)


# Evidence files ------------------------------------------------------------------------------------


@login_required
@require_safe
def evidence_file(request, uuid, variant):
    """Stream one evidence file to someone allowed to see it, as an attachment the browser will not sniff."""
    if variant not in {"thumbnail", "display", "original"}:
        raise Http404
    evidence = selectors.evidence_get_for_user(user=request.user, uuid=uuid)
    attribute = SERVED_FILE.get((evidence.kind, variant))
    if evidence.status != Evidence.Status.READY or attribute is None:
        raise Http404
    served = getattr(evidence, attribute)
    ext = extension_of(served.name)
    if not served or ext not in ALLOWED_EXTENSIONS:
        raise Http404
    stem = os.path.splitext(sanitize_filename(evidence.original_name))[0]
    response = FileResponse(
        served.open("rb"), as_attachment=True, filename=f"{stem}.{ext}", content_type=ALLOWED_EXTENSIONS[ext]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
