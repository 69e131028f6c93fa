import logging
import re
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.accounts import services
from portal.accounts.models import User
from portal.accounts.services import (
    MSG_EMAIL_TAKEN,
    MSG_VERIFY_LINK_INVALID,
    user_send_verification,
    user_send_verification_by_email,
    user_signup,
    user_verify_email,
)
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.accounts.tokens import email_verification_token

pytestmark = pytest.mark.django_db


def _link_parts(user):
    return urlsafe_base64_encode(force_bytes(user.pk)), email_verification_token.make_token(user)


def _messages(error):
    with translation.override("en"):
        return [str(message) for message in error.messages]


def _english(message):
    with translation.override("en"):
        return str(message)


def test_signup_creates_an_unverified_user_and_emails_a_verification_link(mailoutbox):
    user = user_signup(email="New.Buyer@Example.COM", password=PASSWORD, language="en", base_url="http://testserver/")

    user.refresh_from_db()
    assert user.email == "new.buyer@example.com"
    assert user.email_verified is False
    assert user.preferred_language == "en"
    assert user.check_password(PASSWORD)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.buyer@example.com"]
    assert message.subject == "Verify your email address for Redress"
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    assert f"http://testserver/accounts/verify/{uidb64}/" in message.body
    assert not message.alternatives, "the email is plain text only"


def test_signup_builds_the_link_from_site_url_without_a_request(settings, mailoutbox):
    settings.SITE_URL = "https://redress.example"

    user_signup(email="new@example.com", password=PASSWORD, language="en")

    assert "https://redress.example/accounts/verify/" in mailoutbox[0].body


def test_signup_writes_the_email_in_the_language_chosen_at_sign_up(monkeypatch, mailoutbox):
    languages = []
    render = services.render_to_string

    def recording_render(*args, **kwargs):
        languages.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(services, "render_to_string", recording_render)
    with translation.override("en"):
        user = user_signup(email="new@example.com", password=PASSWORD, language="zh-hans")

    assert user.preferred_language == "zh-hans"
    assert languages == ["zh-hans", "zh-hans"]


def test_signup_records_the_default_language_for_an_unsupported_one(settings):
    user = user_signup(email="new@example.com", password=PASSWORD, language="fr")

    assert user.preferred_language == settings.LANGUAGE_CODE


def test_signup_refuses_an_address_already_registered_in_any_case(mailoutbox):
    UserFactory(email="buyer@example.com")

    with pytest.raises(ValidationError) as caught:
        user_signup(email="BUYER@example.com", password=PASSWORD, language="en")

    assert _messages(caught.value) == [_english(MSG_EMAIL_TAKEN)]
    assert User.objects.count() == 1
    assert mailoutbox == []


def test_signup_refuses_a_weak_password():
    # Django's validators translate their messages when they raise.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        user_signup(email="new@example.com", password="12345678", language="en")

    assert "password" in caught.value.message_dict
    assert "This password is too common." in _messages(caught.value)
    assert not User.objects.exists()


def test_verify_email_marks_the_address_verified_once():
    user = UserFactory(email_verified=False)
    uidb64, token = _link_parts(user)

    assert user_verify_email(uidb64=uidb64, token=token) == user
    user.refresh_from_db()
    assert user.email_verified is True

    with pytest.raises(ValidationError) as caught:
        user_verify_email(uidb64=uidb64, token=token)
    assert _messages(caught.value) == [_english(MSG_VERIFY_LINK_INVALID)]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda uidb64, token: (uidb64, token[:-1] + ("0" if token[-1] != "0" else "1")), id="token"),
        pytest.param(lambda uidb64, token: (urlsafe_base64_encode(b"999999"), token), id="unknown-user"),
        pytest.param(lambda uidb64, token: ("not-base64!", token), id="garbage-uid"),
        pytest.param(lambda uidb64, token: (urlsafe_base64_encode(b"x"), token), id="non-numeric-uid"),
        pytest.param(lambda uidb64, token: (uidb64, "no-dash-here-at-all"), id="malformed-token"),
    ],
)
def test_verify_email_refuses_a_tampered_link(tamper):
    user = UserFactory(email_verified=False)
    uidb64, token = tamper(*_link_parts(user))

    with pytest.raises(ValidationError):
        user_verify_email(uidb64=uidb64, token=token)
    user.refresh_from_db()
    assert user.email_verified is False


def test_verify_email_refuses_another_users_token():
    user, other = UserFactory(email_verified=False), UserFactory(email_verified=False)
    uidb64, _token = _link_parts(user)

    with pytest.raises(ValidationError):
        user_verify_email(uidb64=uidb64, token=email_verification_token.make_token(other))


def test_verify_email_refuses_a_link_sent_to_a_previous_address():
    user = UserFactory(email="old@example.com", email_verified=False)
    uidb64, token = _link_parts(user)
    user.email = "new@example.com"
    user.save()

    with pytest.raises(ValidationError):
        user_verify_email(uidb64=uidb64, token=token)


def test_verify_email_refuses_a_deactivated_account():
    user = UserFactory(email_verified=False, is_active=False)
    uidb64, token = _link_parts(user)

    with pytest.raises(ValidationError):
        user_verify_email(uidb64=uidb64, token=token)


def test_verification_link_expires(settings, monkeypatch):
    user = UserFactory(email_verified=False)
    uidb64, token = _link_parts(user)
    issued = email_verification_token._now()
    later = issued + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(email_verification_token, "_now", lambda: later)

    with pytest.raises(ValidationError):
        user_verify_email(uidb64=uidb64, token=token)


def test_send_verification_reports_a_mail_failure_without_logging_the_address(monkeypatch, caplog):
    user = UserFactory(email="private.person@example.com", email_verified=False)

    def failing_send_mail(*args, **kwargs):
        raise SMTPException("recipient private.person@example.com refused")

    monkeypatch.setattr(services, "send_mail", failing_send_mail)
    with caplog.at_level(logging.WARNING, logger="portal.accounts.services"):
        assert user_send_verification(user=user) is False

    assert caplog.records, "the failure is logged"
    assert "private.person" not in caplog.text


def test_send_verification_skips_a_verified_user(mailoutbox):
    assert user_send_verification(user=UserFactory(email_verified=True)) is False
    assert mailoutbox == []


def test_send_verification_by_email_sends_only_to_a_waiting_account(mailoutbox):
    waiting = UserFactory(email="waiting@example.com", email_verified=False)
    UserFactory(email="done@example.com", email_verified=True)

    user_send_verification_by_email(email=" Waiting@Example.com ")
    user_send_verification_by_email(email="done@example.com")
    user_send_verification_by_email(email="nobody@example.com")

    assert [message.to for message in mailoutbox] == [[waiting.email]]
    uidb64, token = re.search(r"/accounts/verify/([^/]+)/([^/]+)/", mailoutbox[0].body).groups()
    user_verify_email(uidb64=uidb64, token=token)
    waiting.refresh_from_db()
    assert waiting.email_verified is True
