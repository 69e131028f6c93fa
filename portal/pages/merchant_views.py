"""Public merchant pages: "check before you pay" (look a merchant up by anything you have) and the profile."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from merchants import identifiers as ids
from merchants.lookup import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH
from merchants.selectors import merchant_get
from portal.escalations.alerts import merchant_live_alert
from portal.pages.profiles import case_url, check_results, merchant_profile, percent, query_is_personal

MSG_QUERY_TOO_SHORT = _("Type at least %(count)d characters.")
WINDOW_LABELS = {"24h": _("Last 24 hours"), "7d": _("Last 7 days"), "30d": _("Last 30 days")}


def lookup_rate() -> str:
    """The page answers what the API's lookup answers, so it is limited like it (per client address)."""
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["lookup"]


@require_safe
def merchant_search_moved(request):
    """/merchants/ was the check's first address: links to it go on to /check/ for good, with their query."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(reverse("pages:check") + (f"?{query}" if query else ""))


@require_safe
def check(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    hidden = query_is_personal(query)
    context = {
        # A phone or an account typed in is not written back into the page (profiles.query_is_personal).
        "query": "" if hidden else query,
        "query_hidden": hidden,
        "results": None,
        "min_length": MIN_QUERY_LENGTH,
        "max_length": MAX_QUERY_LENGTH,
    }
    if query:
        if is_ratelimited(request, group="pages:check", key="ip", rate=lookup_rate(), increment=True):
            return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
        if len(ids.clean_text(query)) < MIN_QUERY_LENGTH:
            context["error"] = MSG_QUERY_TOO_SHORT % {"count": MIN_QUERY_LENGTH}
        else:
            context["results"] = check_results(q=query)
    return render(request, "pages/check.html", context)


@require_safe
def merchant_detail(request, uuid):
    merchant = merchant_get(uuid=uuid)
    if not merchant.is_active:
        # Merges can be undone, so the old address is redirected for now (302), not for good.
        return redirect("pages:merchant_detail", uuid=merchant.merged_into.uuid)
    profile = merchant_profile(merchant)
    is_moderator = request.user.is_authenticated and request.user.is_moderator
    context = {
        "merchant": merchant,
        "profile": profile,
        "summary": profile.summary,
        "identifiers": profile.identifiers,
        "windows": [(label, profile.summary.windows.get(name, 0)) for name, label in WINDOW_LABELS.items()],
        "public_complaints": profile.published,
        "response_percent": percent(profile.record.response_rate),
        "timely_percent": percent(profile.record.timely_share),
        "reply_days": settings.MERCHANT_REPLY_DAYS,
        "chart": _chart(profile),
        "case_url": case_url(merchant),
        "is_moderator": is_moderator,
        "live_alert": merchant_live_alert(merchant_id=merchant.pk) if is_moderator else None,
    }
    return render(request, "pages/merchants/detail.html", context)


def _chart(profile) -> dict:
    """The month-by-month figures for static/js/profile-chart.js (the table on the page holds the same)."""
    monthly = profile.monthly
    return {
        "months": [row.key for row in monthly.rows],
        "series": [
            {"name": str(label), "data": [row.counts[index] for row in monthly.rows]}
            for index, (_code, label) in enumerate(monthly.categories)
        ],
    }
