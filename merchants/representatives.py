"""Merchant representatives: a business user claims a merchant with its business licence (the USCC must be valid
and the merchant's), a moderator approves, rejects or revokes; the claimant is told by email in their language."""

import logging
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from merchants import identifiers as ids
from merchants.models import Identifier, Merchant, Representative
from merchants.selectors import (
    LIVE_CLAIM_STATUSES,
    merchant_group_ids,
    merchant_root,
    merchant_usccs,
    representative_may_claim,
)
from merchants.services import MSG_NOT_ACTIVE, merchants_lock

IDENTIFIER_VALUE_LENGTH = Identifier._meta.get_field("value").max_length
NAME_LENGTH = Merchant._meta.get_field("name").max_length


MSG_CLAIM_NOT_ALLOWED = _(
    "Only a business account with a verified email address can claim a merchant; moderators and authority staff cannot."
)
MSG_COMPANY_REQUIRED = _("Enter the company name as it is written on the business licence.")
MSG_COMPANY_TOO_LONG = _("The company name is too long (at most %(limit)d characters).")
MSG_LICENCE_REQUIRED = _("Upload the business licence.")
MSG_LICENCE_TYPE = _("The business licence must be a JPEG or PNG picture or a PDF document.")
MSG_NO_REGISTERED_USCC = _(
    "We hold no registration number (USCC) for this merchant, so the claim cannot be checked and was not saved."
)
MSG_USCC_MISMATCH = _(
    "This registration number (USCC) is not the one we hold for this merchant, so the claim was not saved. "
    "Check it against the business licence, or claim the merchant the licence belongs to."
)
MSG_ALREADY_CLAIMED = _("You already represent this merchant, or your claim on it is waiting for a moderator.")
MSG_CLAIM_DECIDED = _("This claim has already been decided.")
MSG_CLAIM_NOT_APPROVED = _("Only an approved claim can be revoked.")
MSG_CLAIM_NOTE_REQUIRED = _("Say why in the note: the claimant reads it.")
MSG_CLAIM_NOTE_TOO_LONG = _("The note is too long (at most %(limit)d characters).")
MSG_MODERATORS_ONLY = _("Only moderators decide claims.")
MSG_REVOKE_NOT_ALLOWED = _("Only a moderator or the representative themselves can revoke a claim.")

# Extensions a stored licence may keep; the caller has checked the bytes match one of them.
LICENCE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf"}
COMPANY_NAME_LENGTH = Representative._meta.get_field("company_name").max_length
CLAIM_NOTE_MAX_LENGTH = 2000

CLAIM_SUBJECTS = {
    Representative.Status.APPROVED: _("You now represent %(merchant)s on Redress"),
    Representative.Status.REJECTED: _("Your claim to represent %(merchant)s was not approved"),
    Representative.Status.REVOKED: _("You no longer represent %(merchant)s on Redress"),
}
CLAIM_HEADLINES = {
    Representative.Status.APPROVED: _(
        "A moderator approved your claim: you can now read and answer the complaints against %(merchant)s."
    ),
    Representative.Status.REJECTED: _("A moderator did not approve your claim to represent %(merchant)s."),
    Representative.Status.REVOKED: _("A moderator revoked your right to represent %(merchant)s."),
}

logger = logging.getLogger(__name__)


def _claim_fields_clean(*, company_name: str, uscc: str, licence) -> tuple[str, str, str]:
    """The claim's company name, normalised USCC and licence extension, or every problem at once."""
    errors = {}
    company_name = ids.clean_text(company_name)
    if not company_name:
        errors["company_name"] = ValidationError(MSG_COMPANY_REQUIRED, code="required")
    elif len(company_name) > COMPANY_NAME_LENGTH:
        errors["company_name"] = ValidationError(
            MSG_COMPANY_TOO_LONG, code="max_length", params={"limit": COMPANY_NAME_LENGTH}
        )
    normalized = ""
    try:
        normalized = ids.normalize_uscc(uscc or "")
    except ids.InvalidIdentifier as error:
        errors["uscc"] = ValidationError(error.message, code=error.code)
    extension = os.path.splitext(getattr(licence, "name", "") or "")[1].lower()
    if not licence:
        errors["licence"] = ValidationError(MSG_LICENCE_REQUIRED, code="required")
    elif extension not in LICENCE_EXTENSIONS:
        errors["licence"] = ValidationError(MSG_LICENCE_TYPE, code="unsupported_type")
    if errors:
        raise ValidationError(errors)
    return company_name, normalized, extension


@transaction.atomic
def representative_claim(*, merchant: Merchant, user, company_name: str, uscc: str, licence) -> Representative:
    """Ask to speak for a merchant (for its whole group when it was merged). The USCC must be valid and one the
    merchant is known by; a moderator then compares the licence. `licence` is an upload whose bytes the caller
    has checked (portal.business.forms sniffs them with complaints.uploads); it is stored under a random name
    in the private storage."""
    if not representative_may_claim(user=user):
        raise PermissionDenied(MSG_CLAIM_NOT_ALLOWED)
    company_name, normalized, extension = _claim_fields_clean(company_name=company_name, uscc=uscc, licence=licence)
    # The merchant's row lock orders concurrent claims on it, so the live-claim check below holds.
    root = merchant_root(merchant)
    root = merchants_lock(root)[root.pk]
    if not root.is_active:
        raise ValidationError(MSG_NOT_ACTIVE, code="merged")
    registered = merchant_usccs(merchant=root)
    if not registered:
        raise ValidationError({"uscc": ValidationError(MSG_NO_REGISTERED_USCC, code="no_registered_uscc")})
    if normalized not in registered:
        raise ValidationError({"uscc": ValidationError(MSG_USCC_MISMATCH, code="uscc_mismatch")})
    live = Representative.objects.filter(
        merchant_id__in=merchant_group_ids(root), user=user, status__in=LIVE_CLAIM_STATUSES
    )
    if live.exists():
        raise ValidationError(MSG_ALREADY_CLAIMED, code="already_claimed")
    representative = Representative(merchant=root, user=user, company_name=company_name, uscc=normalized)
    representative.licence.save(f"{representative.uuid.hex}{extension}", licence, save=False)
    try:
        with transaction.atomic():
            representative.save()
    except IntegrityError:
        representative.licence.delete(save=False)
        raise ValidationError(MSG_ALREADY_CLAIMED, code="already_claimed") from None
    return representative


def _claim_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({"note": ValidationError(MSG_CLAIM_NOTE_REQUIRED, code="required")})
    if len(note) > CLAIM_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": ValidationError(
                    MSG_CLAIM_NOTE_TOO_LONG, code="max_length", params={"limit": CLAIM_NOTE_MAX_LENGTH}
                )
            }
        )
    return note


def _claim_record(representative: Representative, *, expected: str, status: str, actor, note: str, message):
    """Lock the claim, check it is still `expected`, and record who moved it to `status`, when and why."""
    representative = Representative.objects.select_for_update().get(pk=representative.pk)
    if representative.status != expected:
        raise ValidationError(message, code="decided")
    representative.status, representative.decided_by, representative.decided_at = status, actor, timezone.now()
    representative.note = note
    representative.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return representative


def _user_locked(user_id: int):
    return get_user_model().objects.select_for_update().get(pk=user_id)


def _require_moderator(moderator) -> None:
    if not getattr(moderator, "is_moderator", False):
        raise PermissionDenied(MSG_MODERATORS_ONLY)


@transaction.atomic
def representative_approve(*, representative: Representative, moderator, note: str = "") -> Representative:
    """The licence matches: the claimant represents the merchant and becomes a merchant representative."""
    _require_moderator(moderator)
    note = _claim_note(note, required=False)
    representative = _claim_record(
        representative,
        expected=Representative.Status.PENDING,
        status=Representative.Status.APPROVED,
        actor=moderator,
        note=note,
        message=MSG_CLAIM_DECIDED,
    )
    # Locked after the claim, in the same order as representative_revoke, so the role follows the last commit.
    user = _user_locked(representative.user_id)
    role = get_user_model().Role
    if user.role == role.COMPLAINANT:
        user.role = role.MERCHANT_REP
        user.save(update_fields=["role"])
    _claim_email_on_commit(representative.pk)
    return representative


@transaction.atomic
def representative_reject(*, representative: Representative, moderator, note: str) -> Representative:
    """The licence does not prove the claim; the note tells the claimant why."""
    _require_moderator(moderator)
    note = _claim_note(note, required=True)
    representative = _claim_record(
        representative,
        expected=Representative.Status.PENDING,
        status=Representative.Status.REJECTED,
        actor=moderator,
        note=note,
        message=MSG_CLAIM_DECIDED,
    )
    _claim_email_on_commit(representative.pk)
    return representative


@transaction.atomic
def representative_revoke(*, representative: Representative, actor, note: str) -> Representative:
    """End an approved claim: by a moderator (the claimant is told why) or by the representative themselves.
    Without another approved claim the user is a complainant again."""
    by_moderator = getattr(actor, "is_moderator", False)
    if not (by_moderator or actor.pk == representative.user_id):
        raise PermissionDenied(MSG_REVOKE_NOT_ALLOWED)
    note = _claim_note(note, required=by_moderator)
    representative = _claim_record(
        representative,
        expected=Representative.Status.APPROVED,
        status=Representative.Status.REVOKED,
        actor=actor,
        note=note,
        message=MSG_CLAIM_NOT_APPROVED,
    )
    user = _user_locked(representative.user_id)
    role = get_user_model().Role
    still = Representative.objects.filter(user_id=user.pk, status=Representative.Status.APPROVED).exists()
    if user.role == role.MERCHANT_REP and not still:
        user.role = role.COMPLAINANT
        user.save(update_fields=["role"])
    if by_moderator:
        _claim_email_on_commit(representative.pk)
    return representative


def _claim_email_on_commit(representative_id: int) -> None:
    transaction.on_commit(lambda: _claim_email_send(representative_id))


def _language(user) -> str:
    try:
        return translation.get_supported_language_variant(user.preferred_language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _claim_email_send(representative_id: int) -> None:
    """Tell the claimant a moderator's decision, in their language. The decision stands if the mail fails."""
    representative = Representative.objects.select_related("user", "merchant").get(pk=representative_id)
    names = {"merchant": representative.merchant.name}
    with translation.override(_language(representative.user)):
        context = {
            "headline": CLAIM_HEADLINES[representative.status] % names,
            "note": representative.note,
            "link": settings.SITE_URL.rstrip("/") + reverse("business:home"),
        }
        subject = str(CLAIM_SUBJECTS[representative.status] % names)
        body = render_to_string("business/emails/claim_decided.txt", context)
    try:
        send_mail(" ".join(subject.splitlines()), body, None, [representative.user.email])
    except Exception as error:
        # The exception text can carry the address: log only its type.
        logger.warning("Email about claim %s not sent: %s", representative.pk, type(error).__name__)
