"""Hostile requests to the API and the public pages: bodies too large or malformed, pages and queries too long,
and search text made of SQL wildcards and regex metacharacters. Each is answered with the one error body (or a
normal page), never a server error."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from complaints.pagination import MAX_PAGE_SIZE
from complaints.tests.factories import ComplaintFactory
from merchants.lookup import MAX_QUERY_LENGTH
from portal.api.tests.helpers import error_of
from portal.tests.security.cast import NARRATIVE, api_client

pytestmark = pytest.mark.django_db

COMPLAINTS = "/api/v1/complaints/"
LOOKUP = "/api/v1/merchants/"
CHECK = "/check/"
# SQL LIKE wildcards, regex metacharacters, an escape, quotes: none may reach a query as anything but text.
METACHARACTERS = [
    "%",
    "_",
    "%%",
    "__",
    ".*",
    "(",
    "[",
    "\\",
    "\\\\",
    "(((",
    "[a-",
    "a%",
    "易享%",
    "易_购",
    "'; --",
    '"',
]


def test_a_json_body_over_the_upload_limit_is_413_in_the_error_body(world):
    body = json.dumps({"category": "other", "narrative": "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = api_client(world, "complainant_a").post(COMPLAINTS, body, content_type="application/json")

    error_of(response, 413, "too_large")


def test_malformed_json_is_400_in_the_error_body(world):
    client = api_client(world, "complainant_a")

    for body in ['{"narrative": ', "[1, 2", "\x00", '{"narrative": "\\ud800"}', "NaN"]:
        response = client.post(COMPLAINTS, body, content_type="application/json")
        assert response.status_code == 400, body
        error_of(response, 400)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=xx", b"--xx\r\nContent-Disposition: form-data\r\n\r\nno name"),
        ("multipart/form-data; boundary=xx", b'--xx\r\nContent-Disposition: form-data; name="evidence"; filename="a'),
    ],
)
def test_malformed_multipart_is_400_in_the_error_body(world, content_type, body):
    client = api_client(world, "complainant_a")
    code = world.complaint_a.code

    for url in [COMPLAINTS, f"{COMPLAINTS}{code}/evidence/"]:
        error_of(client.post(url, body, content_type=content_type), 400)


@pytest.mark.parametrize(
    "content_type",
    # XML, and a multipart boundary longer than the 70 characters RFC 2046 allows.
    ["application/xml", "multipart/form-data; boundary=" + "x" * 300],
)
def test_an_unsupported_body_type_is_415(world, content_type):
    response = api_client(world, "complainant_a").post(COMPLAINTS, "<x/>", content_type=content_type)

    error_of(response, 415, "unsupported_media_type")


@pytest.fixture
def many_complaints(world):
    ComplaintFactory.create_batch(MAX_PAGE_SIZE + 5, complainant=world.users["complainant_a"], merchant=world.x)


@pytest.mark.parametrize(
    ("role", "url"), [("complainant_a", COMPLAINTS), ("moderator", "/api/v1/moderation/complaints/")]
)
def test_a_page_holds_at_most_max_page_size_whatever_limit_is_asked(world, many_complaints, role, url):
    client = api_client(world, role)

    for limit in ["1000", "100000", str(10**30)]:
        response = client.get(url, {"limit": limit})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == MAX_PAGE_SIZE
    assert len(client.get(url, {"limit": "7"}).json()["results"]) == 7


@pytest.mark.parametrize("offset", ["-1", "abc", str(10**30), "1" * 5000])
def test_an_offset_out_of_range_is_an_empty_or_first_page(world, offset):
    response = api_client(world, "complainant_a").get(COMPLAINTS, {"offset": offset})

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_a_lookup_longer_than_the_limit_is_400(world):
    client = api_client(world, "anonymous")

    error = error_of(client.get(LOOKUP, {"q": "易" * (MAX_QUERY_LENGTH + 1)}), 400, "invalid")
    assert list(error["fields"]) == ["q"]
    assert client.get(LOOKUP, {"q": "易" * MAX_QUERY_LENGTH}).status_code == 200


def test_the_check_page_searches_and_shows_at_most_the_longest_query(world):
    response = Client().get(CHECK, {"q": "易享购" + "x" * 10_000})

    assert response.status_code == 200
    shown = re.search(r'name="q" id="merchant-query" value="([^"]*)"', response.content.decode()).group(1)
    assert shown == "易享购" + "x" * (MAX_QUERY_LENGTH - 3)


def test_wildcards_and_metacharacters_are_searched_as_text(world, settings):
    """Works the same on SQLite (names scored in Python) and PostgreSQL (pg_trgm's `%`): no 500, and text made
    only of wildcards finds nothing, although there are merchants it would match as a pattern."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "1000/minute"},
    }
    client = Client()

    for q in METACHARACTERS:
        response = client.get(LOOKUP, {"q": q})
        assert response.status_code in (200, 400), (q, response.content)
        if response.status_code == 400:
            # Too short once cleaned: refused as such, in the error body.
            assert list(error_of(response, 400)["fields"]) == ["q"]
        assert client.get(CHECK, {"q": q}).status_code == 200, q
    for q in ["%%", "__", ".*", "%_%"]:
        assert client.get(LOOKUP, {"q": q}).json() == [], q
    found = client.get(LOOKUP, {"q": "易享购"}).json()
    assert [row["id"] for row in found] == [str(world.x.uuid)]


def test_a_narrative_of_control_characters_and_nul_bytes_is_refused_not_crashing(world):
    client = api_client(world, "complainant_a")
    body = {"merchant_name": "易享购", "category": "other", "narrative": NARRATIVE + "\x00\x01"}

    response = client.post(COMPLAINTS, body, content_type="application/json")

    assert list(error_of(response, 400)["fields"]) == ["narrative"]
