"""Erasing a complainant's personal data while the figures stay right (issue 8, privacy lifecycle).

Three ways in: the complainant withdraws their data from one complaint (`complaint_data_withdraw`), deletes their
account (`user_data_erase`, called by portal.accounts), or the retention job finds a complaint closed longer than
settings.PERSONAL_DATA_RETENTION_DAYS (`personal_data_purge`). All end in `complaint_erase`.

An erased complaint is its own tombstone. It keeps what the rollups, merchant totals, risk scores and escalations
count it by (merchant, category, amount, currency, payment method, dates, province, platform, status, the
complainant key that counts distinct victims) and the merchant claims that name a business (name, mini program,
app ID, shop URL, company and its registration number). It loses the narrative and its redacted copy (both become
ERASED_TEXT), the order number, the client address hash, every consent, and the merchant phone, WeChat ID and
payee account: those may be a private person's, as complaints.redaction assumes for the published text. The
merchant keeps them as identifiers, where they serve the next buyer checking before paying. Evidence files leave
the storage and their rows go; messages between victims and notices about the complaint are deleted.

Records that are append-only or written by others (timeline, moderators' audit, the merchant's replies and
proposals, review requests) stay as records of who did what and when; `_scrub_records` is the one place that
rewrites them, keeping only codes, ids and flags and masking the complainant's known values in the merchant's
words. Open complaints are withdrawn first: no moderator can verify an account that no longer exists. Accepted
and closed ones keep their status, so nothing counted changes.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    Complaint,
    ComplaintDraft,
    Evidence,
    ImportJob,
    MerchantReply,
    ModerationAction,
    Notification,
    ResolutionProposal,
    ReviewRequest,
    TimelineEvent,
    VictimMessage,
)
from complaints.redaction import redact
from complaints.services import REDACTION_FIELDS, redaction_known
from complaints.workflow import CLOSURES, OPEN, complaint_withdraw

logger = logging.getLogger(__name__)

Status = Complaint.Status

# What an erased narrative reads, in both of the site's languages: it is stored, not translated per reader.
ERASED_TEXT = "[个人信息已删除 · personal data erased]"
MSG_NOT_YOURS = _("Only the person who filed this complaint can withdraw their data from it.")

# Why a complaint was erased (the log says which).
ACCOUNT_DELETED = "account_deleted"
DATA_WITHDRAWN = "data_withdrawn"
RETENTION = "retention"

# Nothing more happens to a complaint in these statuses: the retention clock runs from the change into them.
CLOSED_STATUSES = frozenset(CLOSURES | {Status.REJECTED, Status.WITHDRAWN})
# Personal fields of the complaint and what they become; REDACTION_FIELDS are the order number and the merchant
# contacts that may be a private person's.
ERASED_FIELDS = {
    "narrative": ERASED_TEXT,
    "narrative_redacted": ERASED_TEXT,
    **dict.fromkeys(REDACTION_FIELDS, ""),
    "client_ip_hash": "",
    "consent_publish": False,
    "contactable": False,
    "hide_identity": True,
}
# Values a timeline or audit record may keep: statuses, reasons and kinds as codes (free text is dropped).
_CODES = frozenset(
    value
    for choices in (
        Status,
        Complaint.RejectReason,
        Evidence.Status,
        Evidence.RejectReason,
        ResolutionProposal.Kind,
        ResolutionProposal.Status,
    )
    for value in choices.values
)


class ErasureRefused(Exception):
    """The person may not erase this complaint (a message for the page)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_erased(complaint: Complaint) -> bool:
    return complaint.narrative == ERASED_TEXT


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_code(value) -> bool:
    if value is None or isinstance(value, bool | int):
        return True
    return isinstance(value, str) and (value == "" or value in _CODES or _is_uuid(value))


def _non_personal(data: dict) -> dict:
    """The entries of a record's details that cannot carry personal data: flags, ids, codes, UUIDs, blanks."""
    return {key: value for key, value in data.items() if _is_code(value)}


def _delete_files(evidence: list[Evidence]) -> None:
    """Delete the files of evidence whose rows are deleted. Called last inside the erasure's transaction, so a
    storage failure undoes the whole erasure (to be tried again) instead of leaving files behind a finished one;
    deleting a file that is already gone is no error, so the retry completes."""
    for row in evidence:
        for file in (row.file, row.display, row.thumbnail):
            if file:
                file.storage.delete(file.name)


def _scrub_records(complaint: Complaint, known: list[str]) -> None:
    """Remove personal data from the complaint's records: the one place that rewrites append-only rows
    (TimelineEvent, ModerationAction, MerchantReply), through their base managers, which have no append-only
    guard. What happened, who did it and when stay."""
    for event in TimelineEvent.objects.filter(complaint=complaint):
        data = _non_personal(event.data)
        if data != event.data:
            TimelineEvent.objects.filter(pk=event.pk).update(data=data)
    for action in ModerationAction.objects.filter(complaint=complaint):
        before, after = _non_personal(action.before), _non_personal(action.after)
        if (before, after, "") != (action.before, action.after, action.note):
            ModerationAction._base_manager.filter(pk=action.pk).update(before=before, after=after, note="")
    # The merchant's and moderators' words stay; what they quote of the complainant does not.
    masked = [
        (MerchantReply._base_manager, ("body", "body_redacted")),
        (ResolutionProposal.objects, ("message", "message_redacted")),
        (ReviewRequest.objects, ("explanation", "note")),
    ]
    for manager, fields in masked:
        for row in manager.filter(complaint=complaint).values("pk", *fields):
            changes = {name: redact(row[name], known=known) for name in fields}
            if any(changes[name] != row[name] for name in fields):
                manager.filter(pk=row["pk"]).update(**changes)


@transaction.atomic
def complaint_erase(*, complaint: Complaint, reason: str) -> bool:
    """Erase the personal data of one complaint (see the module's docstring). Returns False when it already was."""
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("complainant").get(pk=complaint.pk)
    if is_erased(complaint):
        return False
    values = {name: getattr(complaint, name) for name in REDACTION_FIELDS}
    known = [value for value in redaction_known(complaint.complainant, values) if value]
    evidence = list(complaint.evidence.all())
    Evidence.objects.filter(complaint=complaint).delete()
    VictimMessage.objects.filter(Q(sender=complaint) | Q(recipient=complaint)).delete()
    Notification.objects.filter(complaint=complaint).delete()
    _scrub_records(complaint, known)
    for name, value in ERASED_FIELDS.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=[*ERASED_FIELDS, "updated_at"])
    _delete_files(evidence)
    logger.info("personal data erased from complaint %s (%s, %d evidence files)", complaint.pk, reason, len(evidence))
    return True


def _own_complaints(user):
    """Complaints the user filed themselves. Imported ones are filed under the importer's account but are the
    victims': neither the importer's account deletion nor their request erases them (retention does)."""
    return Complaint.objects.filter(complainant=user, source="")


def erasable_complaints_for_user(*, user):
    return _own_complaints(user).select_related("merchant").order_by("-submitted_at")


def erasable_complaint_get(*, user, uuid) -> Complaint:
    complaint = _own_complaints(user).filter(uuid=uuid).first() if user.is_authenticated else None
    if complaint is None:
        raise Http404
    return complaint


def erasure_withdraws(complaint: Complaint) -> bool:
    """Whether erasing the complaint withdraws it first (it is still open)."""
    return complaint.status in OPEN


def _withdraw_if_open(complaint: Complaint, user) -> None:
    if erasure_withdraws(complaint):
        complaint_withdraw(complaint=complaint, user=user)


@transaction.atomic
def complaint_data_withdraw(*, complaint: Complaint, user) -> bool:
    """The complainant takes their data back from one complaint: withdrawn if still open, then erased."""
    if complaint.complainant_id != user.pk or complaint.source:
        raise ErasureRefused(MSG_NOT_YOURS)
    _withdraw_if_open(complaint, user)
    return complaint_erase(complaint=complaint, reason=DATA_WITHDRAWN)


@transaction.atomic
def user_data_erase(*, user) -> int:
    """Everything the complaints app holds about a person whose account is being deleted: their own complaints
    (withdrawn if open, then erased), drafts with their files, and every notice to them. The account row itself is
    portal.accounts' to anonymise. Returns how many complaints were erased."""
    erased = 0
    for complaint in _own_complaints(user).order_by("pk"):
        _withdraw_if_open(complaint, user)
        erased += complaint_erase(complaint=complaint, reason=ACCOUNT_DELETED)
    draft_evidence = list(Evidence.objects.filter(draft__owner=user))
    ComplaintDraft.objects.filter(owner=user).delete()
    Notification.objects.filter(user=user).delete()
    _delete_files(draft_evidence)
    return erased


@dataclass
class PurgeResult:
    complaints: int
    imports: int
    failed: int


def personal_data_purge(
    *, older_than: timedelta | None = None, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Erase complaints closed (CLOSED_STATUSES) more than `older_than` ago (settings.PERSONAL_DATA_RETENTION_DAYS
    by default), each in its own transaction, and delete import spreadsheets finished as long ago.

    Closed means the last status change, from the timeline (the update time for a complaint that has none). A
    complaint that fails is logged and left for the next run; the others go on."""
    older_than = older_than if older_than is not None else timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - older_than
    last_change = (
        TimelineEvent.objects.filter(complaint=OuterRef("pk"), kind=TimelineEvent.Kind.STATUS_CHANGED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    due = list(
        Complaint.objects.filter(status__in=CLOSED_STATUSES)
        .exclude(narrative=ERASED_TEXT)
        .annotate(closed_at=Coalesce(Subquery(last_change), "updated_at"))
        .filter(closed_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    spreadsheets = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file="")
    if dry_run:
        return PurgeResult(complaints=len(due), imports=spreadsheets.count(), failed=0)
    erased = failed = 0
    for pk in due:
        try:
            erased += complaint_erase(complaint=Complaint(pk=pk), reason=RETENTION)
        except Exception:  # one complaint's storage or database error must not stop the others
            failed += 1
            logger.exception("personal data of complaint %s not erased; the next run tries again", pk)
    return PurgeResult(complaints=erased, imports=_spreadsheets_delete(spreadsheets), failed=failed)


def _spreadsheets_delete(jobs) -> int:
    """Import spreadsheets hold victims' personal data: the file goes, the job's counts stay."""
    deleted = 0
    for job in jobs.iterator():
        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(file="", report=[])
            job.file.storage.delete(job.file.name)
        deleted += 1
    return deleted
