"""Downloads of the dashboard's tables and complaint list, with the page's filters and the user's scope."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from portal.dashboards import exports, services
from portal.dashboards.filters import DashboardFilterForm
from portal.dashboards.scope import scope_required

MSG_FILTERS_INVALID = _("The filters are not valid:")
MSG_TOO_MANY_ROWS = _(
    "Too many complaints for one spreadsheet (at most %(rows)d). Download CSV, or choose a shorter period."
)


def _errors_text(form: DashboardFilterForm) -> str:
    """The form's errors as plain text, each after the label of the field it is about."""
    lines = [str(MSG_FILTERS_INVALID)]
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines += [f"{label}: {error}" if label else str(error) for error in errors]
    return "\n".join(lines)


def _bad_request(text: str) -> HttpResponse:
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def export_filename(table: str, fmt: str, form: DashboardFilterForm) -> str:
    """ASCII only, from the table's code and the dates, never from anything the user typed."""
    data = form.cleaned_data
    return f"redress-{table}-{data['start']:%Y-%m-%d}-{data['end']:%Y-%m-%d}.{fmt}"


# GET only: a HEAD would log an export and spend the rate limit without downloading anything.
@require_GET
@never_cache
def export(request, table, fmt):
    """One table of the dashboard (or its complaint list) as CSV or XLSX. Anonymous visitors log in first, as the
    link may be shared; anyone without a dashboard gets 404, as for the page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = scope_required(request.user)
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    # Each export can read every complaint of a province; a cap per account keeps one from scraping them all.
    if is_ratelimited(request, group="dashboards:export", key="user", rate=settings.EXPORT_RATE, increment=True):
        return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
    form = DashboardFilterForm(request.GET, scope=scope)
    if not form.is_valid():
        return _bad_request(_errors_text(form))
    f = form.stats_filter()
    if fmt == "xlsx" and table == "complaints" and exports.complaint_count(f) > exports.XLSX_MAX_ROWS:
        return _bad_request(MSG_TOO_MANY_ROWS % {"rows": exports.XLSX_MAX_ROWS})
    data = exports.export_table(table, f, interval=form.cleaned_data["interval"], full_text=request.user.is_moderator)
    log = services.export_log_start(user=request.user, table=table, fmt=fmt, filters=form.query_params())
    filename = export_filename(table, fmt, form)
    if fmt == "csv":
        stream = exports.csv_stream(data, on_finish=lambda rows: services.export_log_finish(log=log, rows=rows))
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    try:
        file, rows = exports.xlsx_file(data)
    except exports.TooManyRows:
        return _bad_request(MSG_TOO_MANY_ROWS % {"rows": exports.XLSX_MAX_ROWS})
    services.export_log_finish(log=log, rows=rows)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)
