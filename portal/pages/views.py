from django.core.exceptions import TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.http import require_safe

from portal.api.errors import MSG_SERVER_ERROR, MSG_TOO_MANY_FILES, error_body

MSG_BAD_REQUEST = _("The request could not be understood. Nothing you saved before was lost; please try again.")
MSG_RATELIMITED = _("Too many requests. Please wait a minute and try again.")
MSG_NOT_FOUND = _("Not found.")
HEADING_PROBLEM = _("Something went wrong")
HEADING_WAIT = _("Please wait a moment")


@require_safe
def home(request):
    return render(request, "pages/home.html")


def bad_request(request, exception=None):
    """handler400: a clear message (JSON under /api/), including for too many files in one request."""
    message = MSG_TOO_MANY_FILES if isinstance(exception, TooManyFilesSent) else MSG_BAD_REQUEST
    code = "too_many_files" if isinstance(exception, TooManyFilesSent) else "bad_request"
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code=code, message=message), status=400)
    return render(request, "problem.html", {"heading": HEADING_PROBLEM, "message": message}, status=400)


def ratelimited(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="throttled", message=MSG_RATELIMITED), status=429)
    return render(request, "problem.html", {"heading": HEADING_WAIT, "message": MSG_RATELIMITED}, status=429)


def not_found(request, exception=None):
    """handler404: the API's error body under /api/, the friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", message=MSG_NOT_FOUND), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: the API's error body under /api/; elsewhere Django's plain 500 page (500.html)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="server_error", message=MSG_SERVER_ERROR), status=500)
    return defaults.server_error(request)
