"""Collective cases: the public page of everything one merchant's victims have in common, and victims writing to
each other through the site."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from complaints import cases
from complaints.selectors import merchant_public_complaints
from merchants.models import Merchant
from merchants.selectors import merchant_find, merchant_get, merchant_group_ids
from portal.cases.forms import ContactForm, MessageForm, ReplyForm, victim_label
from portal.escalations.models import Escalation
from portal.escalations.selectors import merchant_group_escalations
from portal.escalations.services import response_anchor

PUBLISHED_SHOWN = 10
EXCERPT_CHARS = 200
MESSAGES_PER_PAGE = 25
MSG_CONTACT_ON = _("Other victims of this merchant can now write to you through Redress.")
MSG_CONTACT_OFF = _("Other victims of this merchant can no longer write to you.")
MSG_SENT = _("Your message was sent.")
EVENTS = {
    "opened": _("Escalated to %(authority)s"),
    "delivered": _("Case file delivered to %(authority)s"),
    "acknowledged": _("%(authority)s acknowledged the case"),
    "responded": _("%(authority)s answered: %(outcome)s"),
    "closed": _("Escalation to %(authority)s closed"),
}


def _lookup_rate() -> str:
    # Read by anyone, like a merchant lookup, and heavier: limited like one.
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["lookup"]


def _case_merchant(uuid) -> Merchant:
    """The active merchant a posted form is about (its root when merged), or 404."""
    merchant = merchant_find(uuid=uuid)
    if merchant is None:
        raise Http404
    return merchant


def _filings(count: int) -> str:
    return ngettext("%(count)d complaint filed", "%(count)d complaints filed", count) % {"count": count}


def _timeline(case: cases.Case, escalations: list[Escalation], *, with_notes: bool) -> list[dict]:
    """Filings per day, and each escalation's steps. The authority's note is for the merchant's victims only."""
    rows = [
        {"day": day, "order": 0, "at": None, "text": _filings(count), "anchor": "", "note": ""}
        for day, count in case.filings
    ]
    for escalation in escalations:
        steps = [
            ("opened", escalation.opened_at),
            ("delivered", escalation.delivered_at),
            ("acknowledged", escalation.acknowledged_at),
            ("responded", escalation.responded_at),
            ("closed", escalation.closed_at),
        ]
        for step, at in steps:
            if at is None:
                continue
            values = {"authority": escalation.authority.name, "outcome": escalation.get_outcome_display()}
            responded = step == "responded"
            rows.append(
                {
                    "day": timezone.localdate(at),
                    "order": 1,
                    "at": at,
                    "text": EVENTS[step] % values,
                    "anchor": response_anchor(escalation) if responded else "",
                    "note": escalation.note if responded and with_notes else "",
                }
            )
    rows.sort(key=lambda row: (row["day"], row["order"], row["at"].timestamp() if row["at"] else 0))
    return rows


def _case_page(request, merchant: Merchant, *, message_form: MessageForm | None = None):
    case = cases.case_get(merchant_id=merchant.pk)
    viewer = cases.case_viewer(case=case, user=request.user)
    escalations = list(merchant_group_escalations(merchant_ids=merchant_group_ids(merchant)))
    if viewer is not None and message_form is None:
        message_form = MessageForm(victims=viewer.victims)
    published = [
        {"complaint": complaint, "excerpt": Truncator(complaint.narrative).chars(EXCERPT_CHARS)}
        for complaint in merchant_public_complaints(merchant_id=merchant.pk, limit=PUBLISHED_SHOWN)
    ]
    context = {
        "merchant": merchant,
        "case": case,
        "ledger": case.ledger,
        "timeline": _timeline(case, escalations, with_notes=viewer is not None),
        "published": published,
        "viewer": viewer,
        "victims": [victim_label(victim) for victim in viewer.victims] if viewer else [],
        "message_form": message_form,
        "join_url": reverse("complaints:new") + f"?merchant={merchant.uuid}",
    }
    return render(request, "cases/detail.html", context)


@require_safe
def case_detail(request, uuid):
    merchant = merchant_get(uuid=uuid)
    if not merchant.is_active:
        # Merges can be undone, so the old address is redirected for now (302), not for good.
        return redirect("cases:detail", uuid=merchant.merged_into.uuid)
    if is_ratelimited(request, group="cases:detail", key="ip", rate=_lookup_rate(), increment=True):
        return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
    return _case_page(request, merchant)


@login_required
@require_POST
def case_contact(request, uuid):
    merchant = _case_merchant(uuid)
    form = ContactForm(request.POST)
    if not form.is_valid():
        raise BadRequest
    contactable = form.cleaned_data["contactable"]
    try:
        cases.case_contact_set(user=request.user, merchant_id=merchant.pk, contactable=contactable)
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from error
    messages.success(request, MSG_CONTACT_ON if contactable else MSG_CONTACT_OFF)
    return redirect(reverse("cases:detail", kwargs={"uuid": merchant.uuid}) + "#victims")


@login_required
@require_POST
def case_write(request, uuid):
    merchant = _case_merchant(uuid)
    viewer = cases.case_viewer(case=cases.case_get(merchant_id=merchant.pk), user=request.user)
    if viewer is None:
        raise PermissionDenied(cases.MSG_NOT_A_VICTIM)
    form = MessageForm(request.POST, victims=viewer.victims)
    if form.is_valid():
        try:
            cases.victim_message_send(
                user=request.user,
                merchant_id=merchant.pk,
                recipient_key=form.cleaned_data["to"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, MSG_SENT)
            return redirect(reverse("cases:detail", kwargs={"uuid": merchant.uuid}) + "#victims")
    return _case_page(request, merchant, message_form=form)


def _inbox_page(request, *, failed=None):
    """The inbox; `failed` is (the message answered, the bound form) when a reply was refused, shown first."""
    page = Paginator(cases.victim_inbox(user=request.user), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    rows = cases.inbox_rows(user=request.user, messages=page.object_list)
    cases.victim_inbox_mark_read(user=request.user, messages=rows)
    context = {
        "page": page,
        # Each answerable message has its own form, with ids of its own.
        "rows": [(row, ReplyForm(auto_id=f"reply-{row.uuid}-%s") if row.can_reply else None) for row in rows],
        "failed": failed,
    }
    return render(request, "cases/inbox.html", context)


@login_required
@require_safe
def inbox(request):
    return _inbox_page(request)


@login_required
@require_POST
def reply(request, uuid):
    message = cases.victim_message_get_for_user(user=request.user, uuid=uuid)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            cases.victim_message_reply(user=request.user, message=message, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, MSG_SENT)
            return redirect("cases:inbox")
    row = cases.inbox_rows(user=request.user, messages=[message])[0]
    return _inbox_page(request, failed=(row, form))
