"""Escalations: opening one per (merchant, authority) or extending it, and its life at the authority.

Every change runs in a transaction with the escalation's row locked and leaves an EscalationEvent. Functions
take `now` (timezone-aware) so deadline tests control the clock.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.cases import case_outcome_notify
from merchants.models import Merchant
from portal.escalations import delivery
from portal.escalations.models import AuthorityMember, Escalation, EscalationEvent, RiskRule
from portal.escalations.routing import root_merchant, route
from portal.escalations.selectors import (
    ACK_PENDING,
    RESPONSE_PENDING,
    ack_overdue_q,
    merchant_escalation_facts,
    response_overdue_q,
)

Status = Escalation.Status
Event = EscalationEvent.Kind

MSG_NOT_ALLOWED = _("This escalation is “%(status)s”: it cannot be %(action)s now.")
MSG_NOT_MEMBER = _("Only staff of %(authority)s can do this.")
MSG_NOT_MODERATOR = _("Only moderators can do this.")
MSG_REASON_REQUIRED = _("Say why this merchant should be escalated.")
MSG_OUTCOME_REQUIRED = _("Choose the outcome.")
MSG_NO_AUTHORITY = _("No authority could be found for this merchant: set its registered province first.")
MSG_OUTCOME_NOTICE = _("%(authority)s answered: %(outcome)s.")

# Which states each transition leaves from. An authority may acknowledge or answer a case it received by a
# channel that has not reported delivery yet, so "pending" is accepted too.
SOURCES = {
    "delivered": frozenset({Status.PENDING}),
    "acknowledged": frozenset({Status.PENDING, Status.DELIVERED}),
    "responded": frozenset({Status.PENDING, Status.DELIVERED, Status.ACKNOWLEDGED}),
    "closed": frozenset({Status.PENDING, Status.DELIVERED, Status.ACKNOWLEDGED, Status.RESPONDED}),
}
LABELS = {
    "delivered": _("marked delivered"),
    "acknowledged": _("acknowledged"),
    "responded": _("answered"),
    "closed": _("closed"),
}


class EscalationError(Exception):
    """A step that cannot be taken now (HTTP 409 in the API) or by this person (`code` "forbidden", HTTP 403)."""

    def __init__(self, message, *, code: str = "invalid_transition"):
        super().__init__(str(message))
        self.message = message
        self.code = code


def _event(escalation: Escalation, kind: str, *, now: datetime, actor=None, **data) -> EscalationEvent:
    return EscalationEvent.objects.create(escalation=escalation, kind=kind, actor=actor, data=data, created_at=now)


def _open_locked(merchant: Merchant, authority) -> Escalation | None:
    return (
        Escalation.objects.select_for_update()
        .filter(merchant=merchant, authority=authority)
        .exclude(status=Status.CLOSED)
        .first()
    )


def _supplement(
    escalation: Escalation, *, rules, reasons, complaint_count: int, claimed_loss: Decimal, actor, now: datetime
) -> Escalation:
    """Extend the open escalation when there is something new to tell: more complaints, a larger loss, another
    rule. The risk engine re-evaluates a merchant often; repeating the same facts adds nothing."""
    added = [rule for rule in rules if rule not in escalation.rules]
    if not (added or complaint_count > escalation.complaint_count or claimed_loss > escalation.claimed_loss):
        return escalation
    data = {
        "complaint_count": [escalation.complaint_count, complaint_count],
        "claimed_loss": [str(escalation.claimed_loss), str(claimed_loss)],
        "rules_added": added,
    }
    escalation.rules = [*escalation.rules, *added]
    escalation.reasons = reasons
    escalation.complaint_count = complaint_count
    escalation.claimed_loss = claimed_loss
    escalation.supplements += 1
    escalation.save(update_fields=["rules", "reasons", "complaint_count", "claimed_loss", "supplements"])
    _event(escalation, Event.SUPPLEMENTED, now=now, actor=actor, **data)
    # A wave adds complaints every few minutes: the authority is told again when a rule is added or the count
    # reaches the next power of two (8, 16, 32...), not each time.
    if added or _is_power_of_two(complaint_count):
        delivery.deliveries_enqueue(escalation=escalation, event=Event.SUPPLEMENTED)
    return escalation


def _is_power_of_two(number: int) -> bool:
    return number > 0 and number & (number - 1) == 0


@transaction.atomic
def escalation_open(
    *,
    merchant: Merchant,
    authority,
    rules: list[str],
    reasons: list,
    complaint_count: int,
    claimed_loss: Decimal,
    actor=None,
    now: datetime | None = None,
) -> tuple[Escalation, bool]:
    """Open an escalation of the merchant (its root, if merged) to the authority, or extend the open one.

    Returns the escalation and whether it was opened now. Two callers at once: both find none open, both
    insert; the partial unique constraint refuses the second, whose savepoint rolls back, and it then finds
    and extends the first one's row (committed by then: the insert waited for it).
    """
    now = now or timezone.now()
    merchant = root_merchant(merchant)
    claimed_loss = Decimal(claimed_loss)
    for _attempt in range(2):
        escalation = _open_locked(merchant, authority)
        if escalation is not None:
            supplemented = _supplement(
                escalation,
                rules=rules,
                reasons=reasons,
                complaint_count=complaint_count,
                claimed_loss=claimed_loss,
                actor=actor,
                now=now,
            )
            return supplemented, False
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    merchant=merchant,
                    authority=authority,
                    rules=list(dict.fromkeys(rules)),
                    reasons=reasons,
                    opened_by=actor,
                    opened_at=now,
                    ack_due_at=now + timedelta(hours=authority.ack_hours),
                    response_due_at=now + timedelta(days=authority.response_days),
                    complaint_count=complaint_count,
                    claimed_loss=claimed_loss,
                )
        except IntegrityError:
            continue
        _event(
            escalation,
            Event.OPENED,
            now=now,
            actor=actor,
            rules=escalation.rules,
            complaint_count=complaint_count,
            claimed_loss=str(claimed_loss),
        )
        delivery.deliveries_enqueue(escalation=escalation, event=Event.OPENED)
        return escalation, True
    # The constraint refused our row, yet no open escalation is visible: not a race this code can settle.
    raise IntegrityError("escalation_one_open: no open escalation found after a conflicting insert")


@transaction.atomic
def escalations_for_risk(
    *,
    merchant: Merchant,
    rules: list[str],
    reasons: list,
    claimed_loss: Decimal,
    complaint_count: int,
    complainant_regions: list[str],
    now: datetime | None = None,
    actor=None,
) -> list[Escalation]:
    """Route a merchant the risk engine flagged and open (or extend) one escalation per authority."""
    authorities = route(
        merchant=merchant, rules=rules, claimed_loss=Decimal(claimed_loss), complainant_regions=complainant_regions
    )
    return [
        escalation_open(
            merchant=merchant,
            authority=authority,
            rules=rules,
            reasons=reasons,
            complaint_count=complaint_count,
            claimed_loss=claimed_loss,
            actor=actor,
            now=now,
        )[0]
        for authority in authorities
    ]


@transaction.atomic
def escalation_manual(*, merchant: Merchant, moderator, reason: str, now: datetime | None = None) -> list[Escalation]:
    """A moderator escalates by hand: routed as a surge would be (police too once the loss is large)."""
    if not (moderator.is_authenticated and moderator.is_moderator):
        raise EscalationError(MSG_NOT_MODERATOR, code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise EscalationError(MSG_REASON_REQUIRED, code="invalid")
    merchant = root_merchant(merchant)
    facts = merchant_escalation_facts(merchant=merchant)
    authorities = route(
        merchant=merchant,
        rules=[RiskRule.Code.SURGE],
        claimed_loss=facts.claimed_loss,
        complainant_regions=facts.complainant_regions,
    )
    if not authorities:
        raise EscalationError(MSG_NO_AUTHORITY, code="invalid")
    reasons = [{"rule": RiskRule.Code.MANUAL, "reason": reason, "moderator": moderator.pk}]
    return [
        escalation_open(
            merchant=merchant,
            authority=authority,
            rules=[RiskRule.Code.MANUAL],
            reasons=reasons,
            complaint_count=facts.complaint_count,
            claimed_loss=facts.claimed_loss,
            actor=moderator,
            now=now,
        )[0]
        for authority in authorities
    ]


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update(of=("self",)).select_related("authority").get(pk=escalation.pk)


def _check_member(user, escalation: Escalation) -> None:
    is_member = (
        user.is_authenticated
        and AuthorityMember.objects.filter(user_id=user.pk, authority_id=escalation.authority_id).exists()
    )
    if not is_member:
        raise EscalationError(MSG_NOT_MEMBER % {"authority": escalation.authority.name}, code="forbidden")


def _move(escalation: Escalation, target: str, *, now: datetime, actor=None, **fields) -> Escalation:
    if escalation.status not in SOURCES[target]:
        raise EscalationError(MSG_NOT_ALLOWED % {"status": escalation.get_status_display(), "action": LABELS[target]})
    old = escalation.status
    escalation.status = target
    for field, value in fields.items():
        setattr(escalation, field, value)
    escalation.save(update_fields=["status", *fields])
    _event(
        escalation,
        target,
        now=now,
        actor=actor,
        **{"from": old, **{key: value for key, value in fields.items() if key in ("outcome", "note")}},
    )
    return escalation


@transaction.atomic
def escalation_mark_delivered(*, escalation: Escalation, now: datetime | None = None) -> Escalation:
    """The first delivery to the authority succeeded (called by delivery, not by people)."""
    now = now or timezone.now()
    return _move(_locked(escalation), Status.DELIVERED, now=now, delivered_at=now)


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, user, now: datetime | None = None) -> Escalation:
    now = now or timezone.now()
    escalation = _locked(escalation)
    _check_member(user, escalation)
    return _move(escalation, Status.ACKNOWLEDGED, now=now, actor=user, acknowledged_at=now)


@transaction.atomic
def escalation_respond(
    *, escalation: Escalation, user, outcome: str, note: str = "", now: datetime | None = None
) -> Escalation:
    """The authority says what it did. Answering also acknowledges, if that step was skipped."""
    now = now or timezone.now()
    escalation = _locked(escalation)
    _check_member(user, escalation)
    if outcome not in Escalation.Outcome.values:
        raise EscalationError(MSG_OUTCOME_REQUIRED, code="invalid")
    fields = {"responded_at": now, "outcome": outcome, "note": (note or "").strip()}
    if escalation.acknowledged_at is None:
        fields["acknowledged_at"] = now
    escalation = _move(escalation, Status.RESPONDED, now=now, actor=user, **fields)
    _notify_outcome(escalation)
    return escalation


def response_anchor(escalation: Escalation) -> str:
    """The id of the answer on the collective case's timeline."""
    return f"response-{escalation.uuid}"


def _notify_outcome(escalation: Escalation) -> None:
    """Every victim of the merchant hears what the authority answered, in the same transaction as the answer
    (the emails follow on commit). The notice's link names this answer, so telling twice adds nothing."""
    merchant = root_merchant(escalation.merchant)
    link = reverse("cases:detail", kwargs={"uuid": merchant.uuid}) + "#" + response_anchor(escalation)

    def message() -> str:
        outcome = Escalation.Outcome(escalation.outcome).label
        text = str(MSG_OUTCOME_NOTICE % {"authority": escalation.authority.name, "outcome": outcome})
        return f"{text}\n{escalation.note}" if escalation.note else text

    case_outcome_notify(merchant_id=merchant.pk, link=link, message=message)


@transaction.atomic
def escalation_close(*, escalation: Escalation, user, note: str = "", now: datetime | None = None) -> Escalation:
    """Close the case, by a moderator or by the authority's staff. A later escalation of the same merchant to
    the same authority opens a new one."""
    now = now or timezone.now()
    escalation = _locked(escalation)
    if not (user.is_authenticated and user.is_moderator):
        _check_member(user, escalation)
    fields = {"closed_at": now}
    if note and note.strip():
        fields["note"] = note.strip()
    return _move(escalation, Status.CLOSED, now=now, actor=user, **fields)


def escalations_flag_overdue(*, now: datetime) -> int:
    """Flag each missed deadline once: set the escalation's overdue mark and record an `overdue` event.

    Returns how many deadlines were newly flagged. A row another sweep holds is skipped, not waited for: that
    sweep flags it.
    """
    flagged = 0
    unflagged = (ack_overdue_q(now) & Q(ack_overdue_at__isnull=True)) | (
        response_overdue_q(now) & Q(response_overdue_at__isnull=True)
    )
    for pk in Escalation.objects.filter(unflagged).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            escalation = Escalation.objects.select_for_update(skip_locked=True).filter(unflagged, pk=pk).first()
            if escalation is None:
                continue
            for deadline, mark, due in (
                ("ack", "ack_overdue_at", escalation.ack_due_at if escalation.status in ACK_PENDING else None),
                (
                    "response",
                    "response_overdue_at",
                    escalation.response_due_at if escalation.status in RESPONSE_PENDING else None,
                ),
            ):
                if due is not None and due < now and getattr(escalation, mark) is None:
                    setattr(escalation, mark, now)
                    escalation.save(update_fields=[mark])
                    _event(escalation, Event.OVERDUE, now=now, deadline=deadline, due=due.isoformat())
                    # The authority is reminded once per missed deadline; moderators see it in their list.
                    delivery.deliveries_enqueue(escalation=escalation, event=Event.REMINDED)
                    _event(escalation, Event.REMINDED, now=now, deadline=deadline)
                    flagged += 1
    return flagged
