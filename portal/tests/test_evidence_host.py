"""The evidence origin (settings.EVIDENCE_ORIGIN): checked when the settings load, allowed as a host and for images,
and, on its host, nothing of the main site: no page, no static file, no cookie."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from portal.accounts.tests.factories import UserFactory
from portal.evidence_origin import evidence_origin, is_origin_host
from portal.pages.tests.test_settings import PRODUCTION, run_with
from portal.tests.security.routes import routes

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "settings.py"
ORIGIN = "https://files.redress.example"
HOST = "files.redress.example"


def settings_with(monkeypatch, **environment) -> dict:
    """portal/settings.py as it loads with these environment variables."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.fixture
def configured(settings):
    settings.EVIDENCE_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return settings


# Settings ------------------------------------------------------------------------------------------------------


def test_unset_nothing_changes(monkeypatch):
    monkeypatch.delenv("EVIDENCE_ORIGIN", raising=False)
    loaded = settings_with(monkeypatch, ALLOWED_HOSTS="redress.example")

    assert loaded["EVIDENCE_ORIGIN"] == ""
    assert loaded["ALLOWED_HOSTS"] == ["redress.example"]
    assert loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_set_its_host_is_allowed_and_its_images_shown(monkeypatch):
    loaded = settings_with(
        monkeypatch, EVIDENCE_ORIGIN="HTTPS://Files.Redress.example:443/", ALLOWED_HOSTS="redress.example"
    )

    assert loaded["EVIDENCE_ORIGIN"] == ORIGIN
    assert loaded["ALLOWED_HOSTS"] == ["redress.example", HOST]
    assert loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:", ORIGIN]
    assert loaded["MIDDLEWARE"][:2] == [
        "django.middleware.security.SecurityMiddleware",
        "portal.evidence_host.EvidenceHostMiddleware",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("files.redress.example", "must be an http or https origin"),
        ("ftp://files.redress.example", "must be an http or https origin"),
        ("https://", "must be an http or https origin"),
        ("https://files.redress.example/evidence", "scheme and a host only"),
        ("https://files.redress.example/?a=1", "scheme and a host only"),
        ("https://files.redress.example/#top", "scheme and a host only"),
        ("https://user:secret@files.redress.example", "scheme and a host only"),
        ("https://files.redress.example:port", "port that is not a number"),
        ("https://redress.example", "another origin than SITE_URL's"),
        ("https://REDRESS.example:443/", "another origin than SITE_URL's"),
    ],
)
def test_a_wrong_value_stops_the_start_up_with_a_clear_message(monkeypatch, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        settings_with(monkeypatch, EVIDENCE_ORIGIN=value, SITE_URL="https://redress.example")


def test_a_process_with_a_wrong_value_does_not_start():
    result = run_with({**PRODUCTION, "EVIDENCE_ORIGIN": "https://files.redress.example/evidence"}, "manage.py", "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: EVIDENCE_ORIGIN must be a scheme and a host only" in result.stderr


def test_the_production_variables_with_an_evidence_origin_pass_the_deploy_checks():
    environment = {**PRODUCTION, "EVIDENCE_ORIGIN": "https://files.redress-usercontent.example"}
    result = run_with(environment, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_another_port_of_the_sites_host_is_another_origin():
    assert evidence_origin("http://127.0.0.1:8001", site_url="http://127.0.0.1:8000") == "http://127.0.0.1:8001"
    assert evidence_origin("  ", site_url="http://127.0.0.1:8000") == ""


@pytest.mark.parametrize(
    ("host", "origin", "matches"),
    [
        (HOST, ORIGIN, True),
        ("FILES.redress.example", ORIGIN, True),
        (f"{HOST}:443", ORIGIN, True),
        (f"{HOST}:8443", ORIGIN, False),
        ("redress.example", ORIGIN, False),
        ("evil.files.redress.example", ORIGIN, False),
        ("localhost:8001", "http://localhost:8001", True),
        ("localhost:8000", "http://localhost:8001", False),
        ("localhost", "http://localhost", True),
    ],
)
def test_which_hosts_are_the_evidence_origin(host, origin, matches):
    assert is_origin_host(host, origin) is matches


# The main site's pages -----------------------------------------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header's directives and their sources, in whatever order it lists them."""
    parts = (directive.split() for directive in policy.split(";") if directive.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.django_db
def test_pages_allow_images_from_the_evidence_origin_once_it_is_set(client, monkeypatch, settings):
    loaded = settings_with(monkeypatch, EVIDENCE_ORIGIN=ORIGIN)
    before = client.get("/")["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = loaded["CONTENT_SECURITY_POLICY"]

    after = client.get("/")["Content-Security-Policy"]

    assert directives(before)["img-src"] == ["'self'", "data:"]
    assert directives(after)["img-src"] == ["'self'", "data:", ORIGIN]


@pytest.mark.django_db
def test_the_main_site_still_answers_on_its_own_host(client, configured):
    assert client.get("/").status_code == 200


# Its host: nothing of the main site --------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_route_of_the_main_site_exists_on_the_evidence_host(configured):
    """Every route of the main site (the admin's included), requested by a signed-in browser, and the static files."""
    configured.WHITENOISE_USE_FINDERS = True
    configured.WHITENOISE_AUTOREFRESH = True
    site = Client()
    site.force_login(UserFactory(is_staff=True, is_superuser=True))
    evidence = Client(HTTP_HOST=HOST)
    evidence.cookies = site.cookies
    static = "/static/css/site.css"
    assert site.get(static).status_code == 200

    answered = {}
    for path in sorted({route.sample_path() for route in routes()} | {static, "/", "/nowhere/"}):
        for method in (evidence.get, evidence.post):
            response = method(path, secure=True)
            if response.status_code != 404 or response.content or response.cookies:
                answered[f"{method.__name__} {path}"] = (response.status_code, response.cookies.output())
    assert answered == {}
