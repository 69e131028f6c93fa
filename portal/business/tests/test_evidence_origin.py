"""A representative's business licence on the evidence origin (settings.EVIDENCE_ORIGIN): the main site checks who
may see it and redirects to a short-lived signed link, which the evidence origin alone serves."""

import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import set_urlconf

from complaints.evidence_links import EVIDENCE_LINK_SALT
from complaints.tests import files
from portal.business.tests.factories import RepresentativeFactory
from portal.business.views import LICENCE_LINK_SALT

pytestmark = pytest.mark.django_db

ORIGIN = "https://files.redress.example"
HOST = "files.redress.example"


@pytest.fixture(autouse=True)
def _site_urlconf():
    """A file streamed from the evidence origin and not read to its end leaves its request open, and with it the
    evidence origin's URLconf in the thread; the next test must start on the site's, as the next request would."""
    yield
    set_urlconf(None)


@pytest.fixture(autouse=True)
def evidence_origin(settings):
    settings.EVIDENCE_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]


@pytest.fixture
def claim(complainant):
    return RepresentativeFactory(user=complainant)


def licence_url(representative):
    return f"/business/licences/{representative.uuid}/"


def link_for(user, representative) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(licence_url(representative))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ORIGIN}/licences/")
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    return urlsplit(response["Location"]).path


def fetch(path):
    return Client(HTTP_HOST=HOST).get(path, secure=True)


def test_the_claimant_and_moderators_are_sent_to_a_link_that_streams_the_licence(claim, complainant, moderator):
    for user in (complainant, moderator):
        response = fetch(link_for(user, claim))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="licence-{claim.uuid.hex[:8]}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert not response.cookies


def test_the_link_names_the_claim_and_nothing_personal(claim, complainant):
    token = link_for(complainant, claim).split("/")[2]

    assert signing.loads(token, salt=LICENCE_LINK_SALT) == claim.uuid.hex
    assert claim.uscc not in token


def test_anyone_else_gets_no_link(client, claim, stranger, merchant_rep, regulator):
    assert client.get(licence_url(claim))["Location"].startswith("/accounts/login/")
    for user in (stranger, merchant_rep, regulator):
        client.force_login(user)
        response = client.get(licence_url(claim))
        assert response.status_code == 404
        assert "Location" not in response


def test_an_expired_altered_or_foreign_link_is_refused(claim, complainant):
    issued_at = time.time()
    with mock.patch("django.core.signing.time.time", return_value=issued_at):
        path = link_for(complainant, claim)
    token = path.split("/")[2]

    with mock.patch("django.core.signing.time.time", return_value=issued_at + 59):
        assert fetch(path).status_code == 200
    with mock.patch("django.core.signing.time.time", return_value=issued_at + 61):
        assert fetch(path).status_code == 404
    assert fetch(f"/licences/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/").status_code == 404
    assert fetch(f"/licences/{signing.dumps(claim.uuid.hex, salt=EVIDENCE_LINK_SALT)}/").status_code == 404
    assert fetch(f"/licences/{signing.dumps(claim.uuid.hex)}/").status_code == 404
    assert fetch(f"/evidence/{token}/").status_code == 404


def test_the_link_is_refused_on_the_main_site(claim, complainant):
    path = link_for(complainant, claim)
    client = Client()
    client.force_login(complainant)

    assert fetch(path).status_code == 200
    assert client.get(path).status_code == 404


def test_a_licence_gone_after_the_link_was_issued_is_not_found(claim, complainant):
    path = link_for(complainant, claim)
    claim.licence.storage.delete(claim.licence.name)

    assert fetch(path).status_code == 404
