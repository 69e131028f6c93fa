"""Every state change needs a CSRF token when the browser's session is what authenticates it.

The test walks every URL pattern of the site (new views are covered as they are added), fills in the converters,
and sends POST, PUT, PATCH and DELETE, with and without htmx's header, from a logged-in session without a token.
Each must be refused by a CSRF check: Django's middleware for pages and forms, DRF's SessionAuthentication for
the API. The API's token authentication needs no CSRF token (a browser never sends the header by itself), and
views that do not authenticate by session at all (the token sign-in) have no session to protect.
"""

import re
import uuid

import pytest
from django.http import HttpResponseForbidden
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

UNSAFE = ["post", "put", "patch", "delete"]
REFUSED_BY_CSRF = "X-Test-Refused-By-CSRF"
# Plain Django views that may take a POST without a CSRF token, each with the reason. None so far.
CSRF_EXEMPT_PAGES: dict[str, str] = {}
SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1)), "slug": "x1", "str": "x1", "path": "x1"}
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def csrf_refused(request, reason=""):
    """settings.CSRF_FAILURE_VIEW in these tests: marks the refusals Django's CSRF middleware makes."""
    response = HttpResponseForbidden(reason)
    response[REFUSED_BY_CSRF] = "1"
    return response


def _regex_sample(regex: str) -> str:
    """A string the pattern's regex matches: each named group replaced by the first sample it accepts."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    out, index = [], 0
    while (start := regex.find("(?P<", index)) != -1:
        out.append(regex[index:start])
        depth, end = 0, start
        for end in range(start, len(regex)):
            depth += {"(": 1, ")": -1}.get(regex[end], 0)
            if depth == 0:
                break
        group = regex[regex.index(">", start) + 1 : end]
        out.append(next(value for value in [*SAMPLES.values(), "accounts"] if re.fullmatch(group, value)))
        index = end + 1
    out.append(regex[index:])
    return "".join(out).replace("\\", "")


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: SAMPLES[m.group("converter") or "str"], str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    return _regex_sample(pattern.regex.pattern)


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + _sample(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + _sample(entry.pattern), entry


def routes() -> list[tuple[str, URLPattern]]:
    return list(_walk(get_resolver()))


def _uses_session(callback) -> bool:
    view_class = getattr(callback, "cls", None)
    classes = getattr(callback, "initkwargs", {}).get("authentication_classes") or view_class.authentication_classes
    return any(issubclass(auth, SessionAuthentication) for auth in classes)


def _refused_by_csrf(response) -> bool:
    """Refused by Django's middleware (its failure view marks it) or by DRF's session check (the spy below)."""
    marked = response.get(REFUSED_BY_CSRF) or response.wsgi_request.META.get(REFUSED_BY_CSRF)
    return response.status_code == 403 and bool(marked)


@pytest.fixture
def session_client(settings, complainant, monkeypatch):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    enforce_csrf = SessionAuthentication.enforce_csrf

    def spy(self, request):
        # DRF renders its refusal in whatever format the view speaks (JSON, YAML, HTML): mark the request instead.
        try:
            enforce_csrf(self, request)
        except exceptions.PermissionDenied:
            request._request.META[REFUSED_BY_CSRF] = "1"
            raise

    monkeypatch.setattr(SessionAuthentication, "enforce_csrf", spy)
    client = Client(enforce_csrf_checks=True)
    client.force_login(complainant)
    return client


def test_the_walk_reaches_every_view():
    found = routes()
    assert len(found) > 100
    for path, pattern in found:
        assert resolve(path).func == pattern.callback, path
    paths = {path for path, _pattern in found}
    assert {"/accounts/delete/", "/api/v1/complaints/", "/admin/login/", "/i18n/setlang/"} <= paths


def test_every_state_change_from_a_session_needs_a_csrf_token(session_client):
    not_refused = []
    for path, pattern in routes():
        callback = pattern.callback
        if getattr(callback, "csrf_exempt", False):
            if hasattr(callback, "cls"):
                if not _uses_session(callback):
                    continue
            else:
                assert path in CSRF_EXEMPT_PAGES, f"{path} is csrf_exempt without a reason in CSRF_EXEMPT_PAGES"
                continue
        for method in UNSAFE:
            for headers in ({}, {"HX-Request": "true"}):
                response = getattr(session_client, method)(path, headers=headers)
                if not _refused_by_csrf(response):
                    not_refused.append((method.upper(), path, response.status_code, headers))
    assert not_refused == []


def test_views_without_session_authentication_are_token_only():
    """The exemption above: DRF views that skip CSRF because no session authenticates them."""
    exempt = {path for path, p in routes() if hasattr(p.callback, "cls") and not _uses_session(p.callback)}
    assert reverse("api:token") in exempt
    assert reverse("api:complaints") not in exempt


def test_the_api_refuses_a_session_without_a_token_and_takes_the_api_token(session_client, complainant):
    complaint = ComplaintFactory(complainant=complainant)
    path = reverse("api:complaint-withdraw", kwargs={"code": complaint.code})
    token = Token.objects.create(user=complainant)

    from_session = session_client.post(path, {}, content_type="application/json")
    from_token = Client(enforce_csrf_checks=True).post(
        path, {}, content_type="application/json", headers={"Authorization": f"Token {token.key}"}
    )

    assert from_session.status_code == 403 and _refused_by_csrf(from_session)
    assert from_token.status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.WITHDRAWN


def test_a_session_with_the_csrf_token_gets_through(session_client, complainant):
    """The control: what the walk sends is refused for the missing token, not for anything else."""
    complaint = ComplaintFactory(complainant=complainant)
    page = session_client.get(reverse("accounts:privacy"))
    csrf = get_token(page.wsgi_request)
    session_client.cookies["csrftoken"] = csrf

    path = reverse("api:complaint-withdraw", kwargs={"code": complaint.code})
    api = session_client.post(path, {}, content_type="application/json", headers={"X-CSRFToken": csrf})
    form = session_client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": csrf})

    assert api.status_code == 200 and not _refused_by_csrf(api)
    assert form.status_code == 302 and not _refused_by_csrf(form)
