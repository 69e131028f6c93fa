import hashlib
import hmac
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from complaints import services, workflow
from complaints.models import Category, Complaint, ComplaintDraft, Evidence, TimelineEvent
from complaints.services import MSG_NO_MERCHANT
from complaints.tests.factories import ComplaintFactory
from complaints.tests.files import (
    gps_exif,
    jpeg_bytes,
    jpeg_claiming_size,
    pdf_bytes,
    png_bomb_bytes,
    png_bytes,
    upload,
)
from complaints.uploads import MSG_EMPTY, MSG_EXTENSION, MSG_MISMATCH, MSG_TOO_BIG, MSG_TOO_MANY, sanitize_filename
from complaints.views import (
    MSG_ANSWERED,
    MSG_CONSENT_GIVEN,
    MSG_CONSENT_WITHDRAWN,
    MSG_FIX_ANSWERS,
    MSG_NO_FILES,
    MSG_SUBMITTED,
    MSG_WITHDRAWN,
)
from portal.accounts.tests.factories import UserFactory
from portal.api.errors import MSG_TOO_MANY_FILES
from portal.pages.views import MSG_BAD_REQUEST, MSG_RATELIMITED, bad_request, ratelimited

pytestmark = pytest.mark.django_db

NARRATIVE = "我在“好运来”小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了。I want my money back."
MERCHANT = {"merchant_name": "好运来商城", "platform": "wechat_mini_program", "app_id": "wx0123456789abcdef"}
FACTS = {
    "category": Category.NOT_DELIVERED,
    "narrative": NARRATIVE,
    "amount": "6999.00",
    "payment_method": "wechat_pay",
    "paid_at": "2025-03-01",
    "order_number": "4200001234202503011234",
    "region": "440000",
}
GENERATED_NAME = re.compile(r"original/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|jpeg|webp|pdf)")


def english(message, **params) -> str:
    """A message constant as the English page shows it, HTML-escaped."""
    with translation.override("en"):
        text = str(message) % params if params else str(message)
    return escape(text)


def step_url(draft, step):
    return reverse("complaints:draft_step", kwargs={"draft": draft.uuid, "step": step})


def file_url(evidence, variant):
    return reverse("complaints:evidence_file", kwargs={"uuid": evidence.uuid, "variant": variant})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def logged_in(user) -> Client:
    # English pages, so the assertions stay right once the Chinese catalogue exists.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def buyer(complainant):
    return logged_in(complainant)


@pytest.fixture
def outsider(stranger):
    return logged_in(stranger)


@pytest.fixture
def draft(complainant):
    """A draft with the merchant and the facts answered, as after the wizard's first two steps."""
    draft = services.draft_create(owner=complainant)
    return services.draft_save(draft=draft, data={**MERCHANT, **FACTS})


def upload_to_step(client, draft, *files, capture, **extra):
    with capture(execute=True):
        return client.post(step_url(draft, "evidence"), {"evidence": list(files)}, **extra)


@pytest.fixture
def stored(draft, complainant, django_capture_on_commit_callbacks):
    """One checked picture already in the draft: what a later error must not lose."""
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.evidence_upload(user=complainant, uploads=[upload("receipt.png", png_bytes())], draft=draft)
    return outcome.stored[0]


def file_with_evidence(complainant, capture_on_commit_callbacks) -> Complaint:
    """File a complaint with a picture and a PDF, processed (`capture_on_commit_callbacks`: pytest-django's
    django_capture_on_commit_callbacks)."""
    draft = services.draft_save(draft=services.draft_create(owner=complainant), data={**MERCHANT, **FACTS})
    with capture_on_commit_callbacks(execute=True):
        services.evidence_upload(
            user=complainant,
            uploads=[upload("order.jpg", jpeg_bytes()), upload("invoice.pdf", pdf_bytes())],
            draft=draft,
        )
    return services.draft_submit(draft=draft)


@pytest.fixture
def complaint(complainant, django_capture_on_commit_callbacks):
    """A filed complaint with a ready picture and a ready PDF."""
    return file_with_evidence(complainant, django_capture_on_commit_callbacks)


# The wizard, end to end ------------------------------------------------------------------------------


def test_whole_wizard_from_new_to_the_tracking_code(buyer, complainant, django_capture_on_commit_callbacks):
    response = buyer.get(reverse("complaints:new"))
    draft = ComplaintDraft.objects.get(owner=complainant)
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "merchant")

    response = buyer.get(step_url(draft, "merchant"))
    assert response.status_code == 200
    assert "Step 1 of 5" in response.content.decode()

    response = buyer.post(step_url(draft, "merchant"), MERCHANT)
    assert response["Location"] == step_url(draft, "facts")

    page = buyer.get(step_url(draft, "facts")).content.decode()
    assert "Step 2 of 5" in page
    assert f'href="{step_url(draft, "merchant")}"' in page  # Back
    response = buyer.post(step_url(draft, "facts"), FACTS)
    assert response["Location"] == step_url(draft, "evidence")

    response = upload_to_step(
        buyer,
        draft,
        upload("order.jpg", jpeg_bytes(), "image/jpeg"),
        upload("chat.png", png_bytes(), "image/png"),
        upload("receipt.pdf", pdf_bytes(), "application/pdf"),
        capture=django_capture_on_commit_callbacks,
    )
    assert response["Location"] == step_url(draft, "evidence")
    files = list(draft.evidence.all())
    assert [e.original_name for e in files] == ["order.jpg", "chat.png", "receipt.pdf"]
    assert {e.status for e in files} == {Evidence.Status.READY}
    page = buyer.get(step_url(draft, "evidence")).content.decode()
    assert "Step 3 of 5" in page
    assert file_url(files[0], "thumbnail") in page
    assert file_url(files[1], "thumbnail") in page
    assert "3 files added" in page

    response = buyer.post(step_url(draft, "evidence"), {"continue": "1"})
    assert response["Location"] == step_url(draft, "privacy")

    page = buyer.get(step_url(draft, "privacy")).content.decode()
    assert "Step 4 of 5" in page
    response = buyer.post(step_url(draft, "privacy"), {"hide_identity": "on"})
    assert response["Location"] == step_url(draft, "review")

    page = buyer.get(step_url(draft, "review")).content.decode()
    assert "Step 5 of 5" in page
    for shown in ["好运来商城", "wx0123456789abcdef", "WeChat mini program", "CNY 6999.00", "WeChat Pay",
                  "Guangdong", "4200001234202503011234", "receipt.pdf"]:  # fmt: skip
        assert escape(shown) in page
    assert escape(NARRATIVE) in page

    response = buyer.post(step_url(draft, "review"))
    complaint = Complaint.objects.get(complainant=complainant)
    assert response["Location"] == reverse("complaints:detail", kwargs={"uuid": complaint.uuid})
    assert not ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert complaint.amount == Decimal("6999.00")
    assert complaint.paid_at.isoformat() == "2025-03-01"
    assert complaint.app_id == "wx0123456789abcdef"
    assert (complaint.consent_publish, complaint.hide_identity) == (False, True)
    assert complaint.evidence.count() == 3

    page = buyer.get(response["Location"]).content.decode()
    assert english(MSG_SUBMITTED, code=complaint.code) in page
    assert f'<p class="tracking-code">{complaint.code}</p>' in page
    assert page.count(file_url(files[0], "thumbnail")) == 1


def test_new_resumes_the_newest_unexpired_draft(buyer, complainant):
    expired = services.draft_create(owner=complainant)
    ComplaintDraft.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))

    first = buyer.get(reverse("complaints:new"))
    second = buyer.get(reverse("complaints:new"))

    current = ComplaintDraft.objects.exclude(pk=expired.pk).get(owner=complainant)
    assert first["Location"] == second["Location"] == step_url(current, "merchant")


def test_steps_are_prefilled_from_the_draft(buyer, draft):
    merchant = buyer.get(step_url(draft, "merchant")).content.decode()
    facts = buyer.get(step_url(draft, "facts")).content.decode()
    privacy = buyer.get(step_url(draft, "privacy")).content.decode()

    assert 'value="wx0123456789abcdef"' in merchant
    assert '<option value="wechat_mini_program" selected>' in merchant
    assert escape(NARRATIVE) in facts
    assert 'value="2025-03-01"' in facts
    assert 'value="6999.00"' in facts
    assert re.search(r'<input type="checkbox" name="hide_identity"[^>]*checked', privacy)
    assert not re.search(r'<input type="checkbox" name="consent_publish"[^>]*checked', privacy)


def test_unknown_step_is_404(buyer, draft):
    assert buyer.get(step_url(draft, "payment")).status_code == 404


def test_draft_stores_json_safe_answers(buyer, draft):
    buyer.post(step_url(draft, "facts"), {**FACTS, "amount": "12.5"})

    draft.refresh_from_db()
    assert draft.data["amount"] == "12.50"
    assert draft.data["paid_at"] == "2025-03-01"
    assert draft.data["merchant_name"] == MERCHANT["merchant_name"]


# Validation keeps what the person typed ----------------------------------------------------------------


def test_short_narrative_shows_the_error_and_keeps_the_input(buyer, complainant):
    draft = services.draft_save(draft=services.draft_create(owner=complainant), data=MERCHANT)

    response = buyer.post(step_url(draft, "facts"), {**FACTS, "narrative": "太短了，十个字而已。"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ensure this value has at least 30 characters (it has 10)." in page
    assert "太短了，十个字而已。</textarea>" in page
    assert 'value="4200001234202503011234"' in page
    assert 'aria-invalid="true"' in page
    draft.refresh_from_db()
    assert draft.data == MERCHANT


def test_merchant_step_with_nothing_filled_is_refused(buyer, complainant):
    draft = services.draft_create(owner=complainant)

    response = buyer.post(step_url(draft, "merchant"), {"platform": "douyin", "merchant_name": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert english(MSG_NO_MERCHANT) in page
    assert '<option value="douyin" selected>' in page
    draft.refresh_from_db()
    assert draft.data == {}


def test_review_of_a_skipped_step_points_to_it_and_loses_nothing(buyer, complainant, stored):
    draft = stored.draft
    services.draft_save(draft=draft, data={"category": "", "narrative": ""})

    response = buyer.post(step_url(draft, "review"))

    assert response.status_code == 200
    page = response.content.decode()
    assert english(MSG_FIX_ANSWERS) in page
    assert f'<a href="{step_url(draft, "facts")}">What happened</a>' in page
    assert not Complaint.objects.exists()
    draft.refresh_from_db()
    assert draft.data["merchant_name"] == MERCHANT["merchant_name"]
    assert list(draft.evidence.all()) == [stored]


# Evidence: refused uploads are each explained; nothing earlier is lost ------------------------------------------


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELEVEN_MB = png_bytes() + b"\0" * (11 * 1024 * 1024)


@pytest.mark.parametrize(
    ("name", "content", "message", "params"),
    [
        ("page.png", HTML, MSG_MISMATCH, {"name": "page.png", "ext": "PNG"}),
        ("scan.png", pdf_bytes(), MSG_MISMATCH, {"name": "scan.png", "ext": "PNG"}),
        ("a.jpg.php", jpeg_bytes(), MSG_EXTENSION, {"name": "a.jpg.php"}),
        ("empty.png", b"", MSG_EMPTY, {"name": "empty.png"}),
        ("big.png", ELEVEN_MB, MSG_TOO_BIG, {"name": "big.png", "limit": None}),
    ],
    ids=["html-as-png", "pdf-as-png", "double-extension", "empty", "11mb"],
)
def test_bad_upload_is_refused_with_its_message(
    buyer, stored, name, content, message, params, django_capture_on_commit_callbacks
):
    draft = stored.draft
    if "limit" in params:
        with translation.override("en"):
            params["limit"] = filesizeformat(settings.EVIDENCE_MAX_BYTES)

    response = upload_to_step(buyer, draft, upload(name, content), capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    page = response.content.decode()
    assert english(message, **params) in page
    assert list(draft.evidence.all()) == [stored]
    draft.refresh_from_db()
    assert draft.data == {**MERCHANT, **FACTS}


def test_good_files_of_a_batch_are_kept_when_others_are_refused(buyer, stored, django_capture_on_commit_callbacks):
    draft = stored.draft

    response = upload_to_step(
        buyer,
        draft,
        upload("a.jpg.php", jpeg_bytes()),
        upload("chat.png", png_bytes()),
        capture=django_capture_on_commit_callbacks,
    )

    page = response.content.decode()
    assert english(MSG_EXTENSION, name="a.jpg.php") in page
    assert [e.original_name for e in draft.evidence.all()] == ["receipt.png", "chat.png"]
    assert "chat.png" in page


def test_eleventh_file_is_refused(buyer, draft, complainant, django_capture_on_commit_callbacks):
    ten = [upload(f"photo{i}.png", png_bytes()) for i in range(settings.EVIDENCE_MAX_FILES)]
    upload_to_step(buyer, draft, *ten, capture=django_capture_on_commit_callbacks)
    assert draft.evidence.count() == settings.EVIDENCE_MAX_FILES

    response = upload_to_step(
        buyer, draft, upload("eleven.png", png_bytes()), capture=django_capture_on_commit_callbacks
    )

    page = response.content.decode()
    assert english(MSG_TOO_MANY, limit=settings.EVIDENCE_MAX_FILES, count=settings.EVIDENCE_MAX_FILES) in page
    assert draft.evidence.count() == settings.EVIDENCE_MAX_FILES
    assert "Your files (10 of 10)" in page


@pytest.mark.parametrize("url_name", ["draft", "detail"])
def test_101_files_in_one_request_is_a_clear_400_and_nothing_is_lost(
    buyer, stored, complaint, url_name, django_capture_on_commit_callbacks
):
    draft = stored.draft
    url = (
        step_url(draft, "evidence")
        if url_name == "draft"
        else reverse("complaints:evidence_add", kwargs={"uuid": complaint.uuid})
    )
    files = [upload(f"photo{i}.png", png_bytes()) for i in range(101)]

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(url, {"evidence": files})

    assert response.status_code == 400
    assert english(MSG_TOO_MANY_FILES) in response.content.decode()
    draft.refresh_from_db()
    assert draft.data == {**MERCHANT, **FACTS}
    assert list(draft.evidence.all()) == [stored]
    assert complaint.evidence.count() == 2


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    """A body with the filename exactly as given (the test client would reduce it to its basename)."""
    boundary = "redress-test-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="evidence"; filename="{name}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../x.png", "x.png"),
        ("invoice\u202egnp.png", "invoicegnp.png"),
        ("a" * 296 + ".png", "a" * 95 + "….png"),
    ],
    ids=["traversal", "rtl-override", "300-characters"],
)
def test_hostile_names_are_stored_under_generated_names_and_shown_sanitised(
    buyer, draft, name, shown, django_capture_on_commit_callbacks
):
    body, content_type = multipart(name, png_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        buyer.post(step_url(draft, "evidence"), body, content_type=content_type)

    evidence = draft.evidence.get()
    assert evidence.original_name == shown == sanitize_filename(name)
    assert GENERATED_NAME.fullmatch(evidence.file.name)
    page = buyer.get(step_url(draft, "evidence")).content.decode()
    assert escape(shown) in page
    assert "\u202e" not in page
    response = buyer.get(file_url(evidence, "display"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".." not in response["Content-Disposition"]
    assert "\u202e" not in response["Content-Disposition"]


def test_png_with_html_appended_is_served_only_re_encoded(buyer, draft, django_capture_on_commit_callbacks):
    upload_to_step(buyer, draft, upload("polyglot.png", png_bytes() + HTML), capture=django_capture_on_commit_callbacks)
    evidence = draft.evidence.get()
    assert evidence.status == Evidence.Status.READY

    response = buyer.get(file_url(evidence, "display"))

    served = body_of(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert served.startswith(b"\x89PNG")
    assert b"<script" not in served
    assert b"<html" not in served
    assert buyer.get(file_url(evidence, "original")).status_code == 404


def test_gps_exif_is_gone_from_the_served_copy_and_the_original_is_hashed(
    buyer, draft, django_capture_on_commit_callbacks
):
    original = jpeg_bytes(size=(120, 90), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    upload_to_step(buyer, draft, upload("photo.jpg", original), capture=django_capture_on_commit_callbacks)
    evidence = draft.evidence.get()

    served = body_of(buyer.get(file_url(evidence, "display")))

    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert not Image.open(io.BytesIO(served)).getexif()
    assert b"Exif" not in served
    assert b"PhoneMaker" not in served


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (png_bomb_bytes(), Evidence.RejectReason.TOO_MANY_PIXELS),
        (jpeg_claiming_size(10000, 10000), Evidence.RejectReason.TOO_MANY_PIXELS),
        (jpeg_bytes(size=(400, 300))[:600], Evidence.RejectReason.UNREADABLE_IMAGE),
    ],
    ids=["20000x20000-png", "100-megapixel-jpeg", "truncated-jpeg"],
)
def test_pictures_refused_by_the_checks_show_the_reason(
    buyer, stored, content, reason, django_capture_on_commit_callbacks
):
    draft = stored.draft
    ext = "png" if content.startswith(b"\x89PNG") else "jpg"

    upload_to_step(buyer, draft, upload(f"picture.{ext}", content), capture=django_capture_on_commit_callbacks)

    evidence = draft.evidence.get(original_name=f"picture.{ext}")
    assert (evidence.status, evidence.reject_reason) == (Evidence.Status.REJECTED, reason)
    page = buyer.get(step_url(draft, "evidence")).content.decode()
    assert english(reason.label) in page
    assert file_url(evidence, "thumbnail") not in page
    assert buyer.get(file_url(evidence, "thumbnail")).status_code == 404
    assert stored in draft.evidence.all()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_refusal_follows_the_page_language(buyer, draft, language, django_capture_on_commit_callbacks):
    response = upload_to_step(
        buyer,
        draft,
        upload("a.jpg.php", jpeg_bytes()),
        capture=django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE=language,
    )

    page = response.content.decode()
    with translation.override(language):
        expected = str(MSG_EXTENSION) % {"name": "a.jpg.php"}
    assert escape(expected) in page
    assert f'<html lang="{language}">' in page
    if language == "en":
        assert "“a.jpg.php” is not an accepted type." in page


def test_pending_files_are_being_checked_and_then_polled(buyer, draft):
    # Without running the on-commit callbacks nothing is processed: the file stays pending.
    buyer.post(step_url(draft, "evidence"), {"evidence": [upload("chat.png", png_bytes())]})
    evidence = draft.evidence.get()
    panel_url = reverse("complaints:draft_evidence_panel", kwargs={"draft": draft.uuid})

    page = buyer.get(step_url(draft, "evidence")).content.decode()
    assert "Being checked" in page
    assert f'hx-get="{panel_url}"' in page

    services.evidence_process(evidence_id=evidence.pk)
    panel = buyer.get(panel_url).content.decode()
    assert "hx-trigger" not in panel
    assert file_url(evidence, "thumbnail") in panel


def test_remove_a_draft_file(buyer, stored, django_capture_on_commit_callbacks):
    draft = stored.draft
    url = reverse("complaints:draft_evidence_remove", kwargs={"draft": draft.uuid, "evidence": stored.uuid})
    storage, name = stored.file.storage, stored.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(url)

    assert response["Location"] == step_url(draft, "evidence")
    assert not draft.evidence.exists()
    assert not storage.exists(name)


def test_abandon_a_draft(buyer, stored, django_capture_on_commit_callbacks):
    draft = stored.draft

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(reverse("complaints:draft_abandon", kwargs={"draft": draft.uuid}))

    assert response["Location"] == reverse("pages:home")
    assert not ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert not Evidence.objects.exists()


# Evidence file view ----------------------------------------------------------------------------------------


def test_evidence_files_are_attachments_that_cannot_be_sniffed(buyer, complaint):
    picture, pdf = complaint.evidence.all()

    thumbnail = buyer.get(file_url(picture, "thumbnail"))
    display = buyer.get(file_url(picture, "display"))
    document = buyer.get(file_url(pdf, "original"))

    for response in (thumbnail, display, document):
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["Cache-Control"] == "private, no-store"
    assert (thumbnail["Content-Type"], thumbnail["Content-Disposition"]) == (
        "image/jpeg",
        'attachment; filename="order.jpg"',
    )
    assert display["Content-Type"] == "image/jpeg"
    assert body_of(display).startswith(b"\xff\xd8")
    assert (document["Content-Type"], document["Content-Disposition"]) == (
        "application/pdf",
        'attachment; filename="invoice.pdf"',
    )
    assert body_of(document) == pdf_bytes()


def test_served_name_takes_the_served_files_extension(buyer, draft, django_capture_on_commit_callbacks):
    upload_to_step(buyer, draft, upload("screenshot.png", png_bytes()), capture=django_capture_on_commit_callbacks)
    evidence = draft.evidence.get()

    response = buyer.get(file_url(evidence, "thumbnail"))

    assert response["Content-Disposition"] == 'attachment; filename="screenshot.jpg"'


@pytest.mark.parametrize(
    ("which", "variant"),
    [(0, "original"), (1, "thumbnail"), (1, "display"), (0, "full"), (1, "file")],
    ids=["image-original", "pdf-thumbnail", "pdf-display", "unknown", "unknown-pdf"],
)
def test_variants_never_served(buyer, complaint, which, variant):
    evidence = complaint.evidence.all()[which]

    assert buyer.get(file_url(evidence, variant)).status_code == 404


def test_nothing_is_served_before_the_file_is_checked(buyer, draft):
    buyer.post(step_url(draft, "evidence"), {"evidence": [upload("a.png", png_bytes()), upload("b.pdf", pdf_bytes())]})
    picture, pdf = draft.evidence.all()
    assert picture.status == pdf.status == Evidence.Status.PENDING

    assert buyer.get(file_url(picture, "thumbnail")).status_code == 404
    assert buyer.get(file_url(picture, "display")).status_code == 404
    assert buyer.get(file_url(pdf, "original")).status_code == 404


# My complaints -----------------------------------------------------------------------------------------------


def test_my_complaints_lists_only_mine(buyer, complainant, stranger):
    mine = ComplaintFactory(complainant=complainant, status=Complaint.Status.ACCEPTED)
    theirs = ComplaintFactory(complainant=stranger)

    page = buyer.get(reverse("complaints:mine")).content.decode()

    assert mine.code in page
    assert theirs.code not in page
    assert escape(mine.merchant.name) in page
    assert "Paid but not delivered (pre-sales included)" in page
    assert "Accepted" in page
    assert reverse("complaints:detail", kwargs={"uuid": mine.uuid}) in page


def test_my_complaints_empty_state(buyer):
    page = buyer.get(reverse("complaints:mine")).content.decode()

    assert "You have not filed any complaint yet." in page
    assert reverse("complaints:new") in page


def test_detail_shows_code_facts_choices_evidence_and_timeline(buyer, complaint):
    picture, pdf = complaint.evidence.all()

    page = buyer.get(reverse("complaints:detail", kwargs={"uuid": complaint.uuid})).content.decode()

    assert f'<p class="tracking-code">{complaint.code}</p>' in page
    assert "Submitted" in page
    for shown in ["好运来商城", "wx0123456789abcdef", "CNY 6999.00", "Guangdong", "Hide my identity from the merchant"]:
        assert escape(shown) in page
    assert escape(NARRATIVE) in page
    assert file_url(picture, "thumbnail") in page
    assert file_url(pdf, "original") in page
    assert "Complaint submitted" in page
    assert "Evidence added" in page
    assert "hx-trigger" not in page


def test_detail_polls_while_evidence_is_pending_and_stops_when_done(buyer, complaint):
    url = reverse("complaints:evidence_add", kwargs={"uuid": complaint.uuid})
    buyer.post(url, {"evidence": [upload("late.png", png_bytes())]})
    late = complaint.evidence.get(original_name="late.png")
    panel_url = reverse("complaints:evidence_panel", kwargs={"uuid": complaint.uuid})

    page = buyer.get(reverse("complaints:detail", kwargs={"uuid": complaint.uuid})).content.decode()
    assert f'hx-get="{panel_url}"' in page
    assert 'hx-trigger="every 2s"' in page

    services.evidence_process(evidence_id=late.pk)
    panel = buyer.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<section id="evidence-panel"')
    assert "hx-trigger" not in panel
    assert file_url(late, "thumbnail") in panel


def test_add_evidence_reports_each_refusal_and_records_the_timeline(
    buyer, complaint, django_capture_on_commit_callbacks
):
    url = reverse("complaints:evidence_add", kwargs={"uuid": complaint.uuid})
    truncated = jpeg_bytes(size=(400, 300))[:600]

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(
            url, {"evidence": [upload("more.png", png_bytes()), upload("x.html", HTML), upload("bad.jpg", truncated)]}
        )

    assert response["Location"] == reverse("complaints:detail", kwargs={"uuid": complaint.uuid})
    page = buyer.get(response["Location"]).content.decode()
    assert "2 files added" in page
    assert english(MSG_EXTENSION, name="x.html") in page
    assert [e.original_name for e in complaint.evidence.all()] == ["order.jpg", "invoice.pdf", "more.png", "bad.jpg"]
    kinds = list(complaint.timeline.values_list("kind", "data__name"))
    assert (TimelineEvent.Kind.EVIDENCE_ADDED, "more.png") in kinds
    assert (TimelineEvent.Kind.EVIDENCE_REJECTED, "bad.jpg") in kinds
    assert english(Evidence.RejectReason.UNREADABLE_IMAGE.label) in page


def test_add_evidence_without_files(buyer, complaint):
    url = reverse("complaints:evidence_add", kwargs={"uuid": complaint.uuid})

    response = buyer.post(url, follow=True)

    assert "Choose at least one file to add." in response.content.decode()
    assert complaint.evidence.count() == 2


# Only the owner --------------------------------------------------------------------------------------------


def owner_urls(complaint, draft, evidence):
    """(method, url) for every page holding a complainant's data."""
    detail = {"uuid": complaint.uuid}
    urls = [
        ("get", reverse("complaints:detail", kwargs=detail)),
        ("get", reverse("complaints:evidence_panel", kwargs=detail)),
        ("post", reverse("complaints:evidence_add", kwargs=detail)),
        ("post", reverse("complaints:answer", kwargs=detail)),
        ("post", reverse("complaints:withdraw", kwargs=detail)),
        ("post", reverse("complaints:consent", kwargs=detail)),
        ("get", reverse("complaints:draft_evidence_panel", kwargs={"draft": draft.uuid})),
        ("post", reverse("complaints:draft_abandon", kwargs={"draft": draft.uuid})),
        (
            "post",
            reverse("complaints:draft_evidence_remove", kwargs={"draft": draft.uuid, "evidence": evidence.uuid}),
        ),
    ]
    for step in ["merchant", "facts", "evidence", "privacy", "review"]:
        urls += [("get", step_url(draft, step)), ("post", step_url(draft, step))]
    for item in complaint.evidence.all():
        urls += [("get", file_url(item, variant)) for variant in ("thumbnail", "display", "original")]
    urls += [("get", file_url(evidence, variant)) for variant in ("thumbnail", "display")]
    return urls


def test_a_stranger_gets_404_everywhere(outsider, complaint, stored):
    draft = stored.draft
    posted = {"merchant_name": "x", "answer": "x", "consent": "1"}

    for method, url in owner_urls(complaint, draft, stored):
        response = getattr(outsider, method)(url, posted if method == "post" else None)
        assert response.status_code == 404, (method, url)

    assert ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert draft.evidence.get() == stored
    assert complaint.evidence.count() == 2
    complaint.refresh_from_db()
    assert (complaint.status, complaint.consent_publish) == (Complaint.Status.SUBMITTED, False)
    draft.refresh_from_db()
    assert draft.data == {**MERCHANT, **FACTS}


def test_a_moderator_reads_but_does_not_add(moderator, complaint):
    client = logged_in(moderator)

    assert client.get(reverse("complaints:detail", kwargs={"uuid": complaint.uuid})).status_code == 200
    url = reverse("complaints:evidence_add", kwargs={"uuid": complaint.uuid})
    assert client.post(url, {"evidence": [upload("m.png", png_bytes())]}).status_code == 404
    assert complaint.evidence.count() == 2


def test_anonymous_is_sent_to_log_in(client, complaint, stored):
    urls = [("get", reverse("complaints:mine")), ("get", reverse("complaints:new"))]
    urls += owner_urls(complaint, stored.draft, stored)

    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), (method, url)
    assert ComplaintDraft.objects.filter(pk=stored.draft.pk).exists()


def test_wrong_methods_are_405(buyer, complaint, stored):
    draft = stored.draft
    detail = {"uuid": complaint.uuid}
    cases = [
        ("post", reverse("complaints:mine")),
        ("post", reverse("complaints:new")),
        ("post", reverse("complaints:detail", kwargs=detail)),
        ("post", reverse("complaints:evidence_panel", kwargs=detail)),
        ("get", reverse("complaints:evidence_add", kwargs=detail)),
        ("get", reverse("complaints:answer", kwargs=detail)),
        ("get", reverse("complaints:withdraw", kwargs=detail)),
        ("get", reverse("complaints:consent", kwargs=detail)),
        ("post", reverse("complaints:notices")),
        ("get", reverse("complaints:draft_abandon", kwargs={"draft": draft.uuid})),
        ("get", reverse("complaints:draft_evidence_remove", kwargs={"draft": draft.uuid, "evidence": stored.uuid})),
        ("post", reverse("complaints:draft_evidence_panel", kwargs={"draft": draft.uuid})),
        ("put", step_url(draft, "facts")),
        ("delete", step_url(draft, "review")),
        ("post", file_url(complaint.evidence.first(), "display")),
    ]

    for method, url in cases:
        assert getattr(buyer, method)(url).status_code == 405, (method, url)
    assert ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert draft.evidence.get() == stored


# Query counts on the hot pages ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_complaints_query_count_does_not_grow(buyer, complainant, django_assert_max_num_queries):
    def add_complaint():
        complaint = ComplaintFactory(complainant=complainant)
        services.evidence_upload(user=complainant, uploads=[upload("a.png", png_bytes())], complaint=complaint)

    add_complaint()
    few = _queries(buyer, reverse("complaints:mine"))
    for _ in range(6):
        add_complaint()

    with django_assert_max_num_queries(few):
        page = buyer.get(reverse("complaints:mine")).content.decode()
    assert page.count('class="card complaint-item"') == 7
    assert few <= 6


def test_detail_query_count_does_not_grow(buyer, complaint, complainant, django_assert_max_num_queries):
    url = reverse("complaints:detail", kwargs={"uuid": complaint.uuid})
    few = _queries(buyer, url)
    uploads = [upload(f"more{i}.png", png_bytes()) for i in range(6)]
    services.evidence_upload(user=complainant, uploads=uploads, complaint=complaint)

    with django_assert_max_num_queries(few):
        page = buyer.get(url).content.decode()
    assert page.count('class="evidence-item') == 8
    assert few <= 6


def test_evidence_step_upload_without_files_says_so(buyer, stored):
    draft = stored.draft

    response = buyer.post(step_url(draft, "evidence"), {"upload": "1"}, follow=True)

    assert response.redirect_chain == [(step_url(draft, "evidence"), 302)]
    assert english(MSG_NO_FILES) in response.content.decode()
    assert list(draft.evidence.all()) == [stored]


# The site shell ------------------------------------------------------------------------------------------------


def test_home_for_a_visitor(client):
    page = client.get(reverse("pages:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in page
    assert 'name="viewport"' in page
    assert f'href="{reverse("accounts:login")}"' in page
    assert f'href="{reverse("accounts:signup")}"' in page
    assert f'href="{reverse("complaints:new")}"' in page
    assert "My complaints" not in page
    assert "vendor/htmx/htmx-2.0.11.min.js" in page
    assert "tracking code" in page


def test_shell_for_a_logged_in_person(buyer):
    page = buyer.get(reverse("complaints:mine")).content.decode()

    assert f'href="{reverse("complaints:mine")}"' in page
    assert f'href="{reverse("complaints:new")}"' in page
    assert re.search(rf'<form method="post" action="{reverse("accounts:logout")}"', page)
    assert f'href="{reverse("accounts:login")}"' not in page


def test_language_switcher_posts_to_set_language_with_the_current_language_selected(buyer):
    url = reverse("complaints:mine")

    english_page = buyer.get(url).content.decode()
    chinese_page = buyer.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert f'action="{reverse("set_language")}"' in english_page
    assert f'<input type="hidden" name="next" value="{url}">' in english_page
    assert '<option value="en" lang="en" selected>' in english_page
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in english_page
    assert '<option value="zh-hans" lang="zh-hans" selected>' in chinese_page
    response = buyer.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert response["Location"] == url
    assert '<html lang="zh-hans">' in buyer.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_not_found_page_is_friendly(buyer):
    response = buyer.get("/complaints/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert f'href="{reverse("pages:home")}"' in response.content.decode()


@pytest.mark.parametrize(("handler", "status"), [(bad_request, 400), (ratelimited, 429)])
def test_error_pages_show_the_message(rf, handler, status):
    request = rf.get("/somewhere/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = AnonymousUser()

    with translation.override("en"):
        response = handler(request)

    assert response.status_code == status
    expected = MSG_BAD_REQUEST if status == 400 else MSG_RATELIMITED
    assert english(expected) in response.content.decode()


def test_filing_needs_a_verified_email_address(client, db):
    client.force_login(UserFactory(email_verified=False))

    response = client.get(reverse("complaints:new"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    assert not ComplaintDraft.objects.exists()


# Filing: vulnerable complainants, the client address, the rate per account ---------------------------------------


def test_the_facts_step_asks_about_vulnerability_and_the_review_shows_it(buyer, complainant):
    draft = services.draft_save(draft=services.draft_create(owner=complainant), data=MERCHANT)

    page = buyer.get(step_url(draft, "facts")).content.decode()
    assert re.search(r'<input type="checkbox" name="vulnerable"', page)
    assert "I am elderly or a minor, or I am filing for such a person" in page

    buyer.post(step_url(draft, "facts"), {**FACTS, "vulnerable": "on"})
    draft.refresh_from_db()
    assert draft.data["vulnerable"] is True
    review = buyer.get(step_url(draft, "review")).content.decode()
    assert re.search(r"<dt>I am elderly or a minor, or I am filing for such a person</dt>\s*<dd[^>]*>Yes</dd>", review)

    buyer.post(step_url(draft, "review"), REMOTE_ADDR="203.0.113.7")
    complaint = Complaint.objects.get(complainant=complainant)
    assert complaint.vulnerable is True


def test_the_web_filing_records_a_keyed_hash_of_the_address_not_the_address(buyer, draft, complainant):
    buyer.post(step_url(draft, "review"), REMOTE_ADDR="203.0.113.7")

    complaint = Complaint.objects.get(complainant=complainant)
    expected = hmac.new(settings.SECRET_KEY.encode(), b"203.0.113.7", hashlib.sha256).hexdigest()
    assert complaint.client_ip_hash == expected
    assert complaint.vulnerable is False


def test_filing_on_the_web_is_rate_limited_per_account(buyer, complainant, stranger, settings):
    settings.FILING_RATE = "2/h"
    drafts = [
        services.draft_save(draft=services.draft_create(owner=complainant), data={**MERCHANT, **FACTS})
        for _ in range(3)
    ]
    for draft in drafts[:2]:
        assert buyer.post(step_url(draft, "review")).status_code == 302

    response = buyer.post(step_url(drafts[2], "review"))

    assert response.status_code == 429
    assert english(MSG_RATELIMITED) in response.content.decode()
    assert Complaint.objects.filter(complainant=complainant).count() == 2
    assert ComplaintDraft.objects.filter(pk=drafts[2].pk).exists()
    # Reading the review costs nothing, and the limit is the account's, not the address's.
    assert buyer.get(step_url(drafts[2], "review")).status_code == 200
    other = services.draft_save(draft=services.draft_create(owner=stranger), data={**MERCHANT, **FACTS})
    assert logged_in(stranger).post(step_url(other, "review")).status_code == 302


# The complainant's side of moderation ---------------------------------------------------------------------------


def detail_url(complaint) -> str:
    return reverse("complaints:detail", kwargs={"uuid": complaint.uuid})


def action_url(complaint, action) -> str:
    return reverse(f"complaints:{action}", kwargs={"uuid": complaint.uuid})


QUESTION = "Which day did you pay, and do you have the receipt?"


@pytest.fixture
def asked(complaint, moderator):
    return workflow.complaint_request_info(complaint=complaint, moderator=moderator, question=QUESTION)


def test_the_question_is_shown_and_the_answer_sends_it_back_to_review(buyer, asked, moderator):
    page = buyer.get(detail_url(asked)).content.decode()
    assert "The moderators need more information" in page
    assert escape(QUESTION) in page
    assert f'action="{action_url(asked, "answer")}"' in page

    response = buyer.post(action_url(asked, "answer"), {"answer": "On 1 March; the receipt is attached."}, follow=True)

    asked.refresh_from_db()
    assert asked.status == Complaint.Status.IN_REVIEW
    page = response.content.decode()
    assert english(MSG_ANSWERED) in page
    assert f'action="{action_url(asked, "answer")}"' not in page
    assert "More information requested → In review" in page
    assert "On 1 March; the receipt is attached." in page
    assert "Answer:" in page


def test_an_empty_answer_is_refused_on_the_page(buyer, asked):
    response = buyer.post(action_url(asked, "answer"), {"answer": "   "})

    assert response.status_code == 200
    assert english(workflow.MSG_ANSWER_REQUIRED) in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Complaint.Status.NEEDS_INFO


def test_an_answer_to_a_question_no_longer_open_is_refused_with_the_reason(buyer, asked, complainant):
    workflow.complaint_answer(complaint=asked, user=complainant, answer="Already answered in another tab.")

    response = buyer.post(action_url(asked, "answer"), {"answer": "Again."}, follow=True)

    page = response.content.decode()
    assert english(workflow.MSG_NOT_ALLOWED, status="In review", action="answered") in page
    assert asked.timeline.filter(kind=TimelineEvent.Kind.STATUS_CHANGED).count() == 2


def test_the_complainant_withdraws_after_confirming(buyer, complaint):
    page = buyer.get(detail_url(complaint)).content.decode()
    assert re.search(rf'<form method="post" action="{action_url(complaint, "withdraw")}" data-confirm="[^"]+"', page)

    response = buyer.post(action_url(complaint, "withdraw"), follow=True)

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.WITHDRAWN
    page = response.content.decode()
    assert english(MSG_WITHDRAWN) in page
    assert action_url(complaint, "withdraw") not in page
    assert "Submitted → Withdrawn" in page

    again = buyer.post(action_url(complaint, "withdraw"), follow=True).content.decode()
    assert english(workflow.MSG_NOT_ALLOWED, status="Withdrawn", action="withdrawn") in again


def test_the_complainant_gives_and_withdraws_consent(buyer, complaint):
    page = buyer.get(detail_url(complaint)).content.decode()
    assert '<input type="hidden" name="consent" value="1">' in page

    response = buyer.post(action_url(complaint, "consent"), {"consent": "1"}, follow=True)
    complaint.refresh_from_db()
    assert complaint.consent_publish is True
    page = response.content.decode()
    assert english(MSG_CONSENT_GIVEN) in page
    assert '<input type="hidden" name="consent" value="0">' in page
    assert "Consent to publication given" in page
    assert "Not public: a complaint is published only once a moderator has accepted it." in page

    response = buyer.post(action_url(complaint, "consent"), {"consent": "0"}, follow=True)
    complaint.refresh_from_db()
    assert complaint.consent_publish is False
    assert english(MSG_CONSENT_WITHDRAWN) in response.content.decode()
    assert "Consent to publication withdrawn" in response.content.decode()


def test_a_consent_that_is_neither_yes_nor_no_is_a_bad_request(buyer, complaint):
    response = buyer.post(action_url(complaint, "consent"), {"consent": "maybe"})

    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.consent_publish is False


def test_the_timeline_shows_the_rejection_reason_and_the_moderators_note(buyer, complaint, moderator):
    workflow.complaint_reject(
        complaint=complaint, moderator=moderator, reason=Complaint.RejectReason.DUPLICATE, note="See RD-2345-6789."
    )

    page = buyer.get(detail_url(complaint)).content.decode()

    assert "Submitted → Rejected" in page
    assert page.count("Duplicate of another complaint") == 2  # the status card and the timeline
    assert "Note from the moderator:" in page
    assert "See RD-2345-6789." in page
    assert action_url(complaint, "withdraw") not in page
    assert moderator.email not in page


def test_a_moderator_sees_the_question_but_cannot_answer_withdraw_or_consent(moderator, asked):
    client = logged_in(moderator)

    page = client.get(detail_url(asked)).content.decode()
    assert escape(QUESTION) in page
    for action in ("answer", "withdraw", "consent"):
        assert action_url(asked, action) not in page

    for action, data in [("answer", {"answer": "Not mine."}), ("withdraw", {}), ("consent", {"consent": "1"})]:
        response = client.post(action_url(asked, action), data, follow=True)
        assert english(workflow.MSG_NOT_YOURS) in response.content.decode(), action
    asked.refresh_from_db()
    assert (asked.status, asked.consent_publish) == (Complaint.Status.NEEDS_INFO, False)
