import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from portal.api.errors import MSG_SERVER_ERROR
from portal.pages.views import MSG_NOT_FOUND, server_error

pytestmark = pytest.mark.django_db


def test_home_page_is_served_in_both_languages(client):
    english = client.get("/", headers={"accept-language": "en"})
    chinese = client.get("/", headers={"accept-language": "zh-CN"})

    assert english.status_code == chinese.status_code == 200
    assert '<html lang="en"' in english.text
    assert '<html lang="zh-hans"' in chinese.text
    with translation.override("zh-hans"):
        assert translation.gettext("File a complaint") in chinese.text


def test_home_refuses_post(client):
    assert client.post("/").status_code == 405


def test_an_unknown_api_url_answers_the_error_body(client):
    response = client.get("/api/v1/nowhere/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": str(MSG_NOT_FOUND), "fields": {}}}


def test_an_unknown_page_answers_the_friendly_page(client):
    response = client.get("/nowhere/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_server_error_under_the_api_answers_the_error_body():
    with translation.override("en"):
        response = server_error(RequestFactory().get("/api/v1/complaints/"))
        expected = {"error": {"code": "server_error", "message": str(MSG_SERVER_ERROR), "fields": {}}}

    assert response.status_code == 500
    assert json.loads(response.content) == expected


def test_a_server_error_on_a_page_answers_the_plain_page():
    response = server_error(RequestFactory().get("/complaints/"))

    assert response.status_code == 500
    assert b"<h1>" in response.content
