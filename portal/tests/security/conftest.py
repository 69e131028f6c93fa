"""Fixtures of the security tests: the world of portal.tests.security.cast, built through the services."""

import pytest

from portal.tests.security.cast import build_world


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    return build_world(django_capture_on_commit_callbacks)
