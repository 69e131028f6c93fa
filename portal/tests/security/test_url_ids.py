"""Objects are named in URLs and in the API by random public ids (UUID4) or tracking codes, never by the integer
primary key a visitor could count through. Django's admin is the exception: it is Django's, and behind the
second factor (test_access_matrix)."""

import uuid
from collections import Counter

import pytest
from django.apps import apps
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from complaints.codes import ALPHABET, PATTERN, new_tracking_code
from complaints.models import Complaint
from portal.tests.security.routes import ADMIN_NAMESPACE, routes

# Parameters that name no object, with what they are.
NOT_IDS = {
    "step": "a step of the filing wizard",
    "action": "a moderator's action on a case",
    "variant": "which copy of an evidence file",
    "table": "which dashboard table to export",
    "fmt": "csv or xlsx",
    # Django's email-verification and password-reset links: the account's id (base64), sent only to its owner
    # and useless without `token`, an HMAC of it that expires.
    "uidb64": "the account of a signed link",
    "token": "the signature of a signed link",
}
CODE_PARAMETER = "code"  # a complaint's tracking code (complaints.codes)


def _site_routes():
    return [route for route in routes() if not route.name.startswith(ADMIN_NAMESPACE)]


def test_no_route_outside_the_admin_takes_an_integer():
    with_int = [route.name for route in _site_routes() for converter, _name in route.parameters if converter == "int"]
    assert with_int == []


def test_every_parameter_is_a_uuid_a_tracking_code_or_names_no_object():
    unknown = []
    for route in _site_routes():
        for converter, name in route.parameters:
            if converter == "uuid" or name in NOT_IDS:
                continue
            if name == CODE_PARAMETER and converter == "str":
                continue
            unknown.append(f"{route.name}: <{converter}:{name}>")
    assert unknown == [], "a new kind of parameter: a uuid, a tracking code, or add it to NOT_IDS with a reason"


def test_the_admin_is_the_only_namespace_with_regex_routes_and_integer_ids():
    regex = {route.name.split(":")[0] for route in routes() if ("regex", "app_label") in route.parameters}
    assert regex == {ADMIN_NAMESPACE.rstrip(":")}


def test_public_ids_are_random_uuid4():
    """Every model with a public `uuid` draws it from uuid4 (122 random bits), not from a sequence."""
    models = [model for model in apps.get_models() if "uuid" in {field.name for field in model._meta.fields}]
    assert len(models) >= 10
    for model in models:
        field = model._meta.get_field("uuid")
        assert field.unique, model
        assert field.default is uuid.uuid4, model


def test_tracking_codes_are_random_and_unguessable_from_each_other():
    codes = [new_tracking_code() for _ in range(2000)]

    assert all(PATTERN.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    # Each position uses the whole alphabet, evenly: no counter hides in any of them.
    for position in [3, 4, 5, 6, 8, 9, 10, 11]:
        counts = Counter(code[position] for code in codes)
        assert set(counts) == set(ALPHABET)
        assert max(counts.values()) < 3 * len(codes) / len(ALPHABET)


@pytest.mark.django_db
def test_the_url_of_a_complaint_carries_its_uuid_not_its_primary_key():
    from complaints.tests.factories import ComplaintFactory

    complaint = ComplaintFactory()
    url = reverse("complaints:detail", kwargs={"uuid": complaint.uuid})

    assert str(complaint.uuid) in url
    assert uuid.UUID(str(complaint.uuid)).version == 4
    assert Complaint._meta.get_field("code").unique


def test_the_api_schema_names_objects_by_uuid_or_code_only():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    wrong, ids = [], 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                is_uuid = parameter["schema"].get("format") == "uuid"
                if not (is_uuid or parameter["name"] == CODE_PARAMETER):
                    wrong.append(f"{method.upper()} {path}: {parameter['name']}")
    for name, component in schema["components"]["schemas"].items():
        for prop, definition in component.get("properties", {}).items():
            # `app_id`, `wechat_id`: identifiers of the merchant's, not ours.
            if prop == "id":
                ids += 1
                if definition.get("format") != "uuid":
                    wrong.append(f"{name}.{prop}: {definition}")
    assert wrong == []
    assert ids >= 5
