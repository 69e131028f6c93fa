"""Moderators' merchant pages: merge proposals side by side, a merchant's merge history, merging and undoing.

Everyone else gets 404: these pages do not exist for them. Every decision goes through merchants.services,
which records who, when and why; a decision that can no longer be made comes back as a message.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from complaints.decorators import moderator_required
from complaints.selectors import merchant_recent_complaints, merchant_summary
from merchants import services
from merchants.matching import HOMOPHONE, SAME_NAME, SAME_PINYIN, SIMILAR_NAME, SIMILAR_PINYIN
from merchants.models import Merchant, MergeProposal
from merchants.selectors import (
    merchant_get,
    merchant_history,
    merchant_identifiers,
    merchant_root,
    proposal_get,
    proposals_open,
)
from portal.escalations.selectors import escalations_open, escalations_overdue, merchant_escalations
from portal.escalations.services import EscalationError, escalation_manual
from portal.moderation.forms import DecisionForm, EscalateForm, MergeIntoForm, UndoMergeForm

PROPOSALS_PER_PAGE = 25
RECENT_COMPLAINTS = 5

REASON_LABELS = {
    SAME_NAME: _("Same name"),
    SAME_PINYIN: _("Same pinyin"),
    SIMILAR_NAME: _("Similar name"),
    SIMILAR_PINYIN: _("Similar pinyin"),
    HOMOPHONE: _("Same sound, different characters"),
}
# merchants.services records the known name a proposal matched as "name:<the name>".
NAME_REASON_PREFIX = "name:"
MSG_MATCHED_NAME = _("Matched the name “%(name)s”")

MSG_ACCEPTED = _("Proposal accepted: %(source)s is now part of %(target)s.")
MSG_ACCEPTED_ALREADY_ONE = _("Proposal accepted; the two were already one merchant.")
MSG_REJECTED = _("Proposal rejected: the two merchants are kept apart.")
MSG_MERGED = _("%(source)s was merged into %(target)s.")
MSG_UNMERGED = _("The merge was undone: %(name)s is a merchant of its own again.")
MSG_FORM_INVALID = _("Nothing was changed: %(errors)s")
MSG_ESCALATED = _("Escalated to %(authorities)s.")


def reason_labels(reasons: list[str]) -> list[str]:
    labels = []
    for reason in reasons:
        if reason.startswith(NAME_REASON_PREFIX):
            labels.append(MSG_MATCHED_NAME % {"name": reason.removeprefix(NAME_REASON_PREFIX)})
        else:
            labels.append(REASON_LABELS.get(reason, reason))
    return labels


def flash_form_errors(request, form) -> None:
    errors = " ".join(str(message) for field_errors in form.errors.values() for message in field_errors)
    messages.error(request, MSG_FORM_INVALID % {"errors": errors})


def _side(request, merchant: Merchant) -> dict:
    """One merchant of a proposal as the moderator compares it: counted as the merchant it is part of now."""
    root = merchant_root(merchant)
    return {
        "merchant": merchant,
        "root": root,
        "identifiers": merchant_identifiers(merchant=root),
        "summary": merchant_summary(merchant_id=root.pk),
        "complaints": merchant_recent_complaints(user=request.user, merchant_id=root.pk, limit=RECENT_COMPLAINTS),
    }


@moderator_required
@require_safe
def proposal_list(request):
    page = Paginator(proposals_open(), PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"proposal": proposal, "reasons": reason_labels(proposal.reasons)} for proposal in page.object_list]
    return render(request, "moderation/proposal_list.html", {"page": page, "rows": rows})


@moderator_required
@require_safe
def proposal_detail(request, uuid):
    proposal = proposal_get(uuid=uuid)
    context = {
        "proposal": proposal,
        "reasons": reason_labels(proposal.reasons),
        "sides": [_side(request, proposal.merchant), _side(request, proposal.candidate)],
        "is_open": proposal.status == MergeProposal.Status.OPEN,
        "form": DecisionForm(),
    }
    return render(request, "moderation/proposal_detail.html", context)


def _decide(request, uuid, decide):
    """Run one decision on a proposal; `decide(proposal, note)` returns the success message."""
    proposal = proposal_get(uuid=uuid)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:proposal", uuid=proposal.uuid)
    try:
        message = decide(proposal, form.cleaned_data["note"])
    except services.MerchantError as error:
        messages.error(request, error.message)
        return redirect("moderation:proposal", uuid=proposal.uuid)
    messages.success(request, message)
    return redirect("moderation:proposals")


@moderator_required
@require_POST
def proposal_accept(request, uuid):
    def accept(proposal, note):
        merge = services.proposal_accept(proposal=proposal, actor=request.user, note=note)
        if merge is None:
            return MSG_ACCEPTED_ALREADY_ONE
        return MSG_ACCEPTED % {"source": merge.source.name, "target": merge.target.name}

    return _decide(request, uuid, accept)


@moderator_required
@require_POST
def proposal_reject(request, uuid):
    def reject(proposal, note):
        services.proposal_reject(proposal=proposal, actor=request.user, note=note)
        return MSG_REJECTED

    return _decide(request, uuid, reject)


@moderator_required
@require_safe
def merchant_detail(request, uuid):
    merchant = merchant_get(uuid=uuid)
    history = list(merchant_history(merchant=merchant))
    context = {
        "merchant": merchant,
        "root": merchant_root(merchant),
        "identifiers": merchant_identifiers(merchant=merchant),
        "history": history,
        "undo_form": UndoMergeForm(),
        "merge_form": MergeIntoForm(),
        "escalations": list(merchant_escalations(merchant=merchant)),
        "escalate_form": EscalateForm(),
    }
    return render(request, "moderation/merchant_detail.html", context)


@moderator_required
@require_POST
def merchant_escalate(request, uuid):
    """Manual escalation: the merchant goes to the authorities routing picks, like a surge would."""
    merchant = merchant_get(uuid=uuid)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    try:
        escalations = escalation_manual(merchant=merchant, moderator=request.user, reason=form.cleaned_data["reason"])
    except EscalationError as error:
        messages.error(request, error.message)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    names = ", ".join(str(escalation.authority) for escalation in escalations)
    messages.success(request, MSG_ESCALATED % {"authorities": names})
    return redirect("moderation:merchant", uuid=merchant.uuid)


@moderator_required
@require_safe
def escalation_list(request):
    """Open escalations, with the ones whose authority missed a deadline first."""
    now = timezone.now()
    overdue = list(escalations_overdue(now=now))
    others = [e for e in escalations_open() if e.pk not in {o.pk for o in overdue}]
    return render(request, "moderation/escalation_list.html", {"overdue": overdue, "others": others})


@moderator_required
@require_POST
def merchant_merge(request, uuid):
    merchant = merchant_get(uuid=uuid)
    form = MergeIntoForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    target = form.cleaned_data["target"]
    try:
        services.merchant_merge(source=merchant, target=target, reason=form.cleaned_data["reason"], actor=request.user)
    except services.MerchantError as error:
        messages.error(request, error.message)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    messages.success(request, MSG_MERGED % {"source": merchant.name, "target": target.name})
    return redirect("moderation:merchant", uuid=target.uuid)


@moderator_required
@require_POST
def merge_undo(request, uuid, merge):
    merchant = merchant_get(uuid=uuid)
    # Only a merge in this merchant's own history can be undone from its page.
    found = merchant_history(merchant=merchant).filter(uuid=merge).first()
    if found is None:
        raise Http404
    form = UndoMergeForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    try:
        restored = services.merchant_unmerge(merge=found, actor=request.user, reason=form.cleaned_data["reason"])
    except services.MerchantError as error:
        messages.error(request, error.message)
        return redirect("moderation:merchant", uuid=merchant.uuid)
    messages.success(request, MSG_UNMERGED % {"name": restored.name})
    return redirect("moderation:merchant", uuid=merchant.uuid)
