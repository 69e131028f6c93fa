import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from portal.accounts.tests.factories import PASSWORD
from portal.api.auth import MSG_BAD_CREDENTIALS, MSG_LOCKED_OUT
from portal.api.tests.helpers import api_client, error_of

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def client():
    return api_client()


def test_token_obtain_returns_a_working_token(client, complainant):
    response = client.post(TOKEN_URL, {"username": "Buyer@Example.com ", "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"token": Token.objects.get(user=complainant).key}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/complaints/").status_code == 200
    complainant.refresh_from_db()
    assert complainant.last_login is not None


def test_token_obtain_returns_the_same_token_twice(client, complainant):
    first = client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD}).json()
    second = client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD}).json()

    assert first == second


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_bad_password_is_400_in_the_error_body(complainant, language):
    client = api_client(language=language)

    response = client.post(TOKEN_URL, {"username": complainant.email, "password": "wrong"}, format="json")

    error = error_of(response, 400, "bad_credentials")
    assert error["fields"] == {}
    with translation.override(language):
        assert error["message"] == str(MSG_BAD_CREDENTIALS)
    assert not Token.objects.exists()


def test_unknown_account_is_refused_like_a_bad_password(client, db):
    response = client.post(TOKEN_URL, {"username": "nobody@example.com", "password": PASSWORD}, format="json")

    error_of(response, 400, "bad_credentials")


def test_missing_fields_are_named(client, db):
    error = error_of(client.post(TOKEN_URL, {}, format="json"), 400, "invalid")

    assert set(error["fields"]) == {"username", "password"}


def test_failures_are_counted_by_axes_and_lock_the_account(client, complainant):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        error_of(client.post(TOKEN_URL, {"username": complainant.email, "password": "wrong"}), 400, "bad_credentials")

    locking = client.post(TOKEN_URL, {"username": complainant.email, "password": "wrong"})
    error_of(locking, 429, "locked_out")
    refused = client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD})

    error = error_of(refused, 429, "locked_out")
    assert error["message"] == str(MSG_LOCKED_OUT)
    assert int(refused["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert "<html" not in refused.content.decode().lower()
    assert not Token.objects.exists()


def test_a_successful_sign_in_resets_the_failure_count(client, complainant):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        client.post(TOKEN_URL, {"username": complainant.email, "password": "wrong"})
    assert client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD}).status_code == 200
    assert not AccessAttempt.objects.exists()

    error_of(client.post(TOKEN_URL, {"username": complainant.email, "password": "wrong"}), 400, "bad_credentials")


def test_token_obtain_is_throttled(client, complainant):
    allowed, _period = ScopedRateThrottle().parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"])
    for _attempt in range(allowed):
        assert client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD}).status_code == 200

    response = client.post(TOKEN_URL, {"username": complainant.email, "password": PASSWORD})

    error_of(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_methods_are_405(client, db, method):
    error_of(getattr(client, method)(TOKEN_URL), 405, "method_not_allowed")
