"""The dashboard of authority staff and moderators, and the public statistics page.

Both are thin: the filter form parses the URL and narrows it to the user's scope, portal.dashboards.selectors
reads the figures, and the template shows them as tables and hands the same numbers to static/js/dashboard.js
for the charts, so a chart, its table and its export never disagree.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from complaints.statistics import StatsFilter, stats_timeseries
from portal.dashboards.filters import INTERVAL_LABELS, RISK_LABELS, DashboardFilterForm
from portal.dashboards.scope import scope_required
from portal.dashboards.selectors import (
    dashboard_complaints,
    dashboard_summary,
    label,
    labelled_breakdown,
    public_merchants,
    rising_merchants,
)

BREAKDOWNS = ("category", "platform", "province")
EXPORT_FORMATS = ("csv", "xlsx")
COMPLAINTS_PER_PAGE = 50
NARRATIVE_CHARS = 140
SPARK_WIDTH, SPARK_HEIGHT = 120, 28

BREAKDOWN_HEADINGS = {"category": _("By category"), "platform": _("By platform"), "province": _("By province")}
KEY_HEADINGS = {"category": _("Category"), "platform": _("Platform"), "province": _("Province")}
CARD_LABELS = {
    "complaints": _("Complaints"),
    "loss": _("Claimed loss (CNY)"),
    "merchants": _("Merchants complained about"),
}

# The public page offers a few fixed periods: one cache entry each per language, and nothing a visitor types can
# make a new (uncached) query. Each period is drawn weekly or monthly.
PUBLIC_PERIODS = {"30d": (30, "week"), "90d": (90, "week"), "365d": (365, "month")}
PUBLIC_PERIOD_LABELS = {"30d": _("Last 30 days"), "90d": _("Last 90 days"), "365d": _("Last 12 months")}
PUBLIC_DEFAULT_PERIOD = "365d"
PUBLIC_MERCHANTS_SHOWN = 50
# Per client address. Figures come from the cache, so this only keeps a scraper from hogging the page.
PUBLIC_STATS_RATE = "60/m"


def sparkline_points(values: list[int]) -> str:
    """SVG polyline points for a merchant's complaints per period, scaled into a small box, highest at the top."""
    if not values:
        return ""
    top = max(values) or 1
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    usable = SPARK_HEIGHT - 4
    return " ".join(f"{i * step:.1f},{SPARK_HEIGHT - 2 - value / top * usable:.1f}" for i, value in enumerate(values))


def headline_cards(summary: dict) -> list[dict]:
    return [
        {
            "name": name,
            "label": CARD_LABELS[name],
            **summary[name],
            "change_abs": abs(summary[name]["change"]) if summary[name]["change"] is not None else None,
        }
        for name in CARD_LABELS
    ]


def chart_payload(series: list[dict], breakdowns: dict[str, list[dict]]) -> dict:
    """What dashboard.js draws, with the chart's words already in the page's language. Money as strings, exact."""
    return {
        "names": {"complaints": gettext("Complaints"), "loss": gettext("Claimed loss (CNY)")},
        "timeseries": {
            "periods": [row["period"].isoformat() for row in series],
            "complaints": [row["complaints"] for row in series],
            "loss": [str(row["loss"]) for row in series],
        },
        "breakdowns": {
            by: {"labels": [row["label"] for row in rows], "complaints": [row["complaints"] for row in rows]}
            for by, rows in breakdowns.items()
        },
    }


def breakdown_sections(breakdowns: dict[str, list[dict]], exports: dict | None = None) -> list[dict]:
    return [
        {
            "by": by,
            "heading": BREAKDOWN_HEADINGS[by],
            "key_heading": KEY_HEADINGS[by],
            "rows": rows,
            "exports": (exports or {}).get(by),
        }
        for by, rows in breakdowns.items()
    ]


def export_links(params: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Every table's CSV and Excel download, with the page's filters."""
    query = urlencode(params, doseq=True)
    tables = ("timeseries", *BREAKDOWNS, "merchants", "complaints")
    return {
        table: {
            fmt: f"{reverse('dashboards:export', kwargs={'table': table, 'fmt': fmt})}?{query}"
            for fmt in EXPORT_FORMATS
        }
        for table in tables
    }


def shown_values(form: DashboardFilterForm, data) -> dict[str, str]:
    """What the date and interval inputs show: the period in effect (defaults filled in) when the filters are
    valid, so a bookmark of the submitted form means the same period; otherwise what was typed."""
    if form.is_valid():
        cleaned = form.cleaned_data
        return {"from": cleaned["start"].isoformat(), "to": cleaned["end"].isoformat(), "interval": cleaned["interval"]}
    return {
        "from": data.get("from", data.get("start", "")),
        "to": data.get("to", data.get("end", "")),
        "interval": data.get("interval", ""),
    }


def drill_down_url(params: dict[str, list[str]], merchant) -> str:
    """The dashboard with the same filters, narrowed to one merchant."""
    query = urlencode({**params, "merchant": [str(merchant.uuid)]}, doseq=True)
    return f"{reverse('dashboards:dashboard')}?{query}"


def complaint_rows(f: StatsFilter, page_number) -> tuple:
    page = Paginator(dashboard_complaints(f), COMPLAINTS_PER_PAGE).get_page(page_number)
    # Dates in the site's time zone, formatted by the template with isoformat(): the date filter took 60 µs a call.
    rows = [
        {
            "complaint": complaint,
            "submitted_at": timezone.localtime(complaint.submitted_at),
            "platform": label("platform", complaint.platform),
            "province": label("province", complaint.region),
            "excerpt": Truncator(complaint.narrative_redacted).chars(NARRATIVE_CHARS),
        }
        for complaint in page
    ]
    return page, rows


@require_safe
def dashboard(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = scope_required(request.user)
    form = DashboardFilterForm(request.GET, scope=scope)
    # The form's own "merchant" is its field in a template, so the merchant it found goes in under its own name.
    context = {"form": form, "scope": scope, "shown": shown_values(form, request.GET), "merchant": form.merchant}
    if not form.is_valid():
        # The filters are in the address: a mistyped bookmark is the client's error, and no figure is shown.
        return render(request, "dashboards/dashboard.html", context, status=400)

    f = form.stats_filter()
    interval = form.cleaned_data["interval"]
    params = form.query_params()
    exports = export_links(params)
    series = stats_timeseries(f, interval=interval)
    breakdowns = {by: labelled_breakdown(f, by=by) for by in BREAKDOWNS}
    summary = dashboard_summary(f, scope=scope, series=series)
    rising = [
        {
            "row": row,
            "url": drill_down_url(params, row.merchant),
            "risk": RISK_LABELS[row.risk_level],
            "sparkline": sparkline_points(row.sparkline),
        }
        for row in rising_merchants(f, interval=interval)
    ]
    context.update(
        figures=True,
        interval_label=INTERVAL_LABELS[interval],
        cards=headline_cards(summary),
        escalations=summary["escalations"],
        series=series,
        breakdowns=breakdown_sections(breakdowns, exports),
        rising=rising,
        exports=exports,
        charts=chart_payload(series, breakdowns),
        spark_width=SPARK_WIDTH,
        spark_height=SPARK_HEIGHT,
    )
    if form.merchant is not None:
        page, rows = complaint_rows(f, request.GET.get("page"))
        context.update(
            page=page,
            complaints=rows,
            is_moderator=request.user.is_moderator,
        )
    return render(request, "dashboards/dashboard.html", context)


def public_figures(period: str) -> dict:
    """The public page's figures for one of PUBLIC_PERIODS ending today, cached per period and language (the
    labels are translated) for PUBLIC_STATS_CACHE_SECONDS. National: no scope, no filter a visitor can set."""
    today = timezone.localdate()
    key = f"dashboards:public:{period}:{get_language()}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        days, interval = PUBLIC_PERIODS[period]
        f = StatsFilter(start=today - timedelta(days=days - 1), end=today)
        series = stats_timeseries(f, interval=interval)
        figures = {
            "start": f.start,
            "end": f.end,
            "summary": dashboard_summary(f, scope=None, series=series),
            "series": series,
            "breakdowns": {by: labelled_breakdown(f, by=by) for by in BREAKDOWNS},
            "merchants": public_merchants(
                f, min_complaints=settings.PUBLIC_STATS_MIN_COMPLAINTS, limit=PUBLIC_MERCHANTS_SHOWN
            ),
        }
        cache.set(key, figures, settings.PUBLIC_STATS_CACHE_SECONDS)
    return figures


@require_safe
def public_statistics(request):
    if is_ratelimited(request, group="dashboards:public_statistics", key="ip", rate=PUBLIC_STATS_RATE, increment=True):
        return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
    # Only the period is read from the address; anything else (a province, a platform, a merchant) is ignored.
    period = request.GET.get("period")
    if period not in PUBLIC_PERIODS:
        period = PUBLIC_DEFAULT_PERIOD
    figures = public_figures(period)
    context = {
        "period": period,
        "periods": [(code, PUBLIC_PERIOD_LABELS[code]) for code in PUBLIC_PERIODS],
        "start": figures["start"],
        "end": figures["end"],
        "cards": headline_cards(figures["summary"]),
        "series": figures["series"],
        "interval_label": INTERVAL_LABELS[PUBLIC_PERIODS[period][1]],
        "breakdowns": breakdown_sections(figures["breakdowns"]),
        "merchants": figures["merchants"],
        "min_complaints": settings.PUBLIC_STATS_MIN_COMPLAINTS,
        "charts": chart_payload(figures["series"], figures["breakdowns"]),
    }
    return render(request, "dashboards/public_statistics.html", context)
