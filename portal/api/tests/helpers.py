"""What every API test needs: a client speaking a language as a user, and the one error body, checked."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_client(user=None, *, language="en") -> APIClient:
    """A client sending Accept-Language and, for a user, `Authorization: Token ...`."""
    client = APIClient()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    client.credentials(**headers)
    return client


def error_of(response, status: int, code: str | None = None) -> dict:
    """Assert the response is exactly {"error": {"code", "message", "fields"}} with this status; return it."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
