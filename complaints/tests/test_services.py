import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils import timezone, translation

from complaints import processing, services
from complaints.models import MSG_PAID_IN_FUTURE, Complaint, ComplaintDraft, Evidence, TimelineEvent
from complaints.tasks import evidence_process
from complaints.tests import files
from complaints.tests.factories import ComplaintFactory
from complaints.uploads import MSG_MISMATCH, MSG_TOO_MANY, check_upload
from merchants.models import Identifier, Merchant
from merchants.services import MerchantClaims

pytestmark = pytest.mark.django_db

NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了，请帮忙。"
Kind = TimelineEvent.Kind
Status = Evidence.Status


def claims(**overrides) -> MerchantClaims:
    return MerchantClaims(**{"merchant_name": "【果园】小店", "platform": "wechat_mini_program", **overrides})


def submit(complainant, **overrides) -> Complaint:
    fields = {"claims": claims(), "category": "not_delivered", "narrative": NARRATIVE, **overrides}
    return services.complaint_submit(complainant=complainant, **fields)


def checked(name: str, content: bytes):
    return check_upload(files.upload(name, content))


def stored_files() -> list[str]:
    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def kinds(complaint) -> list[str]:
    return list(complaint.timeline.values_list("kind", flat=True))


@pytest.fixture
def published(monkeypatch):
    """Record the evidence ids published to the broker instead of running them."""
    ids = []
    monkeypatch.setattr(evidence_process, "delay", ids.append)
    return ids


# Filing --------------------------------------------------------------------------------------------


def test_complaint_submit_saves_everything_and_processes_evidence_after_commit(
    complainant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        complaint = submit(
            complainant,
            claims=claims(merchant_name=" 【果园】小店 ", app_id="wx8a7b6c5d4e3f2a1b", merchant_phone="138 0013 8000"),
            amount=Decimal("6999.00"),
            payment_method="wechat_pay",
            paid_at=timezone.localdate() - timedelta(days=3),
            order_number=" 4200001234 ",
            region="110000",
            consent_publish=True,
            uploads=[
                checked("receipt.jpg", files.jpeg_bytes(exif=files.gps_exif())),
                checked("contract.pdf", files.pdf_bytes()),
            ],
        )
        # Nothing is processed before the transaction commits.
        assert set(complaint.evidence.values_list("status", flat=True)) == {Status.PENDING}
    # Evidence processing and the duplicate/brigading flags.
    assert len(callbacks) == 2

    complaint.refresh_from_db()
    assert complaint.complainant == complainant
    assert complaint.status == Complaint.Status.SUBMITTED
    # Claims kept as typed (trimmed), facts as given.
    assert (complaint.merchant_name, complaint.app_id, complaint.merchant_phone) == (
        "【果园】小店",
        "wx8a7b6c5d4e3f2a1b",
        "138 0013 8000",
    )
    assert complaint.order_number == "4200001234"
    assert (complaint.amount, complaint.region, complaint.consent_publish) == (Decimal("6999.00"), "110000", True)
    assert complaint.hide_identity is True
    # Linked to the merchant resolution created, with the reasons recorded per claim.
    assert complaint.merchant == complaint.linked_merchant
    assert complaint.merchant.platform.code == "wechat_mini_program"
    assert complaint.merchant.identifiers.filter(kind=Identifier.Kind.APP_ID).exists()
    assert {(link["field"], link["outcome"]) for link in complaint.merchant_links} >= {
        ("merchant_name", "recorded"),
        ("app_id", "recorded"),
        ("merchant_phone", "recorded"),
    }
    assert complaint.complainant_key == f"u{complainant.pk}"
    assert complaint.merchant.stats.complaints == 1

    receipt, contract = complaint.evidence.order_by("original_name").reverse()
    assert (receipt.original_name, receipt.status, receipt.uploaded_by) == ("receipt.jpg", Status.READY, complainant)
    assert receipt.sha256 == check_upload(files.upload("x.jpg", files.jpeg_bytes(exif=files.gps_exif()))).sha256
    assert receipt.display and receipt.thumbnail
    assert (contract.status, contract.page_count) == (Status.READY, 1)
    # Stored under generated names, never the typed one.
    assert not any("receipt" in name or "contract" in name for name in stored_files())

    assert kinds(complaint) == [
        Kind.SUBMITTED,
        Kind.EVIDENCE_ADDED,
        Kind.EVIDENCE_ADDED,
        Kind.EVIDENCE_READY,
        Kind.EVIDENCE_READY,
    ]
    assert complaint.timeline.first().actor == complainant


def test_the_same_merchant_named_twice_collects_both_complaints(complainant, stranger):
    first = submit(complainant, claims=claims(merchant_name="【果园】小店"))
    second = submit(stranger, claims=claims(merchant_name="果园 小店"))
    assert first.merchant == second.merchant
    assert first.code != second.code


def test_a_failure_while_filing_leaves_nothing_behind(complainant, monkeypatch):
    store = services._store
    calls = []

    def failing_store(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise OSError("disk full")
        return store(**kwargs)

    monkeypatch.setattr(services, "_store", failing_store)
    with pytest.raises(OSError, match="disk full"):
        submit(complainant, uploads=[checked("a.png", files.png_bytes()), checked("b.png", files.png_bytes())])

    assert not Complaint.objects.exists()
    assert not Evidence.objects.exists()
    assert not Merchant.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_bad_evidence_is_rejected_while_the_complaint_is_kept(complainant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = submit(
            complainant,
            uploads=[
                checked("bomb.png", files.png_bomb_bytes()),
                checked("big.jpg", files.jpeg_claiming_size(10000, 10000)),
                checked("cut.jpg", files.jpeg_bytes((400, 300))[:300]),
                checked("good.png", files.png_bytes()),
            ],
        )

    outcome = dict(complaint.evidence.values_list("original_name", "reject_reason"))
    assert outcome == {
        "bomb.png": Evidence.RejectReason.TOO_MANY_PIXELS,
        "big.jpg": Evidence.RejectReason.TOO_MANY_PIXELS,
        "cut.jpg": Evidence.RejectReason.UNREADABLE_IMAGE,
        "good.png": "",
    }
    assert complaint.evidence.get(original_name="good.png").status == Status.READY
    rejected = complaint.timeline.filter(kind=Kind.EVIDENCE_REJECTED)
    assert sorted(event.data["reason"] for event in rejected) == [
        "too_many_pixels",
        "too_many_pixels",
        "unreadable_image",
    ]
    with translation.override("en"):
        assert str(Evidence.RejectReason.TOO_MANY_PIXELS.label) == "The picture is too large (more than 40 megapixels)."


# Filing: validation --------------------------------------------------------------------------------


def assert_nothing_saved():
    assert not Complaint.objects.exists()
    assert not Merchant.objects.exists()
    assert not Evidence.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"claims": MerchantClaims()}, "merchant_name", "no_merchant"),
        ({"claims": MerchantClaims(merchant_name="  ", platform="douyin")}, "merchant_name", "no_merchant"),
        ({"claims": claims(platform="myspace")}, "platform", "invalid_choice"),
        ({"narrative": "太短了"}, "narrative", "min_length"),
        ({"narrative": " " * 40 + "短" + " " * 40}, "narrative", "min_length"),
        ({"narrative": "长" * 5001}, "narrative", "max_length"),
        ({"paid_at": timezone.localdate() + timedelta(days=2)}, "paid_at", "future_date"),
        ({"amount": Decimal("-1.00")}, "amount", "min_value"),
        ({"category": "bad_vibes"}, "category", "invalid_choice"),
        ({"payment_method": "seashells"}, "payment_method", "invalid_choice"),
        ({"region": "999999"}, "region", "invalid_choice"),
        ({"claims": claims(company_uscc="91440300MA5F0Y1X2A")}, "company_uscc", "checksum"),
        ({"claims": claims(app_id="wx-not-an-app-id")}, "app_id", "invalid"),
        ({"claims": claims(merchant_phone="12345")}, "merchant_phone", "invalid"),
    ],
)
def test_invalid_filings_save_nothing(complainant, overrides, field, code):
    uploads = [checked("receipt.png", files.png_bytes())]
    with pytest.raises(ValidationError) as caught:
        submit(complainant, uploads=uploads, **overrides)

    assert field in caught.value.error_dict
    assert [error.code for error in caught.value.error_dict[field]] == [code]
    assert_nothing_saved()


def test_validation_messages_are_the_shared_constants(complainant):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(complainant, claims=MerchantClaims(), paid_at=timezone.localdate() + timedelta(days=1))

    with translation.override("en"):
        errors = caught.value.message_dict
        assert errors["merchant_name"] == [str(services.MSG_NO_MERCHANT)]
        assert errors["paid_at"] == [str(MSG_PAID_IN_FUTURE)]
        assert str(services.MSG_NO_MERCHANT).startswith("Tell us at least one thing about the merchant")
    # Every problem is reported at once, so the person fixes them in one go.
    assert set(errors) == {"merchant_name", "paid_at"}


# Evidence processing -------------------------------------------------------------------------------


def pending_evidence(complainant, name="receipt.jpg", content=None) -> Evidence:
    complaint = submit(complainant, uploads=[checked(name, content or files.jpeg_bytes(exif=files.gps_exif()))])
    return complaint.evidence.get()


def test_evidence_process_is_idempotent(complainant):
    evidence = pending_evidence(complainant)

    first = services.evidence_process(evidence_id=evidence.pk)
    files_after_first = stored_files()
    second = services.evidence_process(evidence_id=evidence.pk)

    assert first.status == Status.READY
    assert second is None
    evidence.refresh_from_db()
    assert (evidence.status, evidence.attempts) == (Status.READY, 1)
    assert evidence.display.name == first.display.name
    assert stored_files() == files_after_first
    assert len(files_after_first) == 3  # original, display copy, thumbnail
    assert evidence.complaint.timeline.filter(kind=Kind.EVIDENCE_READY).count() == 1


def test_evidence_process_records_the_clean_copy(complainant):
    evidence = services.evidence_process(evidence_id=pending_evidence(complainant).pk)

    assert (evidence.width, evidence.height) == (64, 48)
    assert len(evidence.phash) == 16
    assert evidence.processed_at is not None
    assert evidence.display.name.startswith("display/") and evidence.thumbnail.name.startswith("thumbnail/")
    with evidence.display.open("rb") as display:
        assert b"Exif" not in display.read()


def test_evidence_of_a_vanished_row_is_ignored():
    assert services.evidence_process(evidence_id=987654) is None


def test_a_crashing_run_counts_and_the_attempts_are_capped(complainant, monkeypatch):
    evidence = pending_evidence(complainant)

    def crash(stream):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(processing, "process_image", crash)
    for attempt in range(1, settings.EVIDENCE_MAX_ATTEMPTS + 1):
        with pytest.raises(RuntimeError):
            services.evidence_process(evidence_id=evidence.pk)
        evidence.refresh_from_db()
        assert (evidence.status, evidence.attempts) == (Status.PENDING, attempt)

    # One more delivery: the cap is reached, so it is given up without trying again.
    services.evidence_process(evidence_id=evidence.pk)
    evidence.refresh_from_db()
    assert evidence.status == Status.REJECTED
    assert evidence.reject_reason == Evidence.RejectReason.PROCESSING_FAILED
    assert evidence.complaint.timeline.filter(kind=Kind.EVIDENCE_REJECTED).count() == 1
    assert services.evidence_process(evidence_id=evidence.pk) is None
    evidence.refresh_from_db()
    assert evidence.attempts == settings.EVIDENCE_MAX_ATTEMPTS + 1


def test_attempts_already_at_the_cap_reject_without_processing(complainant, monkeypatch):
    evidence = pending_evidence(complainant)
    Evidence.objects.filter(pk=evidence.pk).update(attempts=settings.EVIDENCE_MAX_ATTEMPTS)
    monkeypatch.setattr(processing, "process_image", pytest.fail)

    result = services.evidence_process(evidence_id=evidence.pk)
    assert (result.status, result.reject_reason) == (Status.REJECTED, "processing_failed")


def test_a_refused_pdf_is_rejected_with_its_reason(complainant):
    evidence = pending_evidence(complainant, name="locked.pdf", content=b"%PDF-1.4\n" + b"\x00junk" * 50)
    result = services.evidence_process(evidence_id=evidence.pk)
    assert (result.status, result.reject_reason) == (Status.REJECTED, "unreadable_pdf")
    assert not result.display


# The sweeper ---------------------------------------------------------------------------------------


def test_evidence_sweep_republishes_only_evidence_pending_too_long(complainant, published):
    complaint = submit(
        complainant,
        uploads=[checked(f"{name}.png", files.png_bytes()) for name in ("stale", "fresh", "done", "refused")],
    )
    stale, fresh, done, refused = complaint.evidence.order_by("id")
    long_ago = timezone.now() - settings.EVIDENCE_SWEEP_AFTER - timedelta(seconds=30)
    recently = timezone.now() - settings.EVIDENCE_SWEEP_AFTER + timedelta(seconds=30)
    Evidence.objects.filter(pk__in=[stale.pk, done.pk, refused.pk]).update(enqueued_at=long_ago)
    Evidence.objects.filter(pk=fresh.pk).update(enqueued_at=recently)
    Evidence.objects.filter(pk=done.pk).update(status=Status.READY)
    Evidence.objects.filter(pk=refused.pk).update(status=Status.REJECTED)
    published.clear()

    before = timezone.now()
    assert services.evidence_sweep() == 1

    assert published == [stale.pk]
    stale.refresh_from_db()
    assert stale.enqueued_at >= before
    fresh.refresh_from_db()
    assert fresh.enqueued_at == recently
    # Just published: the next sweep leaves it alone.
    assert services.evidence_sweep() == 0
    assert published == [stale.pk]


def test_evidence_sweep_processes_what_it_republishes(complainant):
    # Eager Celery (the laptop default): the sweep runs the processing itself.
    evidence = pending_evidence(complainant)
    Evidence.objects.filter(pk=evidence.pk).update(enqueued_at=timezone.now() - timedelta(minutes=6))
    assert services.evidence_sweep() == 1
    evidence.refresh_from_db()
    assert evidence.status == Status.READY


# A broker outage -----------------------------------------------------------------------------------


def test_a_broker_outage_does_not_stop_a_filing(complainant, dead_broker, django_capture_on_commit_callbacks, caplog):
    uploads = [checked("a.jpg", files.jpeg_bytes()), checked("b.pdf", files.pdf_bytes())]
    with (
        caplog.at_level(logging.WARNING, logger="complaints.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        complaint = submit(complainant, uploads=uploads)

    assert Complaint.objects.filter(pk=complaint.pk).exists()
    assert set(complaint.evidence.values_list("status", "attempts")) == {(Status.PENDING, 0)}
    warnings = [record for record in caplog.records if "not enqueued" in record.getMessage()]
    # Two evidence files wait for the sweeper; the duplicate and brigading flags were computed in the request.
    assert len(warnings) == 3
    assert sum("computed in the request" in r.getMessage() for r in warnings) == 1
    # No PII in logs: the ids, not the names people gave their files or the merchant.
    assert all("a.jpg" not in r.getMessage() and "果园" not in r.getMessage() for r in warnings)


# Drafts --------------------------------------------------------------------------------------------


def draft_with_answers(owner) -> ComplaintDraft:
    draft = services.draft_create(owner=owner)
    return services.draft_save(
        draft=draft,
        data={
            "merchant_name": "果园小店",
            "platform": "wechat_mini_program",
            "category": "not_delivered",
            "narrative": NARRATIVE,
            "amount": "128.50",
            "paid_at": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )


def test_draft_create_and_save_push_the_expiry_back(complainant):
    draft = services.draft_create(owner=complainant)
    assert draft.expires_at > timezone.now() + settings.DRAFT_LIFETIME - timedelta(minutes=1)
    ComplaintDraft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    draft.refresh_from_db()

    services.draft_save(draft=draft, data={"merchant_name": "果园小店"})
    services.draft_save(draft=draft, data={"category": "not_delivered"})
    draft.refresh_from_db()
    assert draft.data == {"merchant_name": "果园小店", "category": "not_delivered"}
    assert draft.expires_at > timezone.now() + settings.DRAFT_LIFETIME - timedelta(minutes=1)


def test_draft_submit_moves_the_evidence_and_deletes_the_draft(complainant, django_capture_on_commit_callbacks):
    draft = draft_with_answers(complainant)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.evidence_upload(
            user=complainant,
            draft=draft,
            uploads=[files.upload("receipt.jpg", files.jpeg_bytes()), files.upload("cut.jpg", b"\xff\xd8\xff\xe0")],
        )
    assert len(outcome.stored) == 2
    uploaded = {e.pk for e in outcome.stored}

    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.draft_submit(draft=draft)

    assert not ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert set(complaint.evidence.values_list("pk", flat=True)) == uploaded
    assert not Evidence.objects.filter(draft__isnull=False).exists()
    assert (complaint.amount, complaint.merchant_name) == (Decimal("128.50"), "果园小店")
    assert complaint.paid_at == timezone.localdate() - timedelta(days=1)
    # Processed while still a draft; the complaint's timeline still tells how each file fared.
    assert kinds(complaint).count(Kind.EVIDENCE_ADDED) == 2
    assert kinds(complaint).count(Kind.EVIDENCE_READY) == 1
    assert kinds(complaint).count(Kind.EVIDENCE_REJECTED) == 1


def test_draft_submit_with_invalid_answers_keeps_the_draft_and_its_files(complainant):
    draft = services.draft_create(owner=complainant)
    services.draft_save(draft=draft, data={"merchant_name": "果园小店", "narrative": "太短"})
    services.evidence_upload(user=complainant, draft=draft, uploads=[files.upload("a.png", files.png_bytes())])
    kept = stored_files()

    with pytest.raises(ValidationError) as caught:
        services.draft_submit(draft=draft)

    assert {"narrative", "category"} <= set(caught.value.error_dict)
    assert ComplaintDraft.objects.filter(pk=draft.pk).exists()
    assert draft.evidence.count() == 1
    assert stored_files() == kept
    assert not Complaint.objects.exists()


def test_drafts_purge_expired_deletes_expired_drafts_and_their_files(
    complainant, stranger, django_capture_on_commit_callbacks
):
    expired = services.draft_create(owner=complainant)
    fresh = services.draft_create(owner=stranger)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_upload(user=complainant, draft=expired, uploads=[files.upload("old.png", files.png_bytes())])
        services.evidence_upload(user=stranger, draft=fresh, uploads=[files.upload("new.png", files.png_bytes())])
    kept = fresh.evidence.get()
    kept_files = {kept.file.name, kept.display.name, kept.thumbnail.name}
    assert len(stored_files()) == 6
    ComplaintDraft.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.drafts_purge_expired() == 1

    assert list(ComplaintDraft.objects.all()) == [fresh]
    assert list(Evidence.objects.all()) == [kept]
    assert set(stored_files()) == kept_files


def test_draft_evidence_remove(complainant, stranger, django_capture_on_commit_callbacks):
    draft = services.draft_create(owner=complainant)
    other = services.draft_create(owner=stranger)
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.evidence_upload(
            user=complainant, draft=draft, uploads=[files.upload("a.png", files.png_bytes())]
        )
        theirs = services.evidence_upload(
            user=stranger, draft=other, uploads=[files.upload("b.png", files.png_bytes())]
        )
    mine, theirs = mine.stored[0], theirs.stored[0]

    with django_capture_on_commit_callbacks(execute=True):
        # Another draft's evidence cannot be removed through this one.
        services.draft_evidence_remove(draft=draft, evidence_uuid=theirs.uuid)
    assert Evidence.objects.filter(pk=theirs.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.draft_evidence_remove(draft=draft, evidence_uuid=mine.uuid)
    assert not Evidence.objects.filter(pk=mine.pk).exists()
    assert not any(mine.uuid.hex in name for name in stored_files())
    assert not storages["evidence"].exists(mine.file.name)
    assert storages["evidence"].exists(theirs.file.name)


# Uploads in batches --------------------------------------------------------------------------------


def test_evidence_upload_stores_the_good_files_and_reports_the_others(complainant, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(complainant=complainant)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.evidence_upload(
            user=complainant,
            complaint=complaint,
            uploads=[
                files.upload("receipt.png", files.png_bytes()),
                files.upload("page.png", b"<html><body>hi</body></html>"),
                files.upload("a.jpg.php", files.jpeg_bytes()),
                files.upload("empty.pdf", b""),
                files.upload("contract.pdf", files.pdf_bytes()),
            ],
        )

    assert [e.original_name for e in outcome.stored] == ["receipt.png", "contract.pdf"]
    assert [e.code for e in outcome.errors] == ["type_mismatch", "unsupported_type", "empty"]
    with translation.override("en"):
        assert outcome.errors[0].messages == [str(MSG_MISMATCH) % {"name": "page.png", "ext": "PNG"}]
    assert set(complaint.evidence.values_list("status", flat=True)) == {Status.READY}
    added = complaint.timeline.filter(kind=Kind.EVIDENCE_ADDED)
    assert sorted(event.data["name"] for event in added) == ["contract.pdf", "receipt.png"]
    assert added.first().actor == complainant


def test_evidence_upload_refuses_files_past_the_limit(complainant, published):
    complaint = ComplaintFactory(complainant=complainant)
    limit = settings.EVIDENCE_MAX_FILES
    first = services.evidence_upload(
        user=complainant,
        complaint=complaint,
        uploads=[files.upload(f"{n}.png", files.png_bytes()) for n in range(limit - 1)],
    )
    assert len(first.stored) == limit - 1

    outcome = services.evidence_upload(
        user=complainant,
        complaint=complaint,
        uploads=[files.upload(f"more-{n}.png", files.png_bytes()) for n in range(3)],
    )

    assert [e.original_name for e in outcome.stored] == ["more-0.png"]
    assert [e.code for e in outcome.errors] == ["too_many_files", "too_many_files"]
    with translation.override("en"):
        assert outcome.errors[0].messages == [str(MSG_TOO_MANY) % {"limit": limit, "count": limit}]
    assert complaint.evidence.count() == limit


def test_rejected_evidence_does_not_count_towards_the_limit(complainant, published):
    complaint = ComplaintFactory(complainant=complainant)
    limit = settings.EVIDENCE_MAX_FILES
    services.evidence_upload(
        user=complainant,
        complaint=complaint,
        uploads=[files.upload(f"{n}.png", files.png_bytes()) for n in range(limit)],
    )
    complaint.evidence.filter(original_name="0.png").update(status=Status.REJECTED)

    outcome = services.evidence_upload(
        user=complainant, complaint=complaint, uploads=[files.upload("replacement.png", files.png_bytes())]
    )
    assert len(outcome.stored) == 1 and not outcome.errors


def test_uploads_check_refuses_the_whole_batch_and_names_every_bad_file():
    good = files.upload("a.png", files.png_bytes())
    with pytest.raises(ValidationError) as caught:
        services.uploads_check(uploads=[good, files.upload("b.png", b"GIF89a..."), files.upload("c.exe", b"MZ")])
    assert [e.code for e in caught.value.error_dict["evidence"]] == ["type_mismatch", "unsupported_type"]

    with pytest.raises(ValidationError) as caught:
        services.uploads_check(uploads=[good] * 3, existing=settings.EVIDENCE_MAX_FILES - 2)
    assert [e.code for e in caught.value.error_dict["evidence"]] == ["too_many_files"]

    assert [c.display_name for c in services.uploads_check(uploads=[good])] == ["a.png"]


def test_evidence_attach_stores_nothing_of_a_batch_with_one_bad_file(complainant):
    complaint = submit(complainant)
    batch = [
        files.upload("receipt.png", files.png_bytes()),
        files.upload("page.png", b"<html><body>not a picture</body></html>"),
    ]

    with pytest.raises(ValidationError) as caught:
        services.evidence_attach(user=complainant, complaint=complaint, uploads=batch)

    assert [error.code for error in caught.value.error_dict["evidence"]] == ["type_mismatch"]
    assert not complaint.evidence.exists()
    assert stored_files() == []


def test_evidence_attach_counts_the_files_already_there(complainant, django_capture_on_commit_callbacks):
    complaint = submit(complainant, uploads=[checked(f"p{n}.png", files.png_bytes()) for n in range(9)])
    two = [files.upload("a.png", files.png_bytes()), files.upload("b.png", files.png_bytes())]

    with pytest.raises(ValidationError) as caught:
        services.evidence_attach(user=complainant, complaint=complaint, uploads=two)
    assert [error.code for error in caught.value.error_dict["evidence"]] == ["too_many_files"]

    with django_capture_on_commit_callbacks(execute=True):
        (added,) = services.evidence_attach(user=complainant, complaint=complaint, uploads=two[:1])
    added.refresh_from_db()
    assert complaint.evidence.count() == settings.EVIDENCE_MAX_FILES
    assert added.status == Evidence.Status.READY
    assert complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_ADDED, data__name="a.png").exists()
