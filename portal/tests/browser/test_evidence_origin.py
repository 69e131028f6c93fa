"""Evidence from the evidence origin in a real browser: the complainant's page shows the picture's thumbnail, which
chromium fetches through the main site's redirect from another origin (the page's Content-Security-Policy and the
thumbnail's Cross-Origin-Resource-Policy must both allow it), and the PDF downloads from there with its bytes."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints import services
from complaints.models import Evidence
from complaints.tests.files import jpeg_bytes, pdf_bytes, upload
from complaints.tests.test_views import FACTS, MERCHANT
from portal.accounts.tests.factories import UserFactory
from portal.tests.browser.test_representative_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_thumbnails_show_and_files_download_from_the_evidence_origin(page, live_server, settings):
    # The live server answers on both names: localhost is the site, 127.0.0.1 the evidence origin.
    origin = live_server.url.replace("localhost", "127.0.0.1")
    assert origin != live_server.url
    settings.EVIDENCE_ORIGIN = origin
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "img-src": [*directives["img-src"], origin]}}
    complainant = UserFactory(email="buyer@example.com")
    draft = services.draft_save(draft=services.draft_create(owner=complainant), data={**MERCHANT, **FACTS})
    services.evidence_upload(
        user=complainant, uploads=[upload("order.jpg", jpeg_bytes()), upload("invoice.pdf", pdf_bytes())], draft=draft
    )
    complaint = services.draft_submit(draft=draft)
    assert {e.status for e in complaint.evidence.all()} == {Evidence.Status.READY}
    images = []
    page.on("response", lambda response: images.append(response) if response.request.resource_type == "image" else None)

    log_in(page, live_server, complainant.email)
    page.goto(f"{live_server.url}{reverse('complaints:detail', kwargs={'uuid': complaint.uuid})}")

    thumbnail = page.locator(".evidence-thumb img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    assert [r.status for r in images if r.url.startswith(f"{origin}/evidence/")] == [200]

    pdf = page.locator(".evidence-item", has_text="invoice.pdf").get_by_role("link", name="Download")
    with page.expect_download() as downloading:
        pdf.click()
    download = downloading.value
    assert download.url.startswith(f"{origin}/evidence/")
    assert download.suggested_filename == "invoice.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == pdf_bytes()
