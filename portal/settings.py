"""Redress settings: one module, read from the environment.

With no environment at all it runs the embedded default for a laptop (SQLite, Celery eager, files under
var/, console email). Production sets DATABASE_URL, CELERY_BROKER_URL, the evidence bucket, email,
SECRET_KEY and ALLOWED_HOSTS (README.md, "Production").
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from portal.evidence_origin import evidence_origin, origin_host

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The embedded default key only ever signs local sessions; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-" + "redress" * 6)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# Reverse proxies in front of the app (each appends to X-Forwarded-For): 0 trusts only the socket's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Trigram lookups and the pg_trgm extension for merchant-name candidates (merchants.selectors).
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    # A second factor for the admin (portal/urls.py): TOTP devices, enrolled with manage.py otp_enrol.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "merchants",
    "complaints",
    "portal.accounts",
    "portal.pages",
    "portal.moderation",
    "portal.escalations",
    "portal.dashboards",
    "portal.business",
    "portal.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything else that could answer: the evidence origin serves signed file links only.
    "portal.evidence_host.EvidenceHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "complaints.context_processors.notices",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. PostgreSQL databases must use a UTF-8
# ctype, or pg_trgm finds no trigrams in Chinese names; the test database is made from template0 in UTF8.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'redress.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so a real Celery worker process can share the test database; one per test
    # process so parallel runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://redress")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Where complaints.decorators.verified_email_required sends people whose address is not verified yet.
EMAIL_VERIFICATION_URL = "accounts:verify_sent"
LOGIN_REDIRECT_URL = "complaints:mine"
LOGOUT_REDIRECT_URL = "pages:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Sessions (portal.accounts.middleware): one lasts at most two weeks from login, however active; staff (moderators,
# authority staff, the admin), who see complainants' personal data, are logged out after half an hour without a
# request, as a screen left open in an office should not stay signed in.
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_DAYS", default=14) * 24 * 60 * 60
STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("STAFF_SESSION_IDLE_MINUTES", default=30))
# The admin's second factor: the issuer an authenticator app shows next to the TOTP code.
OTP_TOTP_ISSUER = "Redress"
# The OTP admin must not show one admin's TOTP secret and QR code to another.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Login lockout (django-axes): five failures per account and address lock it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Lockouts key on the address complaints.client_address trusts (see TRUSTED_PROXY_COUNT), never on a header a
# client can rotate.
AXES_CLIENT_IP_CALLABLE = "complaints.client_address.client_ip"

# Languages: Simplified Chinese first (the users), English second; compiled catalogues are committed.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Evidence lives in its own private storage that no URL serves: local files under var/evidence, or an
# S3-compatible bucket (django-storages) with private objects when EVIDENCE_S3_BUCKET is set.
EVIDENCE_S3_BUCKET = env.str("EVIDENCE_S3_BUCKET", default="")
if EVIDENCE_S3_BUCKET:
    EVIDENCE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("EVIDENCE_S3_REGION", default=None),
            "access_key": env.str("EVIDENCE_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("EVIDENCE_S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    EVIDENCE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("EVIDENCE_ROOT", default=str(VAR_DIR / "evidence")), "base_url": None},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "evidence": EVIDENCE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads: at most 20 files are parsed from one request (a complaint holds 10); larger bodies spill to disk.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
# A mail server that takes the connection and never answers must not hold a worker until the task's time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Redress <no-reply@redress.example>")

# Celery: with no broker configured, tasks run eagerly in the web process (the laptop default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# A dead broker must not hold a filing request for long: the row is durable and the sweeper re-enqueues.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "evidence-sweep": {"task": "complaints.tasks.evidence_sweep", "schedule": 60.0},
    "drafts-purge-expired": {"task": "complaints.tasks.drafts_purge_expired", "schedule": 3600.0},
    "imports-sweep": {"task": "complaints.tasks.imports_sweep", "schedule": 60.0},
    # The queue's age and surge points change with time, not only with filings.
    "priorities-refresh": {"task": "complaints.tasks.priorities_refresh", "schedule": 3600.0},
    "notifications-sweep": {"task": "complaints.tasks.notifications_sweep", "schedule": 300.0},
    # Representatives hear of replies due within three days (each once per complaint; reruns send nothing).
    "reply-reminders": {"task": "complaints.tasks.reply_reminders", "schedule": 3600.0},
    "personal-data-purge": {"task": "complaints.tasks.personal_data_purge", "schedule": 86400.0},
    "risks-refresh": {"task": "portal.escalations.tasks.risks_refresh_task", "schedule": 3600.0},
    "deliveries-sweep": {"task": "portal.escalations.tasks.deliveries_sweep_task", "schedule": 60.0},
    "escalations-overdue": {"task": "portal.escalations.tasks.escalations_overdue_task", "schedule": 900.0},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    # Every list API caps its page (complaints.pagination.MAX_PAGE_SIZE).
    "DEFAULT_PAGINATION_CLASS": "complaints.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # The API's throttles identify anonymous clients by the same trusted address (DRF would otherwise take
    # X-Forwarded-For as sent, which a client can rotate).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/minute"),
        "user": env.str("THROTTLE_USER", default="600/minute"),
        "auth": env.str("THROTTLE_AUTH", default="10/minute"),
        # Merchant lookups by anyone: generous for a person checking before paying, not for scraping.
        "lookup": env.str("THROTTLE_LOOKUP", default="30/minute"),
        # Filing by one account (brigading is also flagged; this caps its volume).
        "filing": env.str("THROTTLE_FILING", default="10/hour"),
        # Stats API calls by one staff account: a dashboard of its own polling is a few a minute.
        "stats": env.str("THROTTLE_STATS", default="120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Redress API",
    "DESCRIPTION": "File and follow consumer complaints against online merchants.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ComplaintStatusEnum": "complaints.models.Complaint.Status",
        "EvidenceStatusEnum": "complaints.models.Evidence.Status",
        "EvidenceKindEnum": "complaints.models.Evidence.Kind",
        "MerchantKindEnum": "merchants.models.Merchant.Kind",
        "IdentifierKindEnum": "merchants.models.Identifier.Kind",
        "RegionEnum": "merchants.regions.Region",
        "ComplaintRejectReasonEnum": "complaints.models.Complaint.RejectReason",
        "EvidenceRejectReasonEnum": "complaints.models.Evidence.RejectReason",
    },
}

# Rate limits on public HTML endpoints (django-ratelimit) share the default cache.
RATELIMIT_VIEW = "portal.pages.views.ratelimited"
RATELIMIT_IP_META_KEY = "complaints.client_address.client_ip"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): pages run only the scripts and styles Redress serves itself; no inline
# script or style, no plugin, no framing. Charts draw on canvas and set sizes through the CSSOM, which this allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Evidence origin (issue 8): set EVIDENCE_ORIGIN (e.g. https://files.redress-usercontent.example) and evidence and
# licence files are served there only, through links signed for EVIDENCE_LINK_TTL after the main site's permission
# check (complaints.evidence_links, portal.evidence_host): a malicious file that slipped past the upload checks then
# opens where no session cookie lives. Empty, the main site streams them itself. Its host is allowed and its
# thumbnails shown on the main site's pages.
EVIDENCE_ORIGIN = evidence_origin(env.str("EVIDENCE_ORIGIN", default=""), site_url=SITE_URL)
EVIDENCE_URLCONF = "portal.evidence_urls"
EVIDENCE_LINK_TTL = timedelta(seconds=env.int("EVIDENCE_LINK_SECONDS", default=60))
if EVIDENCE_ORIGIN:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, origin_host(EVIDENCE_ORIGIN)]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(EVIDENCE_ORIGIN)

if not DEBUG and env.bool("SECURE_COOKIES", default=True) and "SECRET_KEY" in env:
    # Production (SECRET_KEY set): HTTPS only.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Product limits (issue 2): the tests import these rather than repeat the numbers.
EVIDENCE_MAX_FILES = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_PIXELS = 40_000_000
EVIDENCE_MAX_ATTEMPTS = 5
EVIDENCE_SWEEP_AFTER = timedelta(minutes=5)
DRAFT_LIFETIME = timedelta(days=7)
# Complaints one account may file per hour on the web (the API's "filing" throttle says the same).
FILING_RATE = env.str("FILING_RATE", default="10/h")
# Exports one staff account may take per hour (django-ratelimit): each can read every complaint of a province.
EXPORT_RATE = env.str("EXPORT_RATE", default="30/h")
# A moderator's claim on a case lapses when they leave it untouched this long.
MODERATION_CLAIM_TTL = timedelta(minutes=30)
# The merchant's right of reply: days from a complaint's acceptance to the reply deadline (CFPB's "timely").
MERCHANT_REPLY_DAYS = env.int("MERCHANT_REPLY_DAYS", default=15)
# Brigading: this many complaints against one merchant from one account or network address within the window
# flags them all (complaints.flags).
BRIGADING_COUNT = 3
BRIGADING_WINDOW = timedelta(hours=24)
# Escalations (issue 5): police are told of a vanished or surging merchant once claimed losses reach this.
ESCALATION_POLICE_MIN_LOSS = Decimal("50000")
# How long the dossier link in an escalation email stays valid (staff still have to log in).
DOSSIER_LINK_TTL = timedelta(days=7)
# Outbound webhooks: seconds to wait for the authority's endpoint; loopback targets only in tests.
WEBHOOK_TIMEOUT = 10
WEBHOOK_ALLOW_LOOPBACK = False
# Privacy (issue 8): personal data of complaints closed (CFPB closures, rejected, withdrawn) this many days ago is
# erased by manage.py purge_personal_data (complaints.privacy); the complaint's counted facts stay.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=730)
# Dashboards (issue 6): the public statistics name a merchant only once this many verified complaints in the
# period are against it; public pages are cached this long.
PUBLIC_STATS_MIN_COMPLAINTS = env.int("PUBLIC_STATS_MIN_COMPLAINTS", default=10)
PUBLIC_STATS_CACHE_SECONDS = 600
