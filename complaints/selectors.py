"""Reads about complaints. Every fetch by a user-supplied id is permission-checked: outsiders get 404."""

import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from complaints.models import (
    ACCEPTED_STATUSES,
    PUBLIC_STATUSES,
    Category,
    Complaint,
    ComplaintDraft,
    Evidence,
    Flag,
    MerchantStats,
    Notification,
    TimelineEvent,
)
from merchants import identifiers
from merchants.regions import Region
from merchants.selectors import merchant_find, merchant_identifiers

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def _visible_to(user):
    if not user.is_authenticated:
        return Complaint.objects.none()
    if user.is_moderator:
        return Complaint.objects.all()
    return Complaint.objects.filter(complainant=user)


def complaint_list_for_user(*, user):
    """The user's own complaints, newest first, with their merchant and evidence (the API lists both)."""
    return _visible_to(user).filter(complainant=user).select_related("merchant").prefetch_related("evidence")


def complaint_get_for_user(*, user, uuid=None, code=None) -> Complaint:
    lookup = {"uuid": uuid} if uuid is not None else {"code": code}
    complaint = (
        _visible_to(user)
        .select_related("merchant", "merchant__platform")
        .prefetch_related("evidence", "timeline")
        .filter(**lookup)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def draft_get_for_user(*, user, uuid) -> ComplaintDraft:
    draft = ComplaintDraft.objects.filter(owner=user, uuid=uuid).first() if user.is_authenticated else None
    if draft is None:
        raise Http404
    return draft


def draft_merchant_prefill(*, merchant_uuid: str) -> dict:
    """The filing wizard's merchant answers for "I was cheated too": the merchant's name, platform, company and
    the strong identifiers anyone may see (app ID, registration number). Nothing personal such as a phone or a
    payee account, which the victim types from their own records. Empty for an unknown or malformed id."""
    try:
        merchant = merchant_find(uuid=uuid_module.UUID(str(merchant_uuid)))
    except ValueError:
        return {}
    if merchant is None:
        return {}
    data = {"merchant_name": merchant.name, "company_name": merchant.company_name, "company_uscc": merchant.uscc}
    if merchant.platform_id:
        data["platform"] = merchant.platform.code
    app_ids = [i.value for i in merchant_identifiers(merchant=merchant) if i.kind == identifiers.APP_ID]
    if app_ids:
        data["app_id"] = app_ids[0]
    return {name: value for name, value in data.items() if value}


def draft_latest_for_user(*, user) -> ComplaintDraft | None:
    """The user's newest draft that has not expired: "File a complaint" resumes it."""
    return ComplaintDraft.objects.filter(owner=user, expires_at__gt=timezone.now()).order_by("-updated_at").first()


def evidence_get_for_user(*, user, uuid) -> Evidence:
    """Evidence of a complaint the user may see, or of the user's own draft."""
    if not user.is_authenticated:
        raise Http404
    evidence = Evidence.objects.select_related("complaint", "draft").filter(uuid=uuid).first()
    if evidence is None:
        raise Http404
    if evidence.complaint_id and _visible_to(user).filter(pk=evidence.complaint_id).exists():
        return evidence
    if evidence.draft_id and evidence.draft.owner_id == user.pk:
        return evidence
    raise Http404


@dataclass(frozen=True)
class MerchantSummary:
    """A merchant's complaint numbers for its profile: kept totals plus windowed counts."""

    complaints: int
    complainants: int
    loss: Decimal
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    first_at: datetime | None
    last_at: datetime | None
    windows: dict[str, int]


def merchant_windows(*, merchant_id: int, now: datetime | None = None) -> dict[str, int]:
    """Complaints in the last 24 hours, 7 days and 30 days, counted from the (merchant, submitted_at) index alone
    (counting submitted_at, not the key, which the index does not hold):
    a number that must fall as time passes cannot be kept by adding."""
    now = now or timezone.now()
    since = {name: now - span for name, span in WINDOWS.items()}
    counts = Complaint.objects.filter(merchant_id=merchant_id, submitted_at__gte=since["30d"]).aggregate(
        **{name: Count("submitted_at", filter=Q(submitted_at__gte=start)) for name, start in since.items()}
    )
    return {name: counts[name] or 0 for name in WINDOWS}


def merchant_summary(*, merchant_id: int) -> MerchantSummary:
    stats = MerchantStats.objects.filter(merchant_id=merchant_id).first() or MerchantStats(merchant_id=merchant_id)
    statuses = dict(Complaint.Status.choices)
    categories = dict(Category.choices)
    return MerchantSummary(
        complaints=stats.complaints,
        complainants=stats.complainants,
        loss=stats.loss,
        by_status=[(code, statuses[code], n) for code, n in stats.by_status.items() if n and code in statuses],
        by_category=sorted(
            ((code, categories[code], n) for code, n in stats.by_category.items() if n and code in categories),
            key=lambda row: -row[2],
        ),
        first_at=stats.first_at,
        last_at=stats.last_at,
        windows=merchant_windows(merchant_id=merchant_id),
    )


def merchant_stats_many(*, merchant_ids) -> dict[int, MerchantStats]:
    """Kept totals of several merchants in one query (lookup results)."""
    return {stats.merchant_id: stats for stats in MerchantStats.objects.filter(merchant_id__in=list(merchant_ids))}


def merchant_recent_complaints(*, user, merchant_id: int, limit: int = 5) -> list[Complaint]:
    """The newest complaints against a merchant with their evidence, for moderators comparing two merchants;
    nobody else sees complaints this way."""
    if not (user.is_authenticated and user.is_moderator):
        raise Http404
    return list(
        Complaint.objects.filter(merchant_id=merchant_id).order_by("-submitted_at").prefetch_related("evidence")[:limit]
    )


# Publication --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicComplaint:
    """What anyone may read of a published complaint. Built from a few columns only, so that the raw narrative,
    the complainant, the evidence and the typed merchant claims (order numbers, payee accounts) cannot reach a
    public page or the API by a template's or a serializer's mistake."""

    uuid: uuid_module.UUID
    merchant_uuid: uuid_module.UUID
    merchant_name: str
    category: str
    category_display: str
    status: str
    status_display: str
    submitted_at: datetime
    amount: Decimal | None
    currency: str
    narrative: str  # the redacted account

    @property
    def month(self) -> str:
        """The month it was filed (YYYY-MM, local time): the day adds little and narrows who filed it."""
        return timezone.localtime(self.submitted_at).strftime("%Y-%m")


_PUBLIC_COLUMNS = ("uuid", "category", "status", "submitted_at", "amount", "currency", "narrative_redacted")


def _published():
    return Complaint.objects.filter(consent_publish=True, status__in=PUBLIC_STATUSES)


def _public(row: dict) -> PublicComplaint:
    return PublicComplaint(
        uuid=row["uuid"],
        merchant_uuid=row["merchant__uuid"],
        merchant_name=row["merchant__name"],
        category=row["category"],
        category_display=Category(row["category"]).label,
        status=row["status"],
        status_display=Complaint.Status(row["status"]).label,
        submitted_at=row["submitted_at"],
        amount=row["amount"],
        currency=row["currency"],
        narrative=row["narrative_redacted"],
    )


def complaint_get_public(*, uuid) -> PublicComplaint:
    """A published complaint (accepted and consented to), or 404: the check is made on every read, so withdrawing
    consent or the complaint unpublishes it at once."""
    row = _published().filter(uuid=uuid).values(*_PUBLIC_COLUMNS, "merchant__uuid", "merchant__name").first()
    if row is None:
        raise Http404
    return _public(row)


def merchant_public_complaints(*, merchant_id: int, limit: int = 10) -> list[PublicComplaint]:
    """A merchant's newest published complaints (one query, on the (merchant, submitted_at) index)."""
    rows = (
        _published()
        .filter(merchant_id=merchant_id)
        .order_by("-submitted_at")
        .values(*_PUBLIC_COLUMNS, "merchant__uuid", "merchant__name")[:limit]
    )
    return [_public(row) for row in rows]


# Notices ------------------------------------------------------------------------------------------


def notification_list_for_user(*, user):
    """The user's notices, newest first, with the complaint each is about."""
    return Notification.objects.filter(user=user).select_related("complaint")


def notification_unread_count(*, user) -> int:
    """The nav's badge: one COUNT on the (user, read_at) index."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def complaint_question(*, complaint: Complaint) -> str:
    """The moderator's open question while the complaint needs information: the note of the latest move to
    needs_info, read from the timeline (prefetched by complaint_get_for_user)."""
    if complaint.status != Complaint.Status.NEEDS_INFO:
        return ""
    asked = [
        event
        for event in complaint.timeline.all()
        if event.kind == TimelineEvent.Kind.STATUS_CHANGED and event.data.get("to") == Complaint.Status.NEEDS_INFO
    ]
    return asked[-1].data.get("note", "") if asked else ""


# Early warning ------------------------------------------------------------------------------------

# Complaints a moderator accepted, whatever happened after: what the risk rules count.
RISK_STATUSES = tuple(sorted(ACCEPTED_STATUSES))
BRIGADING_FLAGS = (Flag.Kind.BRIGADING_ACCOUNT, Flag.Kind.BRIGADING_ADDRESS)


@dataclass(frozen=True)
class RiskInput:
    """What the risk rules read of one counted complaint. `amount` is None unless the loss is in CNY."""

    submitted_at: datetime
    category: str
    amount: Decimal | None
    region: str


def _counted() -> QuerySet[Complaint]:
    """Complaints that count against a merchant for escalation: accepted or later, and not flagged as brigading.
    The risk rules, the dossier and the authority portal read this one definition, so they always agree."""
    return Complaint.objects.filter(status__in=RISK_STATUSES).exclude(flags__kind__in=BRIGADING_FLAGS)


def merchant_risk_inputs(*, merchant_id: int, since: datetime) -> list[RiskInput]:
    """The merchant's accepted-or-later complaints submitted since `since`, oldest first, without those flagged as
    brigading (one account or one address filing many): a pile-on must not raise an alarm. Reads the
    (merchant, submitted_at) index."""
    rows = (
        _counted()
        .filter(merchant_id=merchant_id, submitted_at__gte=since)
        .order_by("submitted_at")
        .values_list("submitted_at", "category", "amount", "currency", "region")
    )
    return [
        RiskInput(submitted_at=at, category=category, amount=amount if currency == "CNY" else None, region=region)
        for at, category, amount, currency, region in rows
    ]


def risk_merchant_ids(*, since: datetime) -> list[int]:
    """Merchants with a counted complaint submitted since `since`: those whose risk the hourly refresh updates."""
    return list(
        _counted()
        .filter(submitted_at__gte=since)
        .values_list("merchant_id", flat=True)
        .distinct()
        .order_by("merchant_id")
    )


def escalation_complaints(*, merchant_id: int) -> QuerySet[Complaint]:
    """The merchant's counted complaints (accepted or later, not flagged as brigading: what the risk rules count),
    oldest first, with the complainant and the ready evidence, for an escalation's dossier."""
    return (
        _counted()
        .filter(merchant_id=merchant_id)
        .select_related("complainant")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.filter(status=Evidence.Status.READY).exclude(display=""))
        )
        .order_by("submitted_at", "id")
    )


# Authority staff --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorityComplaint:
    """What authority staff read of a complaint inside an escalation sent to them: the facts and the redacted
    account. Built from a few columns only, so the raw narrative, the complainant and the typed merchant claims
    cannot reach the authority portal by a template's mistake; evidence travels in the dossier."""

    pk: int
    code: str
    submitted_at: datetime
    category: str
    category_display: str
    status_display: str
    amount: Decimal | None
    currency: str
    region: str
    region_display: str
    narrative: str  # the redacted account


_AUTHORITY_COLUMNS = (
    "pk",
    "code",
    "submitted_at",
    "category",
    "status",
    "amount",
    "currency",
    "region",
    "narrative_redacted",
)


def _authority_complaint(row: dict) -> AuthorityComplaint:
    return AuthorityComplaint(
        pk=row["pk"],
        code=row["code"],
        submitted_at=row["submitted_at"],
        category=row["category"],
        category_display=Category(row["category"]).label,
        status_display=Complaint.Status(row["status"]).label,
        amount=row["amount"],
        currency=row["currency"],
        region=row["region"],
        region_display=Region(row["region"]).label if row["region"] else "",
        narrative=row["narrative_redacted"],
    )


def authority_complaints(*, merchant_id: int) -> list[AuthorityComplaint]:
    """The merchant's counted complaints (accepted or later, not flagged as brigading: what the dossier carries),
    newest first. Complaints follow their merchant through merges: the escalated (root) merchant's id finds all."""
    rows = _counted().filter(merchant_id=merchant_id).order_by("-submitted_at", "-pk").values(*_AUTHORITY_COLUMNS)
    return [_authority_complaint(row) for row in rows]


def authority_complaint_get(*, merchant_id: int, code: str) -> AuthorityComplaint:
    """One counted complaint of the merchant by its tracking code, or 404 (another merchant's, or not counted)."""
    row = _counted().filter(merchant_id=merchant_id, code=code).values(*_AUTHORITY_COLUMNS).first()
    if row is None:
        raise Http404
    return _authority_complaint(row)
