"""Requests to the evidence origin (settings.EVIDENCE_ORIGIN) are served by its URLconf alone.

The middleware sits right after Django's SecurityMiddleware (HTTPS redirect, HSTS). A request whose Host is the
evidence origin's is resolved in settings.EVIDENCE_URLCONF, whose only views serve signed file links, and answered
here: the rest of the chain (sessions, authentication, CSRF, messages, static files) never runs for it, so none of
the main site's pages, files or cookies exist on that origin. Anything else on it is a bare 404.
"""

from django.conf import settings
from django.http import Http404, HttpResponseNotFound, HttpResponseServerError
from django.urls import get_resolver, set_urlconf

from portal.evidence_origin import is_origin_host


def _bare(response):
    """An error of the evidence origin: no body, nothing kept."""
    response["Cache-Control"] = "no-store"
    return response


def not_found(request):
    return _bare(HttpResponseNotFound(content_type="text/plain"))


def server_error(request):
    return _bare(HttpResponseServerError(content_type="text/plain"))


class EvidenceHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = settings.EVIDENCE_ORIGIN
        if not origin or not is_origin_host(request.get_host(), origin):
            return self.get_response(request)
        # Errors a view does not catch reach Django's handlers, which take the current URLconf's handler500.
        request.urlconf = settings.EVIDENCE_URLCONF
        set_urlconf(request.urlconf)
        try:
            request.resolver_match = get_resolver(request.urlconf).resolve(request.path_info)
            return request.resolver_match.func(request, *request.resolver_match.args, **request.resolver_match.kwargs)
        except Http404:
            return not_found(request)
