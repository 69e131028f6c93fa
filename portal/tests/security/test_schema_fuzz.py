"""Schemathesis against the API's own OpenAPI schema (drf-spectacular), in process through the WSGI app: every
operation, as every role (token authentication), with valid and deliberately invalid requests. No answer may be
a server error, and every answer (status, headers, body) must be one the schema documents.

Examples are bounded and derandomized, so the run is the same on every machine and stays short; path parameters
are drawn both from the world's real objects (so owners, staff and outsiders each reach real rows) and freely.
Each example runs in a savepoint rolled back afterwards: every one sees the same world.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.tests.security.cast import ANONYMOUS, ROLES, World

pytestmark = pytest.mark.django_db

# Examples per operation and role, valid and invalid ones mixed: enough to reach each operation's checks in CI's
# time; set REDRESS_FUZZ_EXAMPLES for a deeper run.
EXAMPLES = int(os.environ.get("REDRESS_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    """The schema as /api/schema/ serves it, with the WSGI app the examples are sent to."""
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    loaded = schemathesis.openapi.from_dict(response.json())
    loaded.app = WSGIHandler()
    return loaded


@pytest.fixture
def app_in_test_transaction(monkeypatch):
    """Send requests to the WSGI app inside the test's transaction, as Django's test client does: a request's
    start and end must not close the database connection. Throttles are off, or they would answer most
    examples with a (documented) 429 before any code under test runs."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def _real_parameters(world: World) -> list[dict]:
    complaints = [world.complaint_a, world.pending_a, world.complaint_b]
    return [
        *({"code": complaint.code} for complaint in complaints),
        {"code": world.complaint_a.code.lower().replace("-", " ")},
        *({"uuid": str(merchant.uuid)} for merchant in (world.x, world.y)),
    ]


def _strategy(operation, world: World):
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = [values for values in _real_parameters(world) if set(values) == names]
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    strategies += [
        operation.as_strategy(generation_mode=mode, path_parameters=values) for values in fixed for mode in modes
    ]
    return st.one_of(strategies)


def _fuzz(operation, world: World, headers: dict) -> str | None:
    """Run the operation's examples; the first failure's description, or None."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        # No shrinking: a failure is reported as found, which keeps a failing run as short as a passing one.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, world))
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    # Schemathesis raises its failures as a group (a BaseExceptionGroup); anything else is reported the same way.
    except (Exception, BaseExceptionGroup) as failure:
        return f"{operation.label}: {failure}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_its_schema_says(role, world, schema, app_in_test_transaction):
    headers = {"Accept-Language": "en"}
    if role in world.tokens:
        headers["Authorization"] = f"Token {world.tokens[role]}"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 24
    if role != ANONYMOUS:
        # The token operation authenticates no one (it is where a token is obtained): fuzzed once, anonymously.
        operations = [operation for operation in operations if operation.path != reverse("api:token")]

    failures = [failure for operation in operations if (failure := _fuzz(operation, world, headers))]

    assert not failures, "\n\n".join(failures)
