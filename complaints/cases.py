"""Collective cases: one merchant's victims taken together. The public summary (victims, the ledger of claimed
losses, filings per day), victims agreeing to hear from each other and writing through the site without seeing
who the other is, and telling every victim when an authority answers about the merchant.

A complaint counts towards its merchant's case unless it was rejected or withdrawn. Imported complaints count
(they are victims too) but have no account behind them here: nobody opts in or writes for them.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from complaints.ledger import Ledger, LedgerEntry, ledger_build
from complaints.models import UNCOUNTED_STATUSES, Category, Complaint, Notification, TimelineEvent, VictimMessage
from complaints.notifications import notification_create

MESSAGE_MAX = 2000
MESSAGES_PER_DAY = 20
MSG_NOT_A_VICTIM = _("Only people with a complaint against this merchant can do this.")
MSG_NOT_OPTED_IN = _(
    "Let other victims write to you first: only victims who agreed to be contacted write to each other."
)
MSG_RECIPIENT_GONE = _("This victim no longer accepts messages.")
MSG_BODY_EMPTY = _("Write your message.")
MSG_BODY_TOO_LONG = _("Keep your message to %(limit)d characters.")
MSG_TOO_MANY = _("You sent %(limit)d messages in the last 24 hours, the most allowed. Try again tomorrow.")
KEY_SALT = "complaints.cases.victim"


def _counted():
    return Complaint.objects.exclude(status__in=UNCOUNTED_STATUSES)


def victim_key(complaint_uuid) -> str:
    """An opaque name for a victim's complaint in the write-to form: neither its code nor its public id, which
    would tie the victim to a published account."""
    return salted_hmac(KEY_SALT, str(complaint_uuid)).hexdigest()[:24]


# The case --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    pk: int
    uuid: object
    complainant_id: int
    complainant_key: str
    source: str
    submitted_at: datetime
    category: str
    contactable: bool


@dataclass(frozen=True)
class Victim:
    """A fellow victim as another sees them: a number, the month of their first complaint and what happened."""

    number: int
    key: str
    first_filed: datetime
    category_display: str


@dataclass(frozen=True)
class Case:
    merchant_id: int
    complaints: int
    victims: int
    ledger: Ledger
    filings: list[tuple[date, int]]  # (day, complaints filed), oldest first
    rows: list[_Row]


_COLUMNS = ("pk", "uuid", "complainant_id", "complainant_key", "source", "submitted_at", "category", "contactable")


def case_get(*, merchant_id: int) -> Case:
    """The case against an active merchant (complaints follow merges, so its id finds the whole group), or 404
    when nothing counts against it. One query, on the (merchant, submitted_at) index."""
    values = list(
        _counted()
        .filter(merchant_id=merchant_id)
        .order_by("submitted_at", "pk")
        .values_list(*_COLUMNS, "amount", "currency", "order_number")
    )
    if not values:
        raise Http404
    rows = [_Row(*value[: len(_COLUMNS)]) for value in values]
    entries = [
        LedgerEntry(submitted_at=row.submitted_at, amount=amount, currency=currency, order_number=order)
        for row, (*_, amount, currency, order) in zip(rows, values, strict=True)
    ]
    days = Counter(timezone.localdate(row.submitted_at) for row in rows)
    return Case(
        merchant_id=merchant_id,
        complaints=len(rows),
        victims=len({row.complainant_key for row in rows}),
        ledger=ledger_build(entries),
        filings=sorted(days.items()),
        rows=rows,
    )


@dataclass(frozen=True)
class Viewer:
    """What a signed-in victim of the merchant sees of the case besides the public part."""

    contactable: bool
    victims: list[Victim]  # the others who agreed to be contacted


def _own(row: _Row, user) -> bool:
    # An imported complaint belongs to the victim, not to the moderator whose account imported it.
    return row.complainant_id == user.pk and not row.source


def case_viewer(*, case: Case, user) -> Viewer | None:
    """The victim panel for `user`, or None when they have no counted complaint against the merchant."""
    if not user.is_authenticated:
        return None
    mine = [row for row in case.rows if _own(row, user)]
    if not mine:
        return None
    numbers: dict[str, int] = {}
    for row in case.rows:
        numbers.setdefault(row.complainant_key, len(numbers) + 1)
    others: dict[int, _Row] = {}
    for row in case.rows:
        if row.contactable and not row.source and row.complainant_id != user.pk:
            others.setdefault(row.complainant_id, row)
    victims = [
        Victim(
            number=numbers[row.complainant_key],
            key=victim_key(row.uuid),
            first_filed=row.submitted_at,
            category_display=Category(row.category).label,
        )
        for row in others.values()
    ]
    return Viewer(contactable=any(row.contactable for row in mine), victims=victims)


@transaction.atomic
def case_contact_set(*, user, merchant_id: int, contactable: bool) -> int:
    """Let other victims of the merchant write to `user`, or stop them: on each of the user's counted complaints
    against it. Returns how many complaints changed."""
    complaints = list(
        _counted().select_for_update().filter(merchant_id=merchant_id, complainant_id=user.pk, source="").order_by("pk")
    )
    if not complaints:
        raise ValidationError(MSG_NOT_A_VICTIM, code="not_a_victim")
    changed = [complaint for complaint in complaints if complaint.contactable != contactable]
    for complaint in changed:
        complaint.contactable = contactable
        complaint.save(update_fields=["contactable", "updated_at"])
        TimelineEvent.objects.create(
            complaint=complaint,
            kind=TimelineEvent.Kind.CONTACT_CHANGED,
            actor=user,
            data={"contactable": contactable},
        )
    return len(changed)


# Messages between victims ----------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(MSG_BODY_EMPTY, code="empty")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(MSG_BODY_TOO_LONG % {"limit": MESSAGE_MAX}, code="too_long")
    return body


def _send(*, user, sender_id: int | None, recipient_id: int | None, body: str) -> VictimMessage:
    body = _clean_body(body)
    # One person's sends are serialised on their account row, so the daily cap holds under concurrent posts.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    since = timezone.now() - timedelta(days=1)
    if VictimMessage.objects.filter(sender__complainant_id=user.pk, created_at__gte=since).count() >= MESSAGES_PER_DAY:
        raise ValidationError(MSG_TOO_MANY % {"limit": MESSAGES_PER_DAY}, code="rate_limited")
    # Both rows locked, in one order, so withdrawing consent either comes first (and refuses) or waits.
    locked = Complaint.objects.select_for_update().filter(pk__in=[sender_id, recipient_id]).order_by("pk")
    complaints = {complaint.pk: complaint for complaint in locked}
    sender, recipient = complaints.get(sender_id), complaints.get(recipient_id)
    if sender is None or not _may_write(sender, user):
        raise ValidationError(MSG_NOT_OPTED_IN, code="not_opted_in")
    if recipient is None or not _may_receive(recipient, sender):
        raise ValidationError(MSG_RECIPIENT_GONE, code="recipient_gone")
    message = VictimMessage.objects.create(sender=sender, recipient=recipient, body=body)
    # One unread notice (and email) at a time per recipient's complaint, however many write: reading the inbox
    # clears it.
    waiting = Notification.objects.filter(
        user_id=recipient.complainant_id, complaint=recipient, kind=Notification.Kind.MESSAGE, read_at__isnull=True
    )
    if not waiting.exists():
        notification_create(
            user_id=recipient.complainant_id,
            complaint=recipient,
            kind=Notification.Kind.MESSAGE,
            link=reverse("cases:inbox"),
        )
    return message


def _may_write(sender: Complaint, user) -> bool:
    return (
        sender.complainant_id == user.pk
        and not sender.source
        and sender.status not in UNCOUNTED_STATUSES
        and sender.contactable
    )


def _may_receive(recipient: Complaint, sender: Complaint) -> bool:
    return (
        recipient.merchant_id == sender.merchant_id
        and recipient.complainant_id != sender.complainant_id
        and not recipient.source
        and recipient.status not in UNCOUNTED_STATUSES
        and recipient.contactable
    )


@transaction.atomic
def victim_message_send(*, user, merchant_id: int, recipient_key: str, body: str) -> VictimMessage:
    """Write to another victim of the merchant from the case page. Both must have agreed to be contacted."""
    mine = _counted().filter(merchant_id=merchant_id, complainant_id=user.pk, source="")
    sender_id = mine.filter(contactable=True).order_by("submitted_at", "pk").values_list("pk", flat=True).first()
    if sender_id is None:
        raise ValidationError(MSG_NOT_OPTED_IN if mine.exists() else MSG_NOT_A_VICTIM, code="not_opted_in")
    candidates = (
        _counted()
        .filter(merchant_id=merchant_id, contactable=True, source="")
        .exclude(complainant_id=user.pk)
        .values_list("pk", "uuid")
    )
    recipient_id = next((pk for pk, uuid in candidates if victim_key(uuid) == recipient_key), None)
    return _send(user=user, sender_id=sender_id, recipient_id=recipient_id, body=body)


@transaction.atomic
def victim_message_reply(*, user, message: VictimMessage, body: str) -> VictimMessage:
    """Answer a message received (fetched with victim_message_get_for_user), under the same rules."""
    return _send(user=user, sender_id=message.recipient_id, recipient_id=message.sender_id, body=body)


def victim_message_get_for_user(*, user, uuid) -> VictimMessage:
    """A message the user received, or 404."""
    if not user.is_authenticated:
        raise Http404
    message = VictimMessage.objects.filter(uuid=uuid, recipient__complainant_id=user.pk, recipient__source="").first()
    if message is None:
        raise Http404
    return message


@dataclass(frozen=True)
class InboxMessage:
    uuid: object
    incoming: bool
    merchant_name: str
    merchant_uuid: object
    # The other victim: the month of their complaint and what happened, nothing that says who they are.
    other_filed: datetime
    other_category: str
    body: str
    sent_at: datetime
    unread: bool
    can_reply: bool


def victim_inbox(*, user):
    """Messages the user received or sent, newest first (a queryset to paginate; see inbox_rows)."""
    own = Q(complainant_id=user.pk, source="")
    return (
        VictimMessage.objects.filter(
            Q(recipient__in=Complaint.objects.filter(own)) | Q(sender__in=Complaint.objects.filter(own))
        )
        .select_related("sender", "recipient", "recipient__merchant")
        .order_by("-created_at", "-pk")
    )


def inbox_rows(*, user, messages) -> list[InboxMessage]:
    rows = []
    for message in messages:
        incoming = message.recipient.complainant_id == user.pk and not message.recipient.source
        other = message.sender if incoming else message.recipient
        mine = message.recipient if incoming else message.sender
        rows.append(
            InboxMessage(
                uuid=message.uuid,
                incoming=incoming,
                merchant_name=message.recipient.merchant.name,
                merchant_uuid=message.recipient.merchant.uuid,
                other_filed=other.submitted_at,
                other_category=Category(other.category).label,
                body=message.body,
                sent_at=message.created_at,
                unread=incoming and message.read_at is None,
                can_reply=incoming and _may_write(mine, user) and _may_receive(other, mine),
            )
        )
    return rows


def victim_inbox_mark_read(*, user, messages: list[InboxMessage]) -> None:
    """The messages shown are read now, and so are the notices that announced them."""
    unread = [row.uuid for row in messages if row.unread]
    now = timezone.now()
    if unread:
        VictimMessage.objects.filter(uuid__in=unread, read_at__isnull=True).update(read_at=now)
    Notification.objects.filter(user_id=user.pk, kind=Notification.Kind.MESSAGE, read_at__isnull=True).update(
        read_at=now
    )


# Authority outcomes ----------------------------------------------------------------------------------


def _language(code: str) -> str:
    try:
        return translation.get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def case_outcome_notify(*, merchant_id: int, link: str, message: Callable[[], str]) -> int:
    """Tell each victim of the merchant what an authority answered: one notice per complainant (on their newest
    counted complaint), `message()` rendered in their language. `link` names the answer (the case page's
    anchor for it): whoever already has a notice with it is not told again. Returns how many were told."""
    rows = (
        _counted()
        .filter(merchant_id=merchant_id, source="")
        .order_by("complainant_id", "-submitted_at", "-pk")
        .values_list("complainant_id", "pk", "complainant__preferred_language")
    )
    newest: dict[int, tuple[int, str]] = {}
    for user_id, pk, language in rows:
        newest.setdefault(user_id, (pk, language))
    told = set(
        Notification.objects.filter(kind=Notification.Kind.OUTCOME, link=link, user_id__in=list(newest)).values_list(
            "user_id", flat=True
        )
    )
    complaints = Complaint.objects.in_bulk([pk for user_id, (pk, _lang) in newest.items() if user_id not in told])
    for user_id, (pk, language) in newest.items():
        if user_id in told:
            continue
        with translation.override(_language(language)):
            text = message()
        notification_create(
            user_id=user_id, complaint=complaints[pk], kind=Notification.Kind.OUTCOME, message=text, link=link
        )
    return len(newest) - len(told)
