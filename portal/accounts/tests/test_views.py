import re

import pytest
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal.accounts.forms import MSG_LOGIN_INVALID, MSG_PASSWORD_MISMATCH
from portal.accounts.models import User
from portal.accounts.password_validation import MSG_TOO_SHORT
from portal.accounts.services import MSG_EMAIL_TAKEN, MSG_VERIFY_LINK_INVALID
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.accounts.views import (
    MSG_ALREADY_VERIFIED,
    MSG_LINK_SENT,
    MSG_LINK_SENT_IF_WAITING,
    MSG_VERIFIED,
    RESET_RATE,
    SIGNUP_RATE,
    VERIFY_RESEND_RATE,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-7"


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def en(message, **params):
    """The message as the English page shows it."""
    with translation.override("en"):
        text = str(message) % params if params else str(message)
    return escape(text)


def limit(rate):
    return int(rate.split("/")[0])


def link_path(body, prefix):
    return re.search(rf"https?://[^/\s]+({prefix}[^\s]+)", body).group(1)


def signup(client, email="new@example.com", password=PASSWORD, confirm=None):
    return client.post(
        reverse("accounts:signup"),
        {"email": email, "password": password, "password_confirm": confirm if confirm is not None else password},
    )


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# Sign up


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_signup_page_renders_in_each_language(language):
    response = Client(headers={"accept-language": language}).get(reverse("accounts:signup"))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert 'name="email"' in response.text
    assert 'name="password_confirm"' in response.text


def test_signup_creates_an_unverified_account_logs_in_and_emails_a_link(client, mailoutbox):
    response = signup(client, email="New@Example.com")

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    user = User.objects.get()
    assert user.email == "new@example.com"
    assert user.email_verified is False
    assert user.preferred_language == "en"
    assert get_user(client) == user
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.com"]
    assert link_path(mailoutbox[0].body, "/accounts/verify/").startswith("/accounts/verify/")
    page = client.get(response.url)
    assert "new@example.com" in page.text
    assert reverse("accounts:verify_resend") in page.text


def test_signup_records_chinese_when_the_browser_asks_for_it(mailoutbox):
    signup(Client(headers={"accept-language": "zh-hans"}))

    assert User.objects.get().preferred_language == "zh-hans"


def test_signup_refuses_a_registered_address_in_any_case(client, mailoutbox):
    UserFactory(email="buyer@example.com")

    response = signup(client, email="BUYER@example.com")

    assert response.status_code == 200
    assert en(MSG_EMAIL_TAKEN) in response.text
    assert User.objects.count() == 1
    assert mailoutbox == []
    assert not get_user(client).is_authenticated


def test_signup_refuses_a_weak_password_with_the_validators_message(client):
    response = signup(client, password="12345678")

    assert response.status_code == 200
    assert "This password is too common." in response.text
    assert "This password is entirely numeric." in response.text
    assert not User.objects.exists()


def test_signup_refuses_different_passwords(client):
    response = signup(client, confirm=PASSWORD + "x")

    assert en(MSG_PASSWORD_MISMATCH) in response.text
    assert not User.objects.exists()


def test_signup_refuses_other_methods(client):
    assert client.put(reverse("accounts:signup")).status_code == 405


def test_signup_answers_429_after_the_rate_limit(client):
    for number in range(limit(SIGNUP_RATE)):
        assert signup(client, email=f"person{number}@example.com").status_code == 302
        client.logout()

    response = signup(client, email="one-more@example.com")

    assert response.status_code == 429
    assert not User.objects.filter(email="one-more@example.com").exists()
    assert client.get(reverse("accounts:signup")).status_code == 200, "reading the form is not limited"


# Verification


def test_the_emailed_link_verifies_the_address_once(client, mailoutbox):
    signup(client)
    path = link_path(mailoutbox[0].body, "/accounts/verify/")

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == reverse("complaints:new")
    assert User.objects.get().email_verified is True
    assert messages_of(client.get(reverse("accounts:verify_sent"))) == [en(MSG_VERIFIED)]

    anonymous = Client(headers={"accept-language": "en"})
    again = anonymous.get(path)
    assert again.status_code == 400
    assert en(MSG_VERIFY_LINK_INVALID) in again.text
    assert reverse("accounts:verify_resend") in again.text


def test_a_used_link_tells_the_verified_user_there_is_nothing_to_do(client, mailoutbox):
    signup(client)
    path = link_path(mailoutbox[0].body, "/accounts/verify/")
    client.get(path)

    response = client.get(path)

    assert response.status_code == 400
    assert "already verified" in response.text
    assert reverse("complaints:new") in response.text


def test_a_tampered_link_is_refused(client, mailoutbox):
    signup(client)
    path = link_path(mailoutbox[0].body, "/accounts/verify/")
    tampered = path[:-2] + ("0" if path[-2] != "0" else "1") + "/"

    response = client.get(tampered)

    assert response.status_code == 400
    assert en(MSG_VERIFY_LINK_INVALID) in response.text
    assert User.objects.get().email_verified is False


def test_verify_refuses_post(client, mailoutbox):
    signup(client)
    path = link_path(mailoutbox[0].body, "/accounts/verify/")

    assert client.post(path).status_code == 405
    assert User.objects.get().email_verified is False


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_verify_sent_page_asks_a_visitor_for_an_address(language):
    response = Client(headers={"accept-language": language}).get(reverse("accounts:verify_sent"))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert 'name="email"' in response.text


def test_verify_sent_refuses_post(client):
    assert client.post(reverse("accounts:verify_sent")).status_code == 405


def test_resend_sends_a_new_link_to_the_logged_in_user(client, mailoutbox):
    user = UserFactory(email="waiting@example.com", email_verified=False)
    client.force_login(user)

    response = client.post(reverse("accounts:verify_resend"), follow=True)

    assert response.redirect_chain == [(reverse("accounts:verify_sent"), 302)]
    assert messages_of(response) == [en(MSG_LINK_SENT, email="waiting@example.com")]
    assert [message.to for message in mailoutbox] == [["waiting@example.com"]]
    client.get(link_path(mailoutbox[0].body, "/accounts/verify/"))
    user.refresh_from_db()
    assert user.email_verified is True


def test_resend_sends_nothing_to_a_verified_user(client, complainant, mailoutbox):
    client.force_login(complainant)

    response = client.post(reverse("accounts:verify_resend"), follow=True)

    assert messages_of(response) == [en(MSG_ALREADY_VERIFIED)]
    assert mailoutbox == []


def test_resend_by_address_answers_the_same_whether_or_not_the_account_exists(client, mailoutbox):
    UserFactory(email="waiting@example.com", email_verified=False)

    known = client.post(reverse("accounts:verify_resend"), {"email": "waiting@example.com"}, follow=True)
    unknown = client.post(reverse("accounts:verify_resend"), {"email": "nobody@example.com"}, follow=True)

    assert messages_of(known) == messages_of(unknown) == [en(MSG_LINK_SENT_IF_WAITING)]
    assert [message.to for message in mailoutbox] == [["waiting@example.com"]]


def test_resend_by_address_validates_the_address(client, mailoutbox):
    response = client.post(reverse("accounts:verify_resend"), {"email": "not an address"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert mailoutbox == []


def test_resend_refuses_get(client):
    assert client.get(reverse("accounts:verify_resend")).status_code == 405


def test_resend_answers_429_after_the_rate_limit(client, mailoutbox):
    for _ in range(limit(VERIFY_RESEND_RATE)):
        client.post(reverse("accounts:verify_resend"), {"email": "nobody@example.com"})

    assert client.post(reverse("accounts:verify_resend"), {"email": "nobody@example.com"}).status_code == 429


# Log in, log out, lockout


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_login_page_links_to_password_reset_and_sign_up(language):
    response = Client(headers={"accept-language": language}).get(reverse("accounts:login"))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert 'name="username"' in response.text
    assert reverse("accounts:password_reset") in response.text
    assert reverse("accounts:signup") in response.text


def test_login_with_the_address_in_any_case(client, complainant, settings):
    response = login(client, "Buyer@Example.com", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert get_user(client) == complainant


def test_login_follows_a_safe_next(client, complainant):
    response = client.post(
        reverse("accounts:login") + "?next=/complaints/new/", {"username": complainant.email, "password": PASSWORD}
    )

    assert response.url == "/complaints/new/"


def test_login_refuses_a_wrong_password(client, complainant):
    response = login(client, complainant.email, "wrong-password")

    assert response.status_code == 200
    assert en(MSG_LOGIN_INVALID) in response.text
    assert not get_user(client).is_authenticated


def test_logout_is_post_only(client, complainant):
    client.force_login(complainant)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert get_user(client).is_authenticated

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not get_user(client).is_authenticated


def lock_out(client, email, settings):
    responses = [login(client, email, "wrong-password") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[0].status_code == 200
    return responses[-1]


def test_login_locks_after_repeated_failures_even_with_the_right_password(client, complainant, settings):
    last_failure = lock_out(client, complainant.email, settings)
    assert last_failure.status_code in (403, 429)

    response = login(client, complainant.email, PASSWORD)

    assert response.status_code in (403, 429)
    assert "one hour" in response.text
    assert reverse("accounts:password_reset") in response.text
    assert not get_user(client).is_authenticated


def test_lockout_counts_the_address_in_any_case(client, complainant, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, complainant.email.upper() if number % 2 else complainant.email, "wrong-password")

    assert login(client, complainant.email, PASSWORD).status_code in (403, 429)


@pytest.mark.parametrize("proxies", [0, 1])
def test_lockout_holds_when_the_client_rotates_x_forwarded_for(client, complainant, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    for number in range(settings.AXES_FAILURE_LIMIT):
        # The client writes a new address each time; the one proxy appends the address it really saw.
        client.post(
            reverse("accounts:login"),
            {"username": complainant.email, "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"10.9.8.{number}, 203.0.113.9",
        )

    response = client.post(
        reverse("accounts:login"),
        {"username": complainant.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.8.200, 203.0.113.9",
    )

    assert response.status_code in (403, 429)
    assert not get_user(client).is_authenticated


def test_lockout_is_per_account(client, complainant, stranger, settings):
    lock_out(client, complainant.email, settings)

    assert login(client, stranger.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_lockout_page_renders_in_each_language(complainant, settings, language):
    client = Client(headers={"accept-language": language})
    lock_out(client, complainant.email, settings)

    response = login(client, complainant.email, PASSWORD)

    assert f'lang="{language}"' in response.text


# Password reset


def reset_password(client, email, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    path = link_path(mailoutbox[0].body, "/accounts/password/reset/")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.text
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_password_reset_emails_a_link_that_sets_a_new_password(client, complainant, mailoutbox):
    response = reset_password(client, "BUYER@example.com", mailoutbox)

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    assert mailoutbox[0].to == [complainant.email]
    assert mailoutbox[0].subject == "Reset your Redress password"
    complainant.refresh_from_db()
    assert complainant.check_password(NEW_PASSWORD)
    assert get_user(client) == complainant
    assert client.get(response.url).status_code == 200

    client.post(reverse("accounts:logout"))
    assert login(client, complainant.email, NEW_PASSWORD).status_code == 302


def test_password_reset_link_works_once(client, complainant, mailoutbox):
    reset_password(client, complainant.email, mailoutbox)
    path = link_path(mailoutbox[0].body, "/accounts/password/reset/")

    response = Client(headers={"accept-language": "en"}).get(path, follow=True)

    assert 'name="new_password1"' not in response.text
    assert reverse("accounts:password_reset") in response.text


def test_password_reset_refuses_a_weak_new_password(client, complainant, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": complainant.email})
    form_page = client.get(link_path(mailoutbox[0].body, "/accounts/password/reset/"), follow=True)

    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200
    assert en(MSG_TOO_SHORT, min_length=10) in response.text
    complainant.refresh_from_db()
    assert complainant.check_password(PASSWORD)


def test_password_reset_answers_the_same_for_an_unknown_address(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_password_reset_clears_a_lockout(client, complainant, settings, mailoutbox):
    lock_out(client, complainant.email, settings)

    reset_password(client, complainant.email, mailoutbox)
    client.post(reverse("accounts:logout"))

    assert login(client, complainant.email, NEW_PASSWORD).status_code == 302


def test_password_reset_answers_429_after_the_rate_limit(client, mailoutbox):
    for _ in range(limit(RESET_RATE)):
        assert client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}).status_code == 302

    assert client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}).status_code == 429


@pytest.mark.parametrize(
    "name", ["accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete"]
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_password_reset_pages_render_in_each_language(name, language):
    response = Client(headers={"accept-language": language}).get(reverse(name))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
