"""Moderators' queue of claims to represent a merchant: the claim beside the USCCs the merchant is known by and
its business licence; approving, rejecting and revoking go through merchants.services, which record who, when
and why and email the claimant. Everyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from complaints.decorators import moderator_required
from merchants import representatives
from merchants.models import Representative
from merchants.selectors import (
    merchant_representatives,
    merchant_root,
    merchant_usccs,
    representative_get,
    representatives_for_moderators,
)
from portal.moderation.forms import ClaimDecisionForm
from portal.moderation.views import flash_form_errors

CLAIMS_PER_PAGE = 25

MSG_APPROVED = _("%(email)s now represents %(merchant)s.")
MSG_REJECTED = _("The claim of %(email)s on %(merchant)s was rejected.")
MSG_REVOKED = _("%(email)s no longer represents %(merchant)s.")


@moderator_required
@require_safe
def representative_list(request):
    status = request.GET.get("status", "")
    if status not in Representative.Status.values:
        status = Representative.Status.PENDING
    page = Paginator(representatives_for_moderators(status=status), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Representative.Status.choices}
    return render(request, "moderation/representatives/list.html", context)


@moderator_required
@require_safe
def representative_detail(request, uuid):
    claim = representative_get(uuid=uuid)
    context = {
        "claim": claim,
        "root": merchant_root(claim.merchant),
        "registered": merchant_usccs(merchant=claim.merchant),
        "others": [other for other in merchant_representatives(merchant=claim.merchant) if other.pk != claim.pk],
        "form": ClaimDecisionForm(),
    }
    return render(request, "moderation/representatives/detail.html", context)


def _decide(request, uuid, decide, success):
    """Run one decision on a claim: `decide(claim, note)` calls the service; `success` is the message."""
    claim = representative_get(uuid=uuid)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:representative", uuid=claim.uuid)
    try:
        decide(claim, form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("moderation:representative", uuid=claim.uuid)
    messages.success(request, success % {"email": claim.user.email, "merchant": claim.merchant.name})
    return redirect("moderation:representatives")


@moderator_required
@require_POST
def representative_approve(request, uuid):
    def approve(claim, note):
        representatives.representative_approve(representative=claim, moderator=request.user, note=note)

    return _decide(request, uuid, approve, MSG_APPROVED)


@moderator_required
@require_POST
def representative_reject(request, uuid):
    def reject(claim, note):
        representatives.representative_reject(representative=claim, moderator=request.user, note=note)

    return _decide(request, uuid, reject, MSG_REJECTED)


@moderator_required
@require_POST
def representative_revoke(request, uuid):
    def revoke(claim, note):
        representatives.representative_revoke(representative=claim, actor=request.user, note=note)

    return _decide(request, uuid, revoke, MSG_REVOKED)
