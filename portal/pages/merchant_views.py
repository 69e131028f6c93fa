"""Public merchant pages: "check before you pay" (look a merchant up by anything you have) and the profile."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from complaints.selectors import merchant_public_complaints, merchant_stats_many, merchant_summary
from merchants import identifiers as ids
from merchants.lookup import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, merchant_lookup
from merchants.models import Identifier, Merchant
from merchants.selectors import merchant_get, merchant_identifiers

MSG_QUERY_TOO_SHORT = _("Type at least %(count)d characters.")
# The newest published complaints on a profile (redacted excerpts, each linking to its page).
PUBLIC_COMPLAINTS_SHOWN = 10
EXCERPT_CHARS = 200
WINDOW_LABELS = {"24h": _("Last 24 hours"), "7d": _("Last 7 days"), "30d": _("Last 30 days")}

# Platform domains (taobao.com...) are shared by every shop there: they say nothing about this merchant. A
# payee's name may be a private person's.
HIDDEN_KINDS = {ids.DOMAIN, ids.PAYEE_NAME}
KIND_LABELS = dict(Identifier.Kind.choices)


def lookup_rate() -> str:
    """The page answers what the API's lookup answers, so it is limited like it (per client address)."""
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["lookup"]


def public_identifiers(merchant: Merchant) -> list[dict]:
    """The merchant group's identifiers as anyone may see them: personal ones (phones, accounts) masked."""
    return [
        {"kind": identifier.kind, "label": identifier.get_kind_display(), "value": public_value(identifier)}
        for identifier in merchant_identifiers(merchant=merchant)
        if identifier.kind not in HIDDEN_KINDS
    ]


def public_value(identifier: Identifier) -> str:
    # A name is shown as a victim typed it; anything else only as identifiers.mask renders its normalised form,
    # since the typed value of a phone or a bank card is the full number.
    if identifier.kind == ids.NAME:
        return ids.scrub_personal(identifier.value)
    return ids.mask(identifier.kind, identifier.normalized)


def public_complaints(merchant: Merchant) -> list[dict]:
    """The merchant's newest published complaints, each with an excerpt of its redacted account."""
    return [
        {"complaint": complaint, "excerpt": Truncator(complaint.narrative).chars(EXCERPT_CHARS)}
        for complaint in merchant_public_complaints(merchant_id=merchant.pk, limit=PUBLIC_COMPLAINTS_SHOWN)
    ]


@require_safe
def merchant_search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    context = {"query": query, "results": None, "min_length": MIN_QUERY_LENGTH, "max_length": MAX_QUERY_LENGTH}
    if query:
        if is_ratelimited(request, group="pages:merchant_search", key="ip", rate=lookup_rate(), increment=True):
            return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
        if len(ids.clean_text(query)) < MIN_QUERY_LENGTH:
            context["error"] = MSG_QUERY_TOO_SHORT % {"count": MIN_QUERY_LENGTH}
        else:
            hits = merchant_lookup(q=query)
            stats = merchant_stats_many(merchant_ids=[hit.merchant.pk for hit in hits])
            context["results"] = [
                {
                    "hit": hit,
                    "matched_label": KIND_LABELS.get(hit.matched_by, hit.matched_by),
                    "complaints": stats[hit.merchant.pk].complaints if hit.merchant.pk in stats else 0,
                }
                for hit in hits
            ]
    return render(request, "pages/merchants/search.html", context)


@require_safe
def merchant_detail(request, uuid):
    merchant = merchant_get(uuid=uuid)
    if not merchant.is_active:
        # Merges can be undone, so the old address is redirected for now (302), not for good.
        return redirect("pages:merchant_detail", uuid=merchant.merged_into.uuid)
    summary = merchant_summary(merchant_id=merchant.pk)
    context = {
        "merchant": merchant,
        "identifiers": public_identifiers(merchant),
        "summary": summary,
        "windows": [(label, summary.windows.get(name, 0)) for name, label in WINDOW_LABELS.items()],
        "public_complaints": public_complaints(merchant),
        "is_moderator": request.user.is_authenticated and request.user.is_moderator,
    }
    return render(request, "pages/merchants/detail.html", context)
