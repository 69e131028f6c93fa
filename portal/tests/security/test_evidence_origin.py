"""With an evidence origin (settings.EVIDENCE_ORIGIN), the private-file routes answer every role as access_table
says, except that a role allowed a file is redirected to a signed link on the evidence origin, which serves it.

The evidence origin's own URLconf (portal/evidence_urls.py) is not the site's, so test_access_matrix never walks
it: its routes take no account, and what they accept and refuse is tested in complaints/tests/test_evidence_origin.py
and portal/business/tests/test_evidence_origin.py; that no route of the site exists there, in
portal/tests/test_evidence_host.py. Here the site's rows for the file routes hold when the files move.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import get_resolver, reverse

from portal.tests.security.access_table import LOGIN, TABLE
from portal.tests.security.cast import ROLES, html_client

ORIGIN = "https://files.redress.example"
HOST = "files.redress.example"
FILE_ROUTES = ("complaints:evidence_file", "business:licence")

pytestmark = pytest.mark.django_db


def _outcome(response):
    """The status, or LOGIN for a redirect to the login page."""
    if response.status_code == 302 and response["Location"].startswith(resolve_url(django_settings.LOGIN_URL)):
        return LOGIN
    return response.status_code


def test_the_evidence_origin_has_only_the_signed_file_routes():
    resolver = get_resolver("portal.evidence_urls")

    assert [str(pattern.pattern) for pattern in resolver.url_patterns] == [
        "evidence/<str:token>/",
        "licences/<str:token>/",
    ]


def test_each_role_is_answered_as_the_table_says_with_the_file_on_the_evidence_origin(world, settings):
    settings.EVIDENCE_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    cases = [case for case in TABLE if case.route in FILE_ROUTES]
    assert {case.route for case in cases} == set(FILE_ROUTES)
    wrong = []
    for role in ROLES:
        client = html_client(world, role)
        for case in cases:
            expected = case.expected[role]
            response = client.get(reverse(case.route, kwargs=case.kwargs(world)))
            location = response.get("Location", "")
            if expected != 200:
                if _outcome(response) != expected or location.startswith(ORIGIN):
                    wrong.append(f"{case} as {role}: expected {expected}, got {response.status_code} {location}")
                continue
            served = Client(HTTP_HOST=HOST).get(urlsplit(location).path, secure=True)
            if served.streaming:
                # Reading a streamed file to its end ends its request, which puts back the site's URLconf.
                b"".join(served.streaming_content)
            if response.status_code != 302 or not location.startswith(ORIGIN) or served.status_code != 200:
                wrong.append(f"{case} as {role}: got {response.status_code} {location}, then {served.status_code}")
    assert not wrong, "\n".join(wrong)
