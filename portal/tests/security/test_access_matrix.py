"""Every URL of the site and every API operation against every role, as access_table.TABLE says.

The routes are read from the URL resolver when the test runs, so a view added by anyone must get a row in the
table (or the first test fails). Each request runs in a savepoint rolled back afterwards, so every row sees the
same world; a refused request must leave every guarded row (cast.GUARDED_APPS) exactly as it was.
"""

import copy

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.tests.security.access_table import KEPT, LOGIN, TABLE, Case
from portal.tests.security.cast import ROLES, api_client, db_state, html_client, writes_guarded_rows
from portal.tests.security.routes import ADMIN_NAMESPACE, route_names, routes

ADMIN_LOGIN = "admin:login"
ADMIN_LOGOUT = "admin:logout"
# The admin's account signed in with its password alone.
ADMIN_WITHOUT_SECOND_FACTOR = "admin_without_second_factor"

pytestmark = pytest.mark.django_db


def test_the_table_has_a_row_for_every_route_and_only_for_routes():
    site = {name for name in route_names() if not name.startswith(ADMIN_NAMESPACE)}
    in_table = {case.route for case in TABLE}

    assert sorted(site - in_table) == [], "routes without a row in access_table.TABLE"
    assert sorted(in_table - site) == [], "rows in access_table.TABLE for routes that no longer exist"
    assert all(set(case.expected) == set(ROLES) for case in TABLE)


def _send(client, case: Case, world, method: str):
    url = reverse(case.route, kwargs=case.kwargs(world)) + case.query
    data = case.data(world)
    if method == "get":
        return client.get(url)
    if case.api and not case.multipart:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def _outcome(response):
    """The status, or LOGIN for a redirect to the login page."""
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(resolve_url(settings.LOGIN_URL)):
        return LOGIN
    return response.status_code


def _refused(expected) -> bool:
    return expected in (LOGIN, KEPT) or (isinstance(expected, int) and expected >= 400)


def _request(client, case, world, method, before, expected):
    """The outcome of one request and whether it changed a guarded row; rolled back either way."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = _send(client, case, world, method)
        # Rows change only through writes: the snapshot is compared when a write touched a guarded table.
        wrote = any(writes_guarded_rows(query["sql"]) for query in queries)
        changed = _refused(expected) and wrote and db_state() != before
        transaction.set_rollback(True)
    # A logout or an account deletion replaces the session cookie: the next row signs in as before.
    client.cookies = cookies
    return _outcome(response), changed


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(role, world):
    clients = {False: html_client(world, role), True: api_client(world, role)}
    before = db_state()
    wrong = []
    for case in TABLE:
        expected = case.expected[role]
        outcome, changed = _request(clients[case.api], case, world, case.method, before, expected)
        got = KEPT if expected == KEPT and outcome == 302 and not changed else outcome
        if got != expected or changed:
            wrong.append(f"{case}: expected {expected}, got {outcome}{' and rows changed' if changed else ''}")
        if case.method == "post" and case.post_only and (not _refused(expected) or expected == KEPT):
            outcome, changed = _request(clients[case.api], case, world, "get", before, 405)
            if outcome != 405 or changed:
                wrong.append(f"{case}: a GET got {outcome}, not 405")
    assert not wrong, "\n".join(wrong)


def test_a_change_by_a_refused_request_is_noticed(world):
    """The control: a request that changes rows, expected to be refused, is reported as a change."""
    case = next(case for case in TABLE if case.route == "complaints:withdraw")
    client = html_client(world, "complainant_a")

    outcome, changed = _request(client, case, world, "post", db_state(), 404)

    assert outcome == 302
    assert changed


@pytest.mark.parametrize("role", [*ROLES, ADMIN_WITHOUT_SECOND_FACTOR])
def test_the_admin_opens_only_for_staff_who_passed_the_second_factor(role, world, settings):
    """Django's admin, every page of it: the admin (signed in and verified by a TOTP device) gets in; everyone
    else is sent to the admin's own login, which asks for the second factor."""
    # As docs/security-tests.md recommends for production: otherwise django-otp's admin shows every device's
    # secret key and QR code to every superuser (devices are enrolled with manage.py otp_enrol, not there), and
    # its QR code page fails with a 500 for a device id that does not exist.
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = True
    if role == ADMIN_WITHOUT_SECOND_FACTOR:
        client = Client()
        client.force_login(world.users["admin"])
    else:
        client = html_client(world, role)
    login = reverse("admin:login")
    wrong = []
    for route in routes():
        if not route.name.startswith(ADMIN_NAMESPACE) or route.name in (ADMIN_LOGIN, ADMIN_LOGOUT):
            continue
        response = client.get(route.sample_path())
        location = response.get("Location", "")
        if role == "admin":
            if response.status_code >= 500 or location.startswith(login):
                wrong.append(f"{route.name}: {response.status_code} {location}")
        elif not (response.status_code == 302 and location.startswith(login)):
            wrong.append(f"{route.name}: {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)
    # The login form is for everyone; the logout sends outsiders to the admin's index (and so to its login), and
    # takes only a POST from the admin.
    assert client.get(login).status_code == (302 if role == "admin" else 200)
    logout = client.get(reverse(ADMIN_LOGOUT))
    assert logout.status_code == (405 if role == "admin" else 302)
