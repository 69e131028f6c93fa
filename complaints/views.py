"""The complainant's pages: the filing wizard, "My complaints" with what moderators asked and decided, notices,
evidence files streamed to their owners, and the public page of a published complaint."""

import json
import os
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from complaints import (
    evidence_links,
    forms,
    notifications,
    replies,
    reply_forms,
    reply_selectors,
    selectors,
    services,
    workflow,
)
from complaints.client_address import client_ip
from complaints.decorators import verified_email_required
from complaints.models import ACCEPTED_STATUSES, Complaint, ComplaintDraft, Evidence, ResolutionProposal, TimelineEvent
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
NOTICES_PER_PAGE = 25

PLATFORM_LABELS = dict(platform_choices())
REJECT_LABELS = dict(Evidence.RejectReason.choices)
STATUS_LABELS = dict(Complaint.Status.choices)
REJECT_REASON_LABELS = dict(Complaint.RejectReason.choices)
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
MSG_ANSWERED = _("Thank you. Your answer was sent to the moderators.")
MSG_WITHDRAWN = _("Your complaint was withdrawn.")
MSG_CONSENT_GIVEN = _("Thank you. A redacted account of your complaint will be public once a moderator accepts it.")
MSG_CONSENT_WITHDRAWN = _("Your complaint is no longer published.")
MSG_NOTE_QUESTION = _("Question from the moderator:")
MSG_NOTE_ANSWER = _("Answer:")
MSG_NOTE_MODERATOR = _("Note from the moderator:")
MSG_CONSENT_ON = _("Consent to publication given")
MSG_CONSENT_OFF = _("Consent to publication withdrawn")
MSG_PROPOSED_REFUND = _("The merchant proposed a refund of CNY %(amount)s")
MSG_PROPOSED = _("The merchant proposed a resolution: %(kind)s")
MSG_PROPOSAL_ACCEPTED_EVENT = _("Proposal accepted: %(kind)s")
MSG_PROPOSAL_REJECTED_EVENT = _("Proposal rejected: %(kind)s")
MSG_NOTE_REASON = _("Reason:")
MSG_PROPOSAL_ACCEPTED = _("You accepted the merchant's proposal. Your complaint is closed: %(status)s.")
MSG_PROPOSAL_REJECTED = _("You rejected the merchant's proposal. The merchant can make another.")
PROPOSAL_KIND_LABELS = dict(ResolutionProposal.Kind.choices)


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
    """Resume the newest unexpired draft, or start one. "I was cheated too" (`?merchant=<id>`) starts a draft
    with the merchant's public identifiers filled in, so the new complaint joins the same collective case."""
    prefill = selectors.draft_merchant_prefill(merchant_uuid=request.GET.get("merchant", ""))
    draft = None if prefill else selectors.draft_latest_for_user(user=request.user)
    if draft is None:
        draft = services.draft_create(owner=request.user)
    if prefill:
        services.draft_save(draft=draft, data=prefill)
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
        # Filings per account (brigading is also flagged for moderators; this caps its volume).
        if is_ratelimited(request, group="complaints:submit", key="user", rate=settings.FILING_RATE, increment=True):
            return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
        try:
            complaint = services.draft_submit(draft=draft, client_ip=client_ip(request))
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
        data = event.data
        row = {"event": event, "name": data.get("name", ""), "reason": "", "note": "", "note_label": ""}
        if event.kind == TimelineEvent.Kind.EVIDENCE_REJECTED:
            row["reason"] = REJECT_LABELS.get(data.get("reason", ""), "")
        elif event.kind == TimelineEvent.Kind.STATUS_CHANGED:
            # Old events may name statuses that no longer exist: shown as stored rather than dropped.
            row["change"] = {
                "from": STATUS_LABELS.get(data.get("from", ""), data.get("from", "")),
                "to": STATUS_LABELS.get(data.get("to", ""), data.get("to", "")),
            }
            row["reason"] = REJECT_REASON_LABELS.get(data.get("reason", ""), "")
            row["note"] = data.get("note", "")
            if event.actor_id == complaint.complainant_id:
                row["note_label"] = MSG_NOTE_ANSWER
            elif data.get("to") == Complaint.Status.NEEDS_INFO:
                row["note_label"] = MSG_NOTE_QUESTION
            else:
                row["note_label"] = MSG_NOTE_MODERATOR
        elif event.kind == TimelineEvent.Kind.CONSENT_CHANGED:
            row["consent"] = MSG_CONSENT_ON if data.get("consent") else MSG_CONSENT_OFF
        elif event.kind in (TimelineEvent.Kind.PROPOSAL_MADE, TimelineEvent.Kind.PROPOSAL_ANSWERED):
            row.update(_proposal_event(event))
        rows.append(row)
    return rows


def _proposal_event(event: TimelineEvent) -> dict:
    """What a proposal event says: what was offered, and how the complainant answered (with their reason)."""
    data = event.data
    kind = PROPOSAL_KIND_LABELS.get(data.get("kind", ""), data.get("kind", ""))
    if event.kind == TimelineEvent.Kind.PROPOSAL_MADE:
        if data.get("amount"):
            return {"label": MSG_PROPOSED_REFUND % {"amount": data["amount"]}}
        return {"label": MSG_PROPOSED % {"kind": kind}}
    if data.get("answer") == ResolutionProposal.Status.ACCEPTED:
        return {"label": MSG_PROPOSAL_ACCEPTED_EVENT % {"kind": kind}}
    return {
        "label": MSG_PROPOSAL_REJECTED_EVENT % {"kind": kind},
        "note": data.get("reason", ""),
        "note_label": MSG_NOTE_REASON,
    }


def _detail_page(request, complaint: Complaint, *, answer_form=None, reject_form=None):
    values = {name: getattr(complaint, name) for names in STEP_FIELDS.values() for name in names}
    # An imported complaint belongs to the victim, not to the moderator whose account imported it.
    mine = complaint.complainant_id == request.user.pk and not complaint.source
    # Only a complaint a moderator accepted can have been answered: the others need no lookups.
    answered = complaint.status in ACCEPTED_STATUSES
    proposals = reply_selectors.complaint_proposals(complaint=complaint) if answered else []
    open_proposal = next((p for p in proposals if p.status == ResolutionProposal.Status.OPEN), None)
    context = {
        "complaint": complaint,
        "sections": _sections(values),
        "timeline": _timeline(complaint),
        "question": selectors.complaint_question(complaint=complaint),
        "form": forms.EvidenceForm(),
        "can_add": mine,
        # The workflow refuses anyone else; the page offers these only to the complainant, when possible.
        "can_answer": mine and complaint.status == Complaint.Status.NEEDS_INFO,
        "can_withdraw": mine and complaint.status in workflow.TRANSITIONS["withdraw"].sources,
        "can_consent": mine,
        "answer_form": answer_form or forms.AnswerForm(),
        "replies": reply_selectors.complaint_replies(complaint=complaint) if answered else [],
        "proposals": proposals,
        "open_proposal": open_proposal if complaint.status == Complaint.Status.ACCEPTED else None,
        "can_answer_proposal": mine and complaint.status == Complaint.Status.ACCEPTED,
        "reject_form": reject_form or reply_forms.ProposalRejectForm(),
        **_evidence_context(list(complaint.evidence.all())),
    }
    return render(request, "complaints/detail.html", context)


@login_required
@require_safe
def complaint_detail(request, uuid):
    return _detail_page(request, selectors.complaint_get_for_user(user=request.user, uuid=uuid))


@login_required
@require_POST
def complaint_answer(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        # Shown again with what was typed.
        return _detail_page(request, complaint, answer_form=form)
    try:
        workflow.complaint_answer(complaint=complaint, user=request.user, answer=form.cleaned_data["answer"])
    except workflow.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_ANSWERED)
    return redirect("complaints:detail", uuid=complaint.uuid)


@login_required
@require_POST
def complaint_withdraw(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    try:
        workflow.complaint_withdraw(complaint=complaint, user=request.user)
    except workflow.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_WITHDRAWN)
    return redirect("complaints:detail", uuid=complaint.uuid)


@login_required
@require_POST
def complaint_consent(request, uuid):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    form = forms.ConsentForm(request.POST)
    if not form.is_valid():
        raise BadRequest
    consent = form.cleaned_data["consent"]
    try:
        workflow.complaint_consent_set(complaint=complaint, user=request.user, consent=consent)
    except workflow.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_CONSENT_GIVEN if consent else MSG_CONSENT_WITHDRAWN)
    return redirect("complaints:detail", uuid=complaint.uuid)


@login_required
@require_POST
def proposal_accept(request, uuid, proposal):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    proposal = reply_selectors.proposal_get(complaint=complaint, uuid=proposal)
    try:
        complaint = replies.proposal_accept(proposal=proposal, user=request.user)
    except workflow.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_PROPOSAL_ACCEPTED % {"status": complaint.get_status_display()})
    return redirect("complaints:detail", uuid=complaint.uuid)


@login_required
@require_POST
def proposal_reject(request, uuid, proposal):
    complaint = selectors.complaint_get_for_user(user=request.user, uuid=uuid)
    proposal = reply_selectors.proposal_get(complaint=complaint, uuid=proposal)
    form = reply_forms.ProposalRejectForm(request.POST)
    if form.is_valid():
        try:
            replies.proposal_reject(proposal=proposal, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        except workflow.TransitionError as error:
            messages.error(request, error.message)
            return redirect("complaints:detail", uuid=complaint.uuid)
        else:
            messages.success(request, MSG_PROPOSAL_REJECTED)
            return redirect("complaints:detail", uuid=complaint.uuid)
    return _detail_page(request, complaint, reject_form=form)


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


# Notices -------------------------------------------------------------------------------------------


@login_required
@require_safe
def notice_list(request):
    """The user's notices, newest first; those shown are marked read (the unread ones keep a marker this time)."""
    page = Paginator(selectors.notification_list_for_user(user=request.user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    notices = list(page.object_list)
    for notice in notices:
        notice.headline = notifications.notification_headline(notice)
        notice.message_label = notifications.notification_message_label(notice)
        notice.url = notifications.notification_link(notice)
    unread = [notice.pk for notice in notices if notice.read_at is None]
    if unread:
        request.user.notifications.filter(pk__in=unread, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "complaints/notices.html", {"page": page, "notices": notices})


# The public page of a published complaint ------------------------------------------------------------


@require_safe
@never_cache
def complaint_public(request, uuid):
    """Anyone may read a published complaint: only its redacted account and what cannot identify the complainant.
    Not cached anywhere, so withdrawing consent or the complaint takes it down at once."""
    complaint = selectors.complaint_get_public(uuid=uuid)
    context = {
        "complaint": complaint,
        "replies": reply_selectors.public_replies(complaint_uuid=complaint.uuid),
        "resolution": reply_selectors.public_resolution(complaint_uuid=complaint.uuid),
    }
    return render(request, "complaints/public_detail.html", context)


# Evidence files ------------------------------------------------------------------------------------


def _evidence_served(evidence: Evidence, variant: str) -> tuple[FieldFile, str, str]:
    """The file of `variant` that may be served, with its download name and type; Http404 when there is none."""
    attribute = SERVED_FILE.get((evidence.kind, variant))
    if evidence.status != Evidence.Status.READY or attribute is None:
        raise Http404
    served = getattr(evidence, attribute)
    ext = extension_of(served.name)
    if not served or ext not in ALLOWED_EXTENSIONS:
        raise Http404
    stem = os.path.splitext(sanitize_filename(evidence.original_name))[0]
    return served, f"{stem}.{ext}", ALLOWED_EXTENSIONS[ext]


@login_required
@require_safe
def evidence_file(request, uuid, variant):
    """Stream one evidence file to someone allowed to see it, as an attachment the browser will not sniff; with an
    evidence origin (settings.EVIDENCE_ORIGIN), send them there by a short-lived signed link instead."""
    if variant not in {"thumbnail", "display", "original"}:
        raise Http404
    evidence = selectors.evidence_get_for_user(user=request.user, uuid=uuid)
    served, filename, content_type = _evidence_served(evidence, variant)
    if settings.EVIDENCE_ORIGIN:
        return evidence_links.link_redirect(evidence_links.evidence_link(evidence=evidence, variant=variant))
    return evidence_links.file_response(served, filename=filename, content_type=content_type)


@require_safe
def evidence_file_signed(request, token):
    """The evidence origin's only evidence view (portal/evidence_urls.py): the file a link from evidence_file names,
    while the link is valid and the evidence still there and ready. Thumbnails may be embedded by the main site."""
    evidence, variant = evidence_links.evidence_from_link(token)
    served, filename, content_type = _evidence_served(evidence, variant)
    return evidence_links.file_response(
        served, filename=filename, content_type=content_type, embeddable=variant == "thumbnail"
    )
