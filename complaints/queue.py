"""Reads for the moderators' complaint pages and API: the priority queue, one case with everything a moderator
weighs, its staff timeline (what the complainant saw plus the audit record), the complainant's other complaints
and the personal data found in the raw account.

Everyone but a moderator gets 404 here, so a view that forgets its decorator still shows nothing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from complaints import redaction
from complaints.models import Complaint, Evidence, Flag, ModerationAction, TimelineEvent
from complaints.workflow import CLOSURES, OPEN, TRANSITIONS, claim_is_live

Status = Complaint.Status

HISTORY_RECENT = 5
# A flag's row and the other complaint's code for its link, not the other's whole account.
FLAG_FIELDS = ("complaint", "kind", "score", "created_at", "other", "other__code")

ACTION_LABELS = {
    "review": _("Taken into review"),
    "request_info": _("More information requested"),
    "accept": _("Accepted"),
    "reject": _("Rejected"),
    "claim": _("Claimed"),
    "release": _("Released"),
    "redaction_edit": _("Redacted text edited"),
    **{status: Status(status).label for status in CLOSURES},
}
MSG_CONSENT_GIVEN = _("consent given")
MSG_CONSENT_WITHDRAWN = _("consent withdrawn")
PII_LABELS = {
    redaction.MOBILE: _("Mobile phone"),
    redaction.LANDLINE: _("Landline"),
    redaction.RESIDENT_ID: _("Resident ID number"),
    redaction.BANK_CARD: _("Bank card"),
    redaction.EMAIL: _("Email address"),
    redaction.WECHAT_ID: _("WeChat ID"),
    redaction.QQ: _("QQ number"),
    redaction.KNOWN: _("The complainant's contact details"),
}
STATUS_LABELS = dict(Status.choices)
REJECT_LABELS = dict(Complaint.RejectReason.choices)
EVIDENCE_REJECT_LABELS = dict(Evidence.RejectReason.choices)


def _moderators_only(user) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise Http404


def _with_flags(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch("flags", queryset=Flag.objects.select_related("other").only(*FLAG_FIELDS))
    )


def _as_list(value) -> list:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def moderation_queue(*, user, filters: dict) -> QuerySet[Complaint]:
    """Complaints for moderators, worst first. `filters` (each optional): status (one or several; default the
    open ones), category, platform (the merchant's platform or the one the complainant named), region,
    merchant (its public id), flag (a Flag.Kind)."""
    _moderators_only(user)
    queryset = Complaint.objects.filter(status__in=_as_list(filters.get("status")) or OPEN)
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("platform"):
        # A merchant resolved to no platform still counts where the complainant said they bought.
        queryset = queryset.filter(Q(merchant__platform__code=filters["platform"]) | Q(platform=filters["platform"]))
    if filters.get("region"):
        queryset = queryset.filter(region=filters["region"])
    if filters.get("merchant"):
        queryset = queryset.filter(merchant__uuid=filters["merchant"])
    if filters.get("flag"):
        # EXISTS, not a join: a complaint flagged twice the same way is still one row.
        queryset = queryset.filter(Exists(Flag.objects.filter(complaint=OuterRef("pk"), kind=filters["flag"])))
    return _with_flags(
        queryset.select_related("merchant__platform", "claimed_by").order_by("-priority", "submitted_at", "pk")
    )


def moderation_complaints_by_code(*, user, codes) -> list[Complaint]:
    """The complaints a bulk action names, in the order given; unknown codes are left out."""
    _moderators_only(user)
    found = {complaint.code: complaint for complaint in Complaint.objects.filter(code__in=list(codes))}
    return [found[code] for code in codes if code in found]


def moderation_complaint_get(*, user, code: str) -> Complaint:
    """One case with what its staff page and API show, in a fixed number of queries."""
    _moderators_only(user)
    complaint = (
        _with_flags(Complaint.objects.filter(code=code))
        .select_related("merchant__platform", "claimed_by", "complainant")
        .prefetch_related(
            "evidence",
            Prefetch("timeline", queryset=TimelineEvent.objects.select_related("actor")),
            Prefetch("moderation_actions", queryset=ModerationAction.objects.select_related("actor")),
        )
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def allowed_actions(complaint: Complaint, *, user) -> set[str]:
    """What this moderator can do to the case now: the workflow's transitions from its status, claiming an open
    case, releasing their own claim. Someone else's live claim leaves nothing but reading (and the services
    refuse anyway: this only decides which forms to show)."""
    if claim_is_live(complaint) and complaint.claimed_by_id != user.pk:
        return set()
    actions = {"redaction"}
    # Named as in the pages' and the API's URLs.
    steps = [("review", "review"), ("request-info", "request_info"), ("accept", "accept"), ("reject", "reject")]
    actions |= {name for name, transition in steps if complaint.status in TRANSITIONS[transition].sources}
    if complaint.status == Status.ACCEPTED:
        actions.add("close")
    if complaint.status in OPEN:
        actions.add("release" if complaint.claimed_by_id == user.pk and claim_is_live(complaint) else "claim")
    return actions


@dataclass(frozen=True)
class StaffEntry:
    """One line of the staff timeline: an event the complainant also sees, or a moderator's audited action."""

    at: datetime
    label: str
    actor: str
    audited: bool
    change: str = ""
    note: str = ""
    before: str = ""
    after: str = ""


def _change(before: str, after: str) -> str:
    return f"{STATUS_LABELS.get(before, before)} → {STATUS_LABELS.get(after, after)}"


def _action_entry(action: ModerationAction) -> StaffEntry:
    before, after = action.before or {}, action.after or {}
    entry = {"at": action.created_at, "label": ACTION_LABELS.get(action.action, action.action), "audited": True}
    if action.action == "redaction_edit":
        entry.update(before=before.get("narrative_redacted", ""), after=after.get("narrative_redacted", ""))
    elif before.get("status") != after.get("status"):
        entry["change"] = _change(before.get("status", ""), after.get("status", ""))
    note = action.note
    if after.get("reject_reason") and after.get("reject_reason") != before.get("reject_reason"):
        note = " · ".join(filter(None, [str(REJECT_LABELS.get(after["reject_reason"], "")), note]))
    return StaffEntry(actor=action.actor.email, note=note, **entry)


def _event_entry(event: TimelineEvent) -> StaffEntry:
    data = event.data or {}
    change, note = "", ""
    if event.kind == TimelineEvent.Kind.STATUS_CHANGED:
        change, note = _change(data.get("from", ""), data.get("to", "")), data.get("note", "")
    elif event.kind == TimelineEvent.Kind.CONSENT_CHANGED:
        note = str(MSG_CONSENT_GIVEN if data.get("consent") else MSG_CONSENT_WITHDRAWN)
    elif data.get("name"):
        reason = EVIDENCE_REJECT_LABELS.get(data.get("reason", ""), "")
        note = " · ".join(filter(None, [data["name"], str(reason)]))
    return StaffEntry(
        at=event.created_at,
        label=event.get_kind_display(),
        actor=event.actor.email if event.actor else "",
        audited=False,
        change=change,
        note=note,
    )


def staff_timeline(complaint: Complaint) -> list[StaffEntry]:
    """The complaint's timeline and its moderation record in time order (from moderation_complaint_get's
    prefetches). A moderator's status change is written to both; it is shown once, as the audited action."""
    actions = list(complaint.moderation_actions.all())
    audited = Counter(
        (action.actor_id, (action.before or {}).get("status"), (action.after or {}).get("status")) for action in actions
    )
    entries = [_action_entry(action) for action in actions]
    for event in complaint.timeline.all():
        key = (event.actor_id, (event.data or {}).get("from"), (event.data or {}).get("to"))
        if event.kind == TimelineEvent.Kind.STATUS_CHANGED and audited[key]:
            audited[key] -= 1
            continue
        entries.append(_event_entry(event))
    # Stable: an action and the event it caused keep the order they were written in.
    return sorted(entries, key=lambda entry: entry.at)


@dataclass(frozen=True)
class ComplainantHistory:
    total: int
    by_status: list[tuple[str, str, int]]
    recent: list[Complaint]


def complainant_history(complaint: Complaint) -> ComplainantHistory:
    """The same complainant's other complaints (the account, or the victim an import named): how many, how
    they ended, the newest few."""
    others = Complaint.objects.filter(complainant_key=complaint.complainant_key).exclude(pk=complaint.pk)
    counts = {row["status"]: row["n"] for row in others.values("status").annotate(n=Count("pk")).order_by()}
    return ComplainantHistory(
        total=sum(counts.values()),
        by_status=[(code, label, counts[code]) for code, label in Status.choices if counts.get(code)],
        recent=list(others.select_related("merchant").order_by("-submitted_at")[:HISTORY_RECENT]),
    )


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""  # a complaints.redaction kind, or "" for ordinary text

    @property
    def label(self) -> str:
        return str(PII_LABELS.get(self.kind, "")) if self.kind else ""


def pii_findings(complaint: Complaint) -> list[redaction.Finding]:
    """Personal data in the raw account, as the automatic redaction finds it (in order, not overlapping)."""
    return redaction.find_pii(complaint.narrative, known=[complaint.complainant.email])


def narrative_segments(complaint: Complaint) -> list[Segment]:
    """The raw account cut into ordinary text and the personal data the automatic redaction masks, so the staff
    page can highlight what the published text hides."""
    text = complaint.narrative
    segments, position = [], 0
    for finding in pii_findings(complaint):
        if finding.start > position:
            segments.append(Segment(text[position : finding.start]))
        segments.append(Segment(text[finding.start : finding.end], finding.kind))
        position = finding.end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments
