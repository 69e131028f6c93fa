"""Business users' pages: claiming a merchant with its business licence, and the claims they made.

A claim is checked by merchants.services (the USCC must be valid and the merchant's) and decided by a moderator;
the licence is streamed only to its claimant and to moderators.
"""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from complaints import evidence_links
from complaints.decorators import verified_email_required
from complaints.uploads import extension_of
from merchants.models import Representative
from merchants.representatives import representative_claim, representative_revoke
from merchants.selectors import (
    representative_get,
    representative_get_for_user,
    representative_may_claim,
    representatives_of_user,
)
from portal.business.forms import LICENCE_TYPES, ClaimForm, merchant_from_text

# Claims one account may send per hour, refused ones included: each is a moderator's work and a stored file,
# and a refusal says whether a USCC is the merchant's.
CLAIM_RATE = "10/h"

# Links to a licence on the evidence origin: a salt of their own, so no other signed link opens a licence.
LICENCE_LINK_SALT = "portal.business.licence-link"
LICENCE_LINK_URL = "licence_file"

MSG_REVOKED = _("You no longer represent %(merchant)s.")
MSG_CLAIM_SENT = _("Your claim to represent %(merchant)s was sent. A moderator will check the licence and email you.")


def _complaints_link(merchant) -> str:
    """The representative's complaint list for the merchant, where that page exists."""
    try:
        return reverse("representation:complaints", kwargs={"merchant": merchant.uuid})
    except NoReverseMatch:
        return ""


@login_required
@require_safe
def home(request):
    rows = []
    for claim in representatives_of_user(user=request.user):
        approved = claim.status == Representative.Status.APPROVED
        rows.append({"claim": claim, "complaints_link": _complaints_link(claim.merchant) if approved else ""})
    return render(
        request, "business/home.html", {"rows": rows, "may_claim": representative_may_claim(user=request.user)}
    )


@verified_email_required
@require_http_methods(["GET", "POST"])
def claim(request):
    if not representative_may_claim(user=request.user):
        raise PermissionDenied
    if request.method == "POST":
        if is_ratelimited(request, group="business:claim", key="user", rate=CLAIM_RATE, increment=True):
            return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
        form = ClaimForm(request.POST, request.FILES, merchant=merchant_from_text(request.POST.get("merchant", "")))
        if form.is_valid():
            data = form.cleaned_data
            try:
                representative = representative_claim(
                    merchant=data["merchant"],
                    user=request.user,
                    company_name=data["company_name"],
                    uscc=data["uscc"],
                    licence=data["licence"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, MSG_CLAIM_SENT % {"merchant": representative.merchant.name})
                return redirect("business:home")
    else:
        form = ClaimForm(merchant=merchant_from_text(request.GET.get("merchant", "")))
    return render(request, "business/claim.html", {"form": form, "merchant": form.known_merchant})


@login_required
@require_POST
def revoke(request, uuid):
    """The representative stops speaking for the merchant (they left the company, the shop closed...)."""
    representative = representative_get_for_user(user=request.user, uuid=uuid)
    if representative.user_id != request.user.pk:
        raise Http404
    try:
        representative_revoke(representative=representative, actor=request.user, note="")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MSG_REVOKED % {"merchant": representative.merchant.name})
    return redirect("business:home")


def _licence_served(representative) -> tuple[str, str]:
    """The licence's download name and type; Http404 when the claim holds no licence that may be served."""
    ext = extension_of(representative.licence.name)
    if not representative.licence or ext not in LICENCE_TYPES:
        raise Http404
    return f"licence-{representative.uuid.hex[:8]}.{ext}", LICENCE_TYPES[ext]


@login_required
@require_safe
def licence_file(request, uuid):
    """Stream a claim's licence to its claimant or a moderator, as an attachment the browser will not sniff; with an
    evidence origin (settings.EVIDENCE_ORIGIN), send them there by a short-lived signed link instead."""
    representative = representative_get_for_user(user=request.user, uuid=uuid)
    filename, content_type = _licence_served(representative)
    if settings.EVIDENCE_ORIGIN:
        link = evidence_links.link_url(
            url_name=LICENCE_LINK_URL, salt=LICENCE_LINK_SALT, payload=representative.uuid.hex
        )
        return evidence_links.link_redirect(link)
    return evidence_links.file_response(representative.licence, filename=filename, content_type=content_type)


@require_safe
def licence_file_signed(request, token):
    """The evidence origin's only licence view (portal/evidence_urls.py): the licence a link from licence_file
    names, while the link is valid and the claim and its file are still there."""
    representative = representative_get(uuid=UUID(hex=evidence_links.link_payload(token, salt=LICENCE_LINK_SALT)))
    filename, content_type = _licence_served(representative)
    return evidence_links.file_response(representative.licence, filename=filename, content_type=content_type)
