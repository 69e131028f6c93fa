"""Writes about complaints: filing, drafts, evidence and the timeline. Views and APIs call only these."""

import hashlib
import hmac
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import processing
from complaints.codes import new_tracking_code
from complaints.flags import flags_for_complaint, flags_for_evidence
from complaints.models import Complaint, ComplaintDraft, Evidence, TimelineEvent
from complaints.priority import filing_priority
from complaints.redaction import redact
from complaints.rollups import rollup_complaint_added
from complaints.uploads import CheckedUpload, check_count, check_upload
from merchants.selectors import platform_choices
from merchants.services import MerchantClaims, merchant_resolve

logger = logging.getLogger(__name__)

MSG_NO_MERCHANT = _("Tell us at least one thing about the merchant: a name, a mini program, an app ID, a phone...")
MSG_NOT_YOURS = _("This draft does not exist or has expired.")
MSG_ALREADY_IMPORTED = _("This row was imported before.")
ALREADY_IMPORTED = "already_imported"

# The complaint fields a filing fills in besides the merchant claims.
FACT_FIELDS = [
    "category",
    "narrative",
    "amount",
    "currency",
    "payment_method",
    "paid_at",
    "order_number",
    "region",
    "vulnerable",
    "consent_publish",
    "hide_identity",
]


@dataclass
class UploadOutcome:
    """What happened to a batch of files: those stored, and one error per refused file."""

    stored: list[Evidence] = field(default_factory=list)
    errors: list[ValidationError] = field(default_factory=list)


def timeline_add(*, complaint: Complaint, kind: str, actor=None, **data) -> TimelineEvent:
    return TimelineEvent.objects.create(complaint=complaint, kind=kind, actor=actor, data=data)


def _enqueue_evidence(evidence_ids: list[int]) -> None:
    """Publish processing tasks. A broker outage is logged, not raised: the row stays pending and the
    sweeper (evidence_sweep) publishes it again once the broker is back."""
    from complaints.tasks import evidence_process

    for evidence_id in evidence_ids:
        try:
            evidence_process.delay(evidence_id)
        except Exception:  # kombu raises several types for an unreachable broker; all mean "later".
            logger.warning("evidence %s not enqueued; the sweeper will retry", evidence_id, exc_info=True)


def _enqueue_flags(complaint_id: int) -> None:
    """Duplicate and brigading signals, in a task. A broker outage must not leave a complaint unflagged: they
    are then computed in the request (they compare with one merchant's recent complaints only)."""
    from complaints.tasks import complaint_flags

    try:
        complaint_flags.delay(complaint_id)
    except Exception:  # kombu raises several types for an unreachable broker.
        logger.warning("flags for complaint %s not enqueued; computed in the request", complaint_id)
        flags_for_complaint(complaint_id=complaint_id)


def _ip_hash(client_ip: str) -> str:
    if not client_ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), client_ip.encode(), hashlib.sha256).hexdigest()


def _write(checked: CheckedUpload) -> str:
    """Write an upload to the evidence storage; returns its name there. A generated name: nothing the uploader
    typed reaches the file system or the bucket."""
    ext = os.path.splitext(checked.display_name)[1].lower()
    field = Evidence._meta.get_field("file")
    name = field.generate_filename(None, f"{uuid.uuid4().hex}{ext}")
    return field.storage.save(name, checked.upload, max_length=field.max_length)


def _store(*, user, checked: CheckedUpload, complaint=None, draft=None, written: str = "") -> Evidence:
    """The evidence row of an upload, its file written now or already (`written`, the name _write returned)."""
    return Evidence.objects.create(
        complaint=complaint,
        draft=draft,
        uploaded_by=user,
        original_name=checked.display_name,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        enqueued_at=timezone.now(),
        file=written or _write(checked),
    )


def _active_evidence_count(*, complaint=None, draft=None) -> int:
    qs = Evidence.objects.exclude(status=Evidence.Status.REJECTED)
    return qs.filter(complaint=complaint).count() if complaint else qs.filter(draft=draft).count()


@transaction.atomic
def evidence_upload(*, user, uploads, complaint: Complaint | None = None, draft: ComplaintDraft | None = None):
    """Store each acceptable file of a batch for a complaint or a draft; refuse the others one by one.

    The parent row is locked so two parallel uploads cannot pass the file limit together.
    """
    parent = complaint or draft
    type(parent).objects.select_for_update().filter(pk=parent.pk).first()
    outcome = UploadOutcome()
    existing = _active_evidence_count(complaint=complaint, draft=draft)
    for upload in uploads:
        try:
            check_count(existing=existing + len(outcome.stored), adding=1)
            checked = check_upload(upload)
        except ValidationError as error:
            outcome.errors.append(error)
            continue
        outcome.stored.append(_store(user=user, checked=checked, complaint=complaint, draft=draft))
    _evidence_stored(user=user, complaint=complaint, stored=outcome.stored)
    return outcome


@transaction.atomic
def evidence_attach(*, user, complaint: Complaint, uploads) -> list[Evidence]:
    """All-or-nothing (the API): every file of the batch is checked before any is stored, and the file
    limit is counted under the complaint's row lock, so nothing is written for a refused batch."""
    Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
    checked = uploads_check(uploads=uploads, existing=_active_evidence_count(complaint=complaint))
    stored = [_store(user=user, checked=item, complaint=complaint) for item in checked]
    _evidence_stored(user=user, complaint=complaint, stored=stored)
    return stored


def _evidence_stored(*, user, complaint: Complaint | None, stored: list[Evidence]) -> None:
    """Record newly stored files on the complaint's timeline and have them processed after commit."""
    if complaint is not None:
        for evidence in stored:
            timeline_add(
                complaint=complaint, kind=TimelineEvent.Kind.EVIDENCE_ADDED, actor=user, name=evidence.original_name
            )
    ids = [e.pk for e in stored]
    transaction.on_commit(lambda: _enqueue_evidence(ids))


def uploads_check(*, uploads, existing: int = 0) -> list[CheckedUpload]:
    """All-or-nothing check of a batch (the API): every refused file is reported in one ValidationError."""
    uploads = list(uploads)
    errors = []
    try:
        check_count(existing=existing, adding=len(uploads))
    except ValidationError as error:
        raise ValidationError({"evidence": [error]}) from None
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError({"evidence": errors})
    return checked


# Fields whose values are masked wherever they appear in the account: the order number (the merchant could find
# the buyer by it), the payee account, and the seller's phone and WeChat ID (often a private person's).
REDACTION_FIELDS = ["order_number", "payee_account", "merchant_phone", "wechat_id"]


def redaction_known(complainant, values: dict) -> list[str]:
    """The complainant's email and the REDACTION_FIELDS values they gave, for complaints.redaction."""
    return [complainant.email, *(values.get(name) or "" for name in REDACTION_FIELDS)]


def _complainant_key(complainant, source: str, complainant_ref: str) -> str:
    if source and complainant_ref:
        digest = hashlib.sha256(f"{source}\n{complainant_ref.strip().casefold()}".encode()).hexdigest()
        return f"s{digest[:64]}"
    return f"u{complainant.pk}"


def _new_complaint(**fields) -> Complaint:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Complaint.objects.create(code=new_tracking_code(), **fields)
        except IntegrityError:
            if fields.get("source") and _already_imported(fields["source"], fields["source_row"]):
                # The same row imported at the same moment by another run.
                raise ValidationError(
                    {"source_row": [ValidationError(MSG_ALREADY_IMPORTED, code=ALREADY_IMPORTED)]}
                ) from None
            # A code collision (about one in 10^11 per pair): draw again.
            continue
    raise RuntimeError("could not draw a unique tracking code")


def _already_imported(source: str, source_row: str) -> bool:
    return Complaint.objects.filter(source=source, source_row=source_row).exists()


@transaction.atomic
def complaint_submit(
    *,
    complainant,
    claims: MerchantClaims,
    category: str,
    narrative: str,
    amount: Decimal | None = None,
    currency: str = "CNY",
    payment_method: str = "",
    paid_at: date | None = None,
    order_number: str = "",
    region: str = "",
    consent_publish: bool = False,
    hide_identity: bool = True,
    vulnerable: bool = False,
    uploads: list[CheckedUpload] = (),
    draft: ComplaintDraft | None = None,
    source: str = "",
    source_row: str = "",
    complainant_ref: str = "",
    submitted_at: datetime | None = None,
    client_ip: str = "",
) -> Complaint:
    """File a complaint: validate, link the merchant, save claims, facts and evidence in one transaction.

    Bulk imports pass `source` and `source_row` (a second import of the row is refused by the database) and
    `complainant_ref`, the victim reference the organiser's sheet gives, so distinct victims are counted as such
    although one account imported them.
    """
    facts = {
        "category": category,
        "narrative": (narrative or "").strip(),
        "amount": amount,
        "currency": currency or "CNY",
        "payment_method": payment_method or "",
        "paid_at": paid_at,
        "order_number": (order_number or "").strip(),
        "region": region or "",
        "consent_publish": bool(consent_publish),
        "hide_identity": bool(hide_identity),
        "vulnerable": bool(vulnerable),
    }
    claim_values = {name: (getattr(claims, name) or "").strip() for name in MerchantClaims.field_names()}
    errors = {}
    if claims.is_empty():
        errors["merchant_name"] = [ValidationError(MSG_NO_MERCHANT, code="no_merchant")]
    for name, error in claims.errors().items():
        errors[name] = [ValidationError(error.message, code=error.code)]
    if claim_values["platform"] and claim_values["platform"] not in dict(platform_choices()):
        errors["platform"] = [
            ValidationError(
                models.Field.default_error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": claim_values["platform"]},
            )
        ]
    if source and _already_imported(source, source_row):
        errors["source_row"] = [ValidationError(MSG_ALREADY_IMPORTED, code=ALREADY_IMPORTED)]
    candidate = Complaint(**facts, **claim_values)
    try:
        # Fields only. Uniqueness and constraints would cost three queries (and savepoints) per filing for nothing:
        # the uuid is fresh and the code drawn below, an imported row is checked above (and by the database), and
        # the amount's check constraint repeats its field's validator.
        candidate.full_clean(
            exclude=["code", "complainant", "merchant", "linked_merchant", "complainant_key"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    # Files first: resolving the merchant holds it until the commit, and a merge of it waits for the filing. A storage
    # write (an S3 upload in production) must not happen while holding it.
    written = [_write(checked) for checked in uploads]
    resolution = merchant_resolve(claims=claims)
    submitted_at = submitted_at or timezone.now()
    complaint = _new_complaint(
        complainant=complainant,
        merchant=resolution.merchant,
        linked_merchant=resolution.linked,
        merchant_links=resolution.links_json(),
        complainant_key=_complainant_key(complainant, source, complainant_ref),
        source=source,
        source_row=source_row,
        submitted_at=submitted_at,
        narrative_redacted=redact(facts["narrative"], known=redaction_known(complainant, {**facts, **claim_values})),
        client_ip_hash=_ip_hash(client_ip),
        priority=filing_priority(
            amount=facts["amount"],
            currency=facts["currency"],
            vulnerable=facts["vulnerable"],
            submitted_at=submitted_at,
        ),
        **facts,
        **claim_values,
    )
    timeline_add(complaint=complaint, kind=TimelineEvent.Kind.SUBMITTED, actor=complainant)
    moved = []
    if draft is not None:
        moved = list(draft.evidence.all())
        Evidence.objects.filter(pk__in=[evidence.pk for evidence in moved]).update(complaint=complaint, draft=None)
        draft.delete()
    stored = [
        _store(user=complainant, checked=checked, complaint=complaint, written=name)
        for checked, name in zip(uploads, written, strict=True)
    ]
    for evidence in [*moved, *stored]:
        timeline_add(
            complaint=complaint, kind=TimelineEvent.Kind.EVIDENCE_ADDED, actor=complainant, name=evidence.original_name
        )
        # A draft's file checked before filing had no timeline to report to; the complaint's tells it now.
        if evidence.status != Evidence.Status.PENDING:
            kind = (
                TimelineEvent.Kind.EVIDENCE_READY
                if evidence.status == Evidence.Status.READY
                else TimelineEvent.Kind.EVIDENCE_REJECTED
            )
            timeline_add(complaint=complaint, kind=kind, name=evidence.original_name, reason=evidence.reject_reason)
    # Last: the merchant's totals row stays locked until the commit, and in a surge every filing against the
    # merchant queues for it. Taken here, it is held for the commit alone, not for the rest of the filing.
    rollup_complaint_added(complaint=complaint)
    ids = [e.pk for e in stored]
    if ids:
        transaction.on_commit(lambda: _enqueue_evidence(ids))
    # The flags task also adds the complaint's surge points (complaints.priority.complaint_filed_priority).
    transaction.on_commit(lambda: _enqueue_flags(complaint.pk))
    return complaint


# Drafts -------------------------------------------------------------------------------------------


def draft_create(*, owner) -> ComplaintDraft:
    return ComplaintDraft.objects.create(owner=owner, expires_at=timezone.now() + settings.DRAFT_LIFETIME)


def draft_save(*, draft: ComplaintDraft, data: dict) -> ComplaintDraft:
    """Merge one wizard step's answers (JSON-safe values) into the draft and push its expiry back."""
    draft.data = {**draft.data, **data}
    draft.expires_at = timezone.now() + settings.DRAFT_LIFETIME
    draft.save(update_fields=["data", "expires_at", "updated_at"])
    return draft


def _delete_files(evidence: Evidence) -> None:
    for file in (evidence.file, evidence.display, evidence.thumbnail):
        if file:
            file.storage.delete(file.name)


@transaction.atomic
def draft_abandon(*, draft: ComplaintDraft) -> None:
    evidence = list(draft.evidence.all())
    draft.delete()
    transaction.on_commit(lambda: [_delete_files(e) for e in evidence])


@transaction.atomic
def draft_evidence_remove(*, draft: ComplaintDraft, evidence_uuid) -> None:
    evidence = draft.evidence.filter(uuid=evidence_uuid).first()
    if evidence is None:
        return
    evidence.delete()
    transaction.on_commit(lambda: _delete_files(evidence))


def drafts_purge_expired() -> int:
    """Delete drafts (and their files) whose last activity is older than DRAFT_LIFETIME."""
    purged = 0
    for draft in ComplaintDraft.objects.filter(expires_at__lt=timezone.now()).iterator():
        draft_abandon(draft=draft)
        purged += 1
    return purged


@transaction.atomic
def draft_submit(*, draft: ComplaintDraft, client_ip: str = "") -> Complaint:
    """File the complaint a draft describes; its uploaded evidence moves to the complaint."""
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    data = draft.data
    claims = MerchantClaims(**{name: data.get(name, "") for name in MerchantClaims.field_names()})
    amount = data.get("amount")
    paid_at = data.get("paid_at")
    return complaint_submit(
        complainant=draft.owner,
        claims=claims,
        category=data.get("category", ""),
        narrative=data.get("narrative", ""),
        amount=Decimal(amount) if amount not in (None, "") else None,
        currency=data.get("currency") or "CNY",
        payment_method=data.get("payment_method", ""),
        paid_at=date.fromisoformat(paid_at) if paid_at else None,
        order_number=data.get("order_number", ""),
        region=data.get("region", ""),
        consent_publish=data.get("consent_publish", False),
        hide_identity=data.get("hide_identity", True),
        vulnerable=data.get("vulnerable", False),
        draft=draft,
        client_ip=client_ip,
    )


# Evidence processing -------------------------------------------------------------------------------


def _claim_attempt(evidence_id: int) -> Evidence | None:
    """Count an attempt in its own committed transaction, so a crash mid-processing still counts."""
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update(skip_locked=True)
            .filter(pk=evidence_id, status=Evidence.Status.PENDING)
            .first()
        )
        if evidence is None:
            return None
        evidence.attempts += 1
        evidence.save(update_fields=["attempts"])
    return evidence


@transaction.atomic
def _finish(*, evidence_id: int, result=None, reason: str = "") -> Evidence | None:
    evidence = Evidence.objects.select_for_update().filter(pk=evidence_id, status=Evidence.Status.PENDING).first()
    if evidence is None:
        # Another run finished it first: keep its outcome, discard ours.
        return None
    if reason:
        evidence.status = Evidence.Status.REJECTED
        evidence.reject_reason = reason
    else:
        evidence.status = Evidence.Status.READY
        if isinstance(result, processing.ImageResult):
            stem = evidence.uuid.hex
            evidence.display.save(f"display/{stem}.{result.display_ext}", ContentFile(result.display), save=False)
            evidence.thumbnail.save(f"thumbnail/{stem}.jpg", ContentFile(result.thumbnail), save=False)
            evidence.width, evidence.height, evidence.phash = result.width, result.height, result.phash
        else:
            evidence.page_count, evidence.flags = result.page_count, result.flags
    evidence.processed_at = timezone.now()
    evidence.save()
    if evidence.complaint_id:
        kind = TimelineEvent.Kind.EVIDENCE_REJECTED if reason else TimelineEvent.Kind.EVIDENCE_READY
        timeline_add(complaint=evidence.complaint, kind=kind, name=evidence.original_name, reason=reason)
    return evidence


def evidence_process(*, evidence_id: int) -> Evidence | None:
    """Check and clean one evidence file. Idempotent: a file no longer pending is left as it is."""
    evidence = _claim_attempt(evidence_id)
    if evidence is None:
        return None
    if evidence.attempts > settings.EVIDENCE_MAX_ATTEMPTS:
        return _finish(evidence_id=evidence_id, reason=Evidence.RejectReason.PROCESSING_FAILED)
    try:
        with evidence.file.open("rb") as stream:
            if evidence.kind == Evidence.Kind.IMAGE:
                result = processing.process_image(stream)
            else:
                result = processing.process_pdf(stream)
    except processing.Refused as refused:
        return _finish(evidence_id=evidence_id, reason=refused.reason)
    evidence = _finish(evidence_id=evidence_id, result=result)
    if evidence is not None and evidence.status == Evidence.Status.READY:
        flags_for_evidence(evidence=evidence)
    return evidence


def evidence_sweep(*, limit: int = 500) -> int:
    """Publish again the evidence still pending EVIDENCE_SWEEP_AFTER after it was last published."""
    cutoff = timezone.now() - settings.EVIDENCE_SWEEP_AFTER
    ids = list(
        Evidence.objects.filter(status=Evidence.Status.PENDING, enqueued_at__lt=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        Evidence.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
        _enqueue_evidence(ids)
    return len(ids)
