"""The admin asks for a second factor (django-otp TOTP), and manage.py otp_enrol gives staff their device."""

import io
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")


@pytest.fixture
def superuser():
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


def enrol(email, *args) -> str:
    out = io.StringIO()
    call_command("otp_enrol", email, *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def code_for(uri: str) -> str:
    """The six-digit code an authenticator app shows for the otpauth:// URI right now."""
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return f"{totp(b32decode(secret)):06d}"


def admin_login(client, email, token):
    """The admin's login form: password, then the device (django-otp lists the account's) and its code."""
    device = TOTPDevice.objects.filter(user__email=email).first()
    data = {"username": email, "password": PASSWORD, "otp_token": token, "next": ADMIN}
    return client.post(ADMIN_LOGIN, {**data, "otp_device": device.persistent_id if device else ""})


def test_a_superuser_without_a_second_factor_is_sent_to_the_otp_login(superuser):
    enrol(superuser.email)  # having a device is not enough: this session has not used it
    client = Client()
    client.force_login(superuser)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url.startswith(ADMIN_LOGIN)
    assert 'name="otp_token"' in client.get(response.url).text


def test_a_password_alone_does_not_open_the_admin(superuser):
    enrol(superuser.email)
    client = Client()

    response = admin_login(client, superuser.email, "")

    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_a_wrong_code_does_not_open_the_admin(superuser):
    uri = enrol(superuser.email)
    wrong = f"{(int(code_for(uri)) + 1) % 1_000_000:06d}"
    client = Client()

    response = admin_login(client, superuser.email, wrong)

    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_the_password_and_the_authenticators_code_open_the_admin(superuser):
    uri = enrol(superuser.email)
    client = Client()

    response = admin_login(client, superuser.email, code_for(uri))

    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_a_verified_device_does_not_make_a_non_staff_account_staff():
    user = UserFactory(email="buyer2@example.com")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()

    admin_login(client, user.email, f"{totp(device.bin_key):06d}")

    assert client.get(ADMIN).status_code == 302


def test_otp_enrol_prints_an_otpauth_uri_for_a_confirmed_device(superuser):
    uri = enrol(superuser.email.upper())

    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parse_qs(parts.query)["issuer"] == ["Redress"]
    assert superuser.email in parts.path.replace("%40", "@")
    device = TOTPDevice.objects.get(user=superuser)
    assert device.confirmed and device.config_url == uri


def test_otp_enrol_replaces_a_device_only_when_asked(superuser):
    first = enrol(superuser.email)
    with pytest.raises(CommandError):
        enrol(superuser.email)

    second = enrol(superuser.email, "--replace")

    assert second != first
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_otp_enrol_refuses_unknown_and_non_staff_accounts(complainant):
    with pytest.raises(CommandError):
        enrol("nobody@example.com")
    with pytest.raises(CommandError):
        enrol(complainant.email)
    assert not TOTPDevice.objects.exists()
