import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def test_schema_endpoint_serves_a_valid_openapi_document(schema):
    validate_schema(schema)
    assert {"/api/v1/auth/token/", "/api/v1/complaints/", "/api/v1/complaints/{code}/"} <= set(schema["paths"])


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/complaints/{code}/evidence/" in (tmp_path / "schema.yaml").read_text()


def test_schema_describes_evidence_as_repeated_binary_parts(schema):
    create = schema["paths"]["/api/v1/complaints/"]["post"]["requestBody"]["content"]
    add = schema["paths"]["/api/v1/complaints/{code}/evidence/"]["post"]["requestBody"]["content"]
    components = schema["components"]["schemas"]

    for content in (create, add):
        form = components[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert form["properties"]["evidence"] == {"type": "array", "items": {"type": "string", "format": "binary"}}
    json_form = components[create["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "evidence" not in json_form["properties"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/auth/token/", "post", {"400", "429"}),
        ("/api/v1/complaints/", "post", {"400", "401", "403", "413", "415", "429"}),
        ("/api/v1/complaints/", "get", {"401", "429"}),
        ("/api/v1/complaints/{code}/", "get", {"401", "404", "429"}),
        ("/api/v1/complaints/{code}/evidence/", "post", {"400", "401", "403", "404", "413", "415", "429"}),
    ],
)
def test_errors_are_documented_with_the_error_body(schema, path, method, statuses):
    responses = schema["paths"][path][method]["responses"]

    for status in statuses:
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}


def test_docs_page_serves_swagger_ui(db):
    response = APIClient().get("/api/docs/")
    # Swagger UI's start-up script is a file of its own (no inline script under the Content-Security-Policy).
    script = APIClient().get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert '<script src="/api/docs/?script=">' in response.content.decode()
    assert "/api/schema/" in script.content.decode()


def test_docs_page_loads_nothing_from_a_cdn(db):
    html = APIClient().get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        if asset == "/api/docs/?script=":
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(Path(asset.removeprefix("/static/")).as_posix()), asset
