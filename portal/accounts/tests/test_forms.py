import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.accounts.forms import (
    MSG_LOGIN_INVALID,
    MSG_PASSWORD_MISMATCH,
    LoginForm,
    PasswordResetRequestForm,
    SignupForm,
)
from portal.accounts.services import MSG_EMAIL_TAKEN
from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _signup(**data):
    return SignupForm(data={"email": "new@example.com", "password": PASSWORD, "password_confirm": PASSWORD, **data})


def test_signup_form_accepts_a_good_sign_up_and_lower_cases_the_address():
    form = _signup(email=" New@Example.COM ")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "new@example.com"


def test_signup_form_refuses_a_registered_address_in_any_case():
    UserFactory(email="buyer@example.com")

    form = _signup(email="Buyer@EXAMPLE.com")

    assert form.errors["email"] == [str(MSG_EMAIL_TAKEN)]


def test_signup_form_refuses_a_weak_password_with_the_validators_message():
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password("short")

    form = _signup(password="short", password_confirm="short")

    assert not form.is_valid()
    assert form.errors["password"] == caught.value.messages
    assert any("too short" in message for message in form.errors["password"])


def test_signup_form_refuses_a_password_like_the_address():
    form = _signup(email="xiaoming.wang@example.com", password="xiaoming.wang", password_confirm="xiaoming.wang")

    assert not form.is_valid()
    assert any("too similar" in message for message in form.errors["password"])


def test_signup_form_refuses_different_passwords():
    form = _signup(password_confirm=PASSWORD + "x")

    assert form.errors["password_confirm"] == [str(MSG_PASSWORD_MISMATCH)]
    assert "password" not in form.errors


def test_signup_form_requires_every_field():
    form = SignupForm(data={})

    assert set(form.errors) == {"email", "password", "password_confirm"}


def test_login_form_logs_in_with_the_address_in_any_case(rf):
    user = UserFactory(email="buyer@example.com")

    form = LoginForm(rf.post("/accounts/login/"), data={"username": " BUYER@example.com", "password": PASSWORD})

    assert form.is_valid(), form.errors
    assert form.get_user() == user


def test_login_form_refuses_a_wrong_password_with_a_plain_message(rf):
    UserFactory(email="buyer@example.com")

    form = LoginForm(rf.post("/accounts/login/"), data={"username": "buyer@example.com", "password": "wrong"})

    assert form.non_field_errors() == [str(MSG_LOGIN_INVALID)]


@pytest.mark.parametrize("preferred, expected", [("zh-hans", "zh-hans"), ("en", "en"), ("", "en")])
def test_password_reset_email_is_written_in_the_users_language(monkeypatch, rf, preferred, expected):
    UserFactory(email="buyer@example.com", preferred_language=preferred)
    languages = []
    monkeypatch.setattr(
        PasswordResetForm, "send_mail", lambda *args, **kwargs: languages.append(translation.get_language())
    )

    form = PasswordResetRequestForm(data={"email": "buyer@example.com"})
    assert form.is_valid()
    form.save(request=rf.post("/accounts/password/reset/"))

    assert languages == [expected]
