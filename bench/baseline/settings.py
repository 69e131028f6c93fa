"""The bare stack under Redress's filing API, for bench/surge.py: Django, DRF and PostgreSQL, nothing else.

One model shaped like a complaint row and a ModelSerializer create endpoint. No authentication, throttles,
sessions, translations, merchant resolution or rollups: what Redress's filing costs beyond this is its own work.
The database comes from DATABASE_URL with Redress's connection settings (persistent connections with health
checks), and gunicorn serves both apps with the same options, so the two differ only in the application.
"""

import os
from pathlib import Path

import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "bench-baseline-not-secret"  # noqa: S105 (signs nothing: no sessions, no forms)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = ["rest_framework", "bench.baseline"]
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bench.baseline.urls"
WSGI_APPLICATION = "bench.baseline.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR.parent.parent / 'var' / 'baseline.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_I18N = False
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

# Uploaded files go where the runner says (a temporary directory), like Redress's local evidence storage.
MEDIA_ROOT = os.environ.get("BASELINE_MEDIA_ROOT", str(BASE_DIR.parent.parent / "var" / "baseline-media"))
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [],
    # Without django.contrib.auth: no AnonymousUser to stand for the unauthenticated client.
    "UNAUTHENTICATED_USER": None,
}
