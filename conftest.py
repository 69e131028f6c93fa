"""The shared cast and the settings every test runs under."""

import pytest

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request's LocaleMiddleware leaves its language
    active in the thread, which would make message assertions depend on test order."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (see complaints/tests/test_worker.py)."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def complainant(db):
    return UserFactory(email="buyer@example.com")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.com")


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)


@pytest.fixture
def merchant_rep(db):
    return UserFactory(email="rep@example.com", role=User.Role.MERCHANT_REP)


@pytest.fixture
def regulator(db):
    return UserFactory(email="regulator@example.com", role=User.Role.AUTHORITY)
