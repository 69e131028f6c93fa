"""portal/settings.py reads the environment: local defaults with none, the production shape with the README's."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

SNAPSHOT = """
import json
import django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "TEST": {key: str(value) for key, value in db.get("TEST", {}).items()},
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "BROKER": settings.CELERY_BROKER_URL,
    "EVIDENCE": settings.STORAGES["evidence"],
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": getattr(settings, "EMAIL_HOST", ""),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
}, default=str))
"""

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "redress.example",
    "CSRF_TRUSTED_ORIGINS": "https://redress.example",
    "DATABASE_URL": "postgres://redress:secret@db.internal:5432/redress",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/1",
    "EVIDENCE_S3_BUCKET": "redress-evidence",
    "EVIDENCE_S3_ENDPOINT_URL": "https://minio.internal:9000",
    "EVIDENCE_S3_REGION": "cn-east-1",
    "EVIDENCE_S3_ACCESS_KEY_ID": "access",
    "EVIDENCE_S3_SECRET_ACCESS_KEY": "secret",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
}


def run_with(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Start Python afresh with only `env` (plus PATH), as a server process would see it."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def snapshot(env: dict) -> dict:
    result = run_with(env, "-c", SNAPSHOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_no_environment_it_runs_on_the_local_defaults():
    local = snapshot({})

    var = settings.BASE_DIR / "var"
    assert local["DEBUG"] is False
    assert local["ENGINE"] == "django.db.backends.sqlite3"
    assert local["NAME"] == str(var / "redress.sqlite3")
    assert local["ALWAYS_EAGER"] is True
    assert local["EVIDENCE"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["EVIDENCE"]["OPTIONS"]["location"] == str(var / "evidence")
    assert local["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert local["SESSION_COOKIE_SECURE"] is False
    assert "127.0.0.1" in local["ALLOWED_HOSTS"]


def test_the_readme_production_variables_select_postgres_redis_s3_smtp_and_https():
    prod = snapshot(PRODUCTION)

    assert prod["ENGINE"] == "django.db.backends.postgresql"
    assert prod["NAME"] == "redress"
    assert (prod["TEST"]["TEMPLATE"], prod["TEST"]["CHARSET"]) == ("template0", "UTF8")
    assert prod["ALWAYS_EAGER"] is False
    assert prod["BROKER"] == "redis://redis.internal:6379/0"
    assert prod["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert prod["EVIDENCE"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert prod["EVIDENCE"]["OPTIONS"] == {
        "bucket_name": "redress-evidence",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "cn-east-1",
        "access_key": "access",
        "secret_key": "secret",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    assert prod["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert prod["EMAIL_HOST"] == "smtp.internal"
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"] and prod["SECURE_SSL_REDIRECT"]
    assert prod["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert prod["ALLOWED_HOSTS"] == ["redress.example"]


def test_the_production_variables_pass_the_deploy_checks():
    result = run_with(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
