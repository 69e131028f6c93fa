"""Evidence served from the evidence origin (settings.EVIDENCE_ORIGIN): the main site checks who may see a file
and redirects to a short-lived signed link; the evidence origin serves that link and nothing else."""

import time
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse, set_urlconf

from complaints import evidence_links, privacy, services
from complaints.models import Evidence
from complaints.tests.files import jpeg_bytes, pdf_bytes, upload
from complaints.tests.test_views import FACTS, MERCHANT, body_of, file_url, file_with_evidence

pytestmark = pytest.mark.django_db

ORIGIN = "https://files.redress.example"
HOST = "files.redress.example"
HARDENING = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@pytest.fixture(autouse=True)
def _site_urlconf():
    """A file streamed from the evidence origin and not read to its end leaves its request open, and with it the
    evidence origin's URLconf in the thread; the next test must start on the site's, as the next request would."""
    yield
    set_urlconf(None)


@pytest.fixture
def evidence_origin(settings):
    settings.EVIDENCE_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return ORIGIN


@pytest.fixture
def complaint(complainant, django_capture_on_commit_callbacks):
    """A filed complaint with a ready picture and a ready PDF."""
    complaint = file_with_evidence(complainant, django_capture_on_commit_callbacks)
    assert {e.status for e in complaint.evidence.all()} == {Evidence.Status.READY}
    return complaint


@pytest.fixture
def owner(complainant):
    client = Client()
    client.force_login(complainant)
    return client


def evidence_host():
    """A browser on the evidence origin: it holds no cookie of the main site."""
    return Client(HTTP_HOST=HOST)


def link_of(response) -> str:
    """The signed link a redirect sends the browser to, checked to be on the evidence origin."""
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{ORIGIN}/evidence/")
    return urlsplit(location).path


def fetch(path, **extra):
    return evidence_host().get(path, secure=True, **extra)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def evidence_path(token: str) -> str:
    return f"/evidence/{token}/"


# Not configured --------------------------------------------------------------------------------------------


def test_without_an_evidence_origin_the_main_site_streams_the_file(owner, complaint, settings):
    assert settings.EVIDENCE_ORIGIN == ""
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)

    response = owner.get(file_url(pdf, "original"))

    assert response.status_code == 200
    assert body_of(response) == pdf_bytes()
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    for header, value in {**HARDENING, "Cross-Origin-Resource-Policy": "same-origin"}.items():
        assert response[header] == value


# The main site's redirect ----------------------------------------------------------------------------------


def test_someone_allowed_is_redirected_to_a_signed_link_that_no_cache_keeps(owner, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)

    response = owner.get(file_url(picture, "thumbnail"))

    link_of(response)
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_link_names_the_file_and_nothing_personal(owner, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)

    token = token_of(link_of(owner.get(file_url(picture, "display"))))

    assert signing.loads(token, salt=evidence_links.EVIDENCE_LINK_SALT) == [picture.uuid.hex, "display"]
    for personal in ("order", str(complaint.code), complaint.complainant.email):
        assert personal not in token


def test_someone_not_allowed_gets_no_link(client, stranger, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)
    client.force_login(stranger)

    response = client.get(file_url(picture, "thumbnail"))

    assert response.status_code == 404
    assert "Location" not in response


def test_an_anonymous_visitor_is_sent_to_log_in_not_to_the_evidence_origin(client, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)

    response = client.get(file_url(picture, "thumbnail"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_no_link_to_a_file_that_is_not_served(owner, complainant, evidence_origin):
    draft = services.draft_save(draft=services.draft_create(owner=complainant), data={**MERCHANT, **FACTS})
    services.evidence_upload(user=complainant, uploads=[upload("a.jpg", jpeg_bytes())], draft=draft)
    pending = draft.evidence.get()
    assert pending.status == Evidence.Status.PENDING

    assert owner.get(file_url(pending, "thumbnail")).status_code == 404


# The evidence origin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "variant", "attribute", "policy", "name", "content_type"),
    [
        (Evidence.Kind.IMAGE, "thumbnail", "thumbnail", "cross-origin", "order.jpg", "image/jpeg"),
        (Evidence.Kind.IMAGE, "display", "display", "same-origin", "order.jpg", "image/jpeg"),
        (Evidence.Kind.PDF, "original", "file", "same-origin", "invoice.pdf", "application/pdf"),
    ],
)
def test_the_link_streams_the_exact_file_hardened(
    owner, complaint, evidence_origin, kind, variant, attribute, policy, name, content_type
):
    """Thumbnails may be embedded by the main site's pages (another origin); nothing else may be embedded."""
    evidence = complaint.evidence.get(kind=kind)
    with getattr(evidence, attribute).open("rb") as stored:
        expected = stored.read()

    response = fetch(link_of(owner.get(file_url(evidence, variant))))

    assert response.status_code == 200
    assert body_of(response) == expected
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    for header, value in {**HARDENING, "Cross-Origin-Resource-Policy": policy}.items():
        assert response[header] == value
    assert not response.cookies


def test_the_link_works_within_its_lifetime_and_not_after(owner, complaint, evidence_origin, settings):
    settings.EVIDENCE_LINK_TTL = timedelta(seconds=60)
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)
    issued_at = time.time()
    with mock.patch("django.core.signing.time.time", return_value=issued_at):
        path = link_of(owner.get(file_url(pdf, "original")))

    with mock.patch("django.core.signing.time.time", return_value=issued_at + 59):
        assert fetch(path).status_code == 200
    with mock.patch("django.core.signing.time.time", return_value=issued_at + 61):
        expired = fetch(path)

    assert expired.status_code == 404
    assert expired.content == b""


def test_an_altered_link_is_refused(owner, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)
    thumbnail = token_of(link_of(owner.get(file_url(picture, "thumbnail"))))
    display = token_of(link_of(owner.get(file_url(picture, "display"))))
    payload, stamp, signature = thumbnail.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")

    assert fetch(evidence_path(thumbnail)).status_code == 200
    assert fetch(evidence_path(f"{payload}:{stamp}:{flipped}")).status_code == 404
    # The display picture's payload under the thumbnail's signature.
    assert fetch(evidence_path(f"{display.split(':')[0]}:{stamp}:{signature}")).status_code == 404
    assert fetch(evidence_path("not-a-token")).status_code == 404


def test_a_link_signed_for_anything_else_is_refused(owner, complaint, evidence_origin):
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)
    payload = [picture.uuid.hex, "thumbnail"]

    assert fetch(evidence_path(signing.dumps(payload, salt=evidence_links.EVIDENCE_LINK_SALT))).status_code == 200
    assert fetch(evidence_path(signing.dumps(payload))).status_code == 404
    assert fetch(evidence_path(signing.dumps(payload, salt="portal.business.licence-link"))).status_code == 404
    # A licence link's token is not an evidence link either, nor the other way round.
    assert fetch(f"/licences/{signing.dumps(payload, salt=evidence_links.EVIDENCE_LINK_SALT)}/").status_code == 404


def test_a_link_to_a_variant_never_served_is_refused_though_signed(complaint, evidence_origin):
    """The evidence origin applies the same rules as the main site: a picture's original keeps its metadata."""
    picture = complaint.evidence.get(kind=Evidence.Kind.IMAGE)
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)

    for evidence, variant in [(picture, "original"), (pdf, "thumbnail"), (picture, "../file")]:
        url = evidence_links.evidence_link(evidence=evidence, variant=variant)
        assert fetch(urlsplit(url).path).status_code == 404


def test_evidence_erased_after_the_link_was_issued_is_not_served(
    owner, complaint, evidence_origin, django_capture_on_commit_callbacks
):
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)
    path = link_of(owner.get(file_url(pdf, "original")))

    with django_capture_on_commit_callbacks(execute=True):
        assert privacy.complaint_erase(complaint=complaint, reason=privacy.RETENTION)

    assert fetch(path).status_code == 404


def test_a_file_gone_from_storage_is_not_found(owner, complaint, evidence_origin):
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)
    path = link_of(owner.get(file_url(pdf, "original")))
    pdf.file.storage.delete(pdf.file.name)

    assert fetch(path).status_code == 404


def test_the_link_is_refused_on_the_main_site(owner, complaint, evidence_origin):
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)
    path = link_of(owner.get(file_url(pdf, "original")))

    assert fetch(path).status_code == 200
    assert owner.get(path).status_code == 404
    assert Client().get(path).status_code == 404


def test_the_link_takes_only_get_and_head(owner, complaint, evidence_origin):
    pdf = complaint.evidence.get(kind=Evidence.Kind.PDF)
    path = link_of(owner.get(file_url(pdf, "original")))

    assert evidence_host().head(path, secure=True).status_code == 200
    assert evidence_host().post(path, secure=True).status_code == 405
