"""Sessions end (two weeks after login; staff after half an hour idle) and passwords follow the validators."""

import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from portal.accounts.middleware import LOGIN_AT_KEY, MSG_SESSION_EXPIRED, SEEN_AT_KEY, SEEN_AT_RESOLUTION
from portal.accounts.models import User
from portal.accounts.password_validation import MSG_TOO_SHORT
from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("complaints:mine")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def age_session(client, **seconds_ago) -> None:
    """Move the session's clocks back: LOGIN_AT_KEY / SEEN_AT_KEY by that many seconds."""
    session = client.session
    for key, seconds in seconds_ago.items():
        session[key] = time.time() - seconds
    session.save()


def test_a_session_ends_two_weeks_after_login_however_active(complainant):
    client = logged_in(complainant)
    assert client.get(MINE).status_code == 200
    age_session(client, **{LOGIN_AT_KEY: settings.SESSION_COOKIE_AGE + 60})

    response = client.get(MINE, follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert str(MSG_SESSION_EXPIRED) in [str(message) for message in response.context["messages"]]
    assert not get_user(client).is_authenticated


def test_the_database_session_expires_with_the_cookie(complainant):
    """Django's own expiry, at settings.SESSION_COOKIE_AGE: two weeks unless the environment says otherwise."""
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 60 * 60
    client = logged_in(complainant)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now())

    assert client.get(MINE).status_code == 302


def test_a_session_younger_than_two_weeks_goes_on(complainant):
    client = logged_in(complainant)
    age_session(client, **{LOGIN_AT_KEY: settings.SESSION_COOKIE_AGE - 60})

    assert client.get(MINE).status_code == 200


@pytest.mark.parametrize(
    "user_kwargs",
    [{"role": User.Role.MODERATOR}, {"role": User.Role.AUTHORITY}, {"is_staff": True}],
    ids=["moderator", "authority", "admin"],
)
def test_a_staff_session_ends_after_half_an_hour_idle(user_kwargs):
    client = logged_in(UserFactory(**user_kwargs))
    idle = settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds()
    age_session(client, **{SEEN_AT_KEY: idle - 60})
    assert client.get(MINE).status_code == 200

    age_session(client, **{SEEN_AT_KEY: idle + 60})
    assert client.get(MINE).status_code == 302
    assert not get_user(client).is_authenticated


def test_each_request_keeps_a_staff_session_alive(moderator):
    client = logged_in(moderator)
    age_session(client, **{SEEN_AT_KEY: SEEN_AT_RESOLUTION + 1})
    before = client.session[SEEN_AT_KEY]

    client.get(MINE)

    assert client.session[SEEN_AT_KEY] > before + SEEN_AT_RESOLUTION


def test_complainants_have_no_idle_limit(complainant):
    client = logged_in(complainant)
    assert SEEN_AT_KEY not in client.session
    age_session(client, **{LOGIN_AT_KEY: 3 * 24 * 60 * 60})

    assert client.get(MINE).status_code == 200


def test_logging_in_through_the_page_starts_the_clocks(moderator):
    client = Client()
    client.post(reverse("accounts:login"), {"username": moderator.email, "password": PASSWORD})

    assert abs(client.session[LOGIN_AT_KEY] - time.time()) < 60
    assert client.session[SEEN_AT_KEY] == client.session[LOGIN_AT_KEY]


def test_a_session_from_before_the_limits_starts_its_clock_on_the_next_request(complainant):
    client = logged_in(complainant)
    session = client.session
    del session[LOGIN_AT_KEY]
    session.save()

    assert client.get(MINE).status_code == 200
    assert LOGIN_AT_KEY in client.session


def test_an_api_token_sign_in_starts_no_session_clock(complainant):
    response = Client().post(reverse("api:token"), {"username": complainant.email, "password": PASSWORD})

    assert response.status_code == 200
    assert not [session for session in Session.objects.all() if LOGIN_AT_KEY in session.get_decoded()]


# Passwords


def signup(language, password):
    client = Client(headers={"accept-language": language})
    data = {"email": "new@example.com", "password": password, "password_confirm": password}
    return client.post(reverse("accounts:signup"), data)


def test_weak_passwords_are_refused_at_sign_up_in_chinese():
    short = signup("zh-hans", "horse-ba9")  # nine characters, not common, not numeric
    common = signup("zh-hans", "password123")

    with translation.override("zh-hans"):
        assert escape(str(MSG_TOO_SHORT % {"min_length": 10})) in short.text
    assert "这个密码太常见了。" in common.text
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("horse-ba9", "This password is too short: use at least 10 characters."),
        ("password123", "This password is too common."),
        ("4829173650", "This password is entirely numeric."),
        ("new@example.com", "The password is too similar to the email address."),
    ],
)
def test_weak_passwords_are_refused_at_sign_up(password, message):
    response = signup("en", password)

    assert message in response.text
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_ten_character_password_is_accepted():
    response = signup("en", "horse-bat9")

    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
