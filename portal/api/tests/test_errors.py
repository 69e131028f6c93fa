import logging

from complaints import selectors
from portal.api.errors import MSG_BODY_TOO_LARGE, MSG_SERVER_ERROR
from portal.api.tests.helpers import api_client, error_of


def test_malformed_json_is_400(complainant):
    response = api_client(complainant).post("/api/v1/complaints/", data="{not json", content_type="application/json")

    error_of(response, 400, "parse_error")


def test_unsupported_body_type_is_415(complainant):
    response = api_client(complainant).post("/api/v1/complaints/", data="<xml/>", content_type="application/xml")

    error_of(response, 415, "unsupported_media_type")


def test_oversized_form_fields_are_413(complainant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = {"category": "other", "merchant_name": "Shop", "narrative": "x" * 2048}

    response = api_client(complainant).post("/api/v1/complaints/", data, format="multipart")

    error = error_of(response, 413, "too_large")
    assert error["message"] == str(MSG_BODY_TOO_LARGE)


def test_unexpected_errors_still_use_the_error_body(complainant, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "complaint_list_for_user", broken)

    with caplog.at_level(logging.ERROR, logger="portal.api.errors"):
        response = api_client(complainant).get("/api/v1/complaints/")

    error = error_of(response, 500, "server_error")
    assert error["message"] == str(MSG_SERVER_ERROR)
    assert "database on fire" not in response.content.decode()
    assert "database on fire" in caplog.text
