import logging
import uuid

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from complaints.privacy import user_data_erase
from portal.accounts.models import User
from portal.accounts.tokens import email_verification_token

logger = logging.getLogger(__name__)

MSG_EMAIL_TAKEN = _("An account with this email address already exists. Log in, or reset your password.")
MSG_VERIFY_LINK_INVALID = _("This verification link is not valid. It may have expired or been used already.")
MSG_CANNOT_DELETE = _(
    "Accounts of moderators, authority staff and merchant representatives are closed by the moderators, who keep "
    "the record of what each account did. Please write to them."
)


def _supported_language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


@transaction.atomic
def _user_create(*, email: str, password: str, language: str) -> User:
    return User.objects.create_user(
        email=email,
        password=password,
        email_verified=False,
        preferred_language=_supported_language(language),
    )


def user_signup(*, email: str, password: str, language: str, base_url: str | None = None) -> User:
    """Create an unverified complainant account and email it a verification link.

    `language` (the active language at sign-up) becomes the language of the emails Redress sends this user.
    `base_url` is the site's address for the link (the request's host); settings.SITE_URL when absent.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": MSG_EMAIL_TAKEN}, code="email_taken")
    try:
        password_validation.validate_password(password, user=User(email=email))
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    try:
        user = _user_create(email=email, password=password, language=language)
    except IntegrityError:
        # Two sign-ups for one address at the same moment: the unique constraint decides.
        raise ValidationError({"email": MSG_EMAIL_TAKEN}, code="email_taken") from None
    # Sent after the commit so a slow mail server never holds the database; a failure leaves the account
    # in place and the "check your inbox" page offers to send the link again.
    user_send_verification(user=user, base_url=base_url)
    return user


def user_send_verification(*, user: User, base_url: str | None = None) -> bool:
    """Email `user` a link that verifies their address, in their language. Returns whether it was sent."""
    if user.email_verified:
        return False
    path = reverse(
        "accounts:verify",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    context = {
        "link": (base_url or settings.SITE_URL).rstrip("/") + path,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    with translation.override(_supported_language(user.preferred_language or settings.LANGUAGE_CODE)):
        subject = "".join(render_to_string("accounts/emails/verify_subject.txt", context).splitlines())
        body = render_to_string("accounts/emails/verify_body.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError as error:
        # The exception text can carry the address; log only its type.
        logger.warning("Verification email to user %s not sent: %s", user.pk, type(error).__name__)
        return False
    return True


def user_send_verification_by_email(*, email: str, base_url: str | None = None) -> None:
    """Resend the verification link to an unverified account, if one has this address.

    Says nothing about whether it did, so the form cannot be used to find out who has an account.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True, email_verified=False).first()
    if user is not None:
        user_send_verification(user=user, base_url=base_url)


@transaction.atomic
def user_verify_email(*, uidb64: str, token: str) -> User:
    """Mark the address verified from a link's parts; raises ValidationError(MSG_VERIFY_LINK_INVALID)."""
    try:
        pk = User._meta.pk.to_python(urlsafe_base64_decode(uidb64).decode())
        user = User.objects.select_for_update().get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        raise ValidationError(MSG_VERIFY_LINK_INVALID, code="invalid_link") from None
    if not email_verification_token.check_token(user, token):
        raise ValidationError(MSG_VERIFY_LINK_INVALID, code="invalid_link")
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


def user_may_delete(user: User) -> bool:
    """Complainants delete their own accounts. Staff and representatives act for Redress, an authority or a
    business: their records of who did what must keep naming them, so the moderators close those accounts."""
    return user.role == User.Role.COMPLAINANT and not (user.is_staff or user.is_superuser)


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a complainant's account: their complaints lose their personal data (complaints.privacy), and the
    account row is anonymised and deactivated rather than removed, because replies, audit records and the
    complaints' counts refer to it. The caller has checked the password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user_may_delete(user):
        raise ValidationError(MSG_CANNOT_DELETE, code="cannot_delete")
    email = user.email
    user_data_erase(user=user)
    Token.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()
    placeholder = f"deleted-{uuid.uuid4().hex}@invalid"
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=placeholder
    )
    user.email = placeholder
    user.first_name = user.last_name = user.preferred_language = ""
    user.set_unusable_password()
    user.is_active = user.email_verified = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    logger.info("account %s deleted", user.pk)
