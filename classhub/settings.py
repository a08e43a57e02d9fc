"""Settings for the ClassHub onboarding portal, read from the environment.

With nothing set, the portal runs embedded: a SQLite file under data/ (WAL mode), django-q2's
ORM broker and emails written to files under data/mail/. DATABASE_URL switches to PostgreSQL
and REDIS_URL switches the task broker to Redis; no code changes are needed to scale out.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CLASSHUB_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# "production" turns on the secure defaults; anything else is a local/demo install.
CLASSHUB_ENV = os.environ.get("CLASSHUB_ENV", "local")
PRODUCTION = CLASSHUB_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
# The fallback key only ever serves a local demo; production refuses to start without one.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if PRODUCTION else "local-demo-only-not-a-secret")
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when CLASSHUB_ENV=production.")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by the app itself (no CDN)
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "classhub.clever",
    "classhub.clever.sso",
    "onboarding",
    "rosters",
    "devices",
    "teach",
    "helpcenter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "classhub.urls"
WSGI_APPLICATION = "classhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections roughly double request throughput (ARCHITECTURE.md, habit 7).
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True),
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # Seconds a web process keeps its connection (0: one per request, Django's default). A server for
            # request-heavy endpoints (the device identify API) sets it: see ARCHITECTURE.md, habit 7.
            "CONN_MAX_AGE": int(os.environ.get("CLASSHUB_CONN_MAX_AGE", "0")),
            # CLASSHUB_SQLITE_PATH lets a helper process (a benchmark, a worker a test kills) open another file.
            "NAME": os.environ.get("CLASSHUB_SQLITE_PATH") or DATA_DIR / "classhub.sqlite3",
            # A file, not memory, so tests run with the same WAL journal as the product.
            "TEST": {"NAME": str(DATA_DIR / "test-classhub.sqlite3")},
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers (web + worker)
                # wait on the busy timeout instead of failing with "database is locked". A 100 MB page
                # cache (allocated only as used) keeps a big import's indexes in memory.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                    "PRAGMA cache_size=-100000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (django-q2) ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# A full import of the largest district may take long; a task is only handed to another
# worker after `retry` seconds, which must exceed `timeout` so no task ever runs twice at once.
Q_TASK_TIMEOUT = int(os.environ.get("CLASSHUB_TASK_TIMEOUT", str(4 * 3600)))
Q_CLUSTER = {
    "name": "classhub",
    "workers": int(os.environ.get("CLASSHUB_Q_WORKERS", "2")),
    "timeout": Q_TASK_TIMEOUT,
    "retry": Q_TASK_TIMEOUT + 600,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # The ORM broker polls; a short poll keeps the demo responsive.
    Q_CLUSTER["poll"] = 1

# --- Cache -----------------------------------------------------------------------------------------
# Shared by every process, so the device identify API's per-key rate limit holds across gunicorn workers.
# Redis when REDIS_URL is set (atomic counters, shared across machines). Embedded: files under DATA_DIR/cache,
# shared by the processes of this machine and kept off the SQLite write lock (a DatabaseCache would make
# every identify request wait behind an import's write transaction).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "classhub",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# --- Device identify API ----------------------------------------------------------------------------
# Requests per device key: "<number>/<s|min|hour|day>".
DEVICE_IDENTIFY_RATE = os.environ.get("DEVICE_IDENTIFY_RATE", "600/min")
# How long a web process reuses what it read of a district's device setups (domains) before reading again.
DEVICE_SETUP_CACHE_SECONDS = float(os.environ.get("DEVICE_SETUP_CACHE_SECONDS", "10"))
# A setup change recomputes readiness during the save up to this many students (a few seconds at most), in a
# background task above it.
DEVICE_READINESS_INLINE_MAX_STUDENTS = int(os.environ.get("DEVICE_READINESS_INLINE_MAX_STUDENTS", "100000"))
# The benchmark's reference endpoint (bench/reference_api.py) exists only when this is set.
BENCH_REFERENCE = env_bool("CLASSHUB_BENCH_REFERENCE", False)

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ClassHub Onboarding <onboarding@classhub.example>")
EMAIL_REPLY_TO = os.environ.get("EMAIL_REPLY_TO", "onboarding-help@classhub.example")
SALES_EMAIL = os.environ.get("SALES_EMAIL", "sales@classhub.example")
# Links in emails point here (the portal's public address).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Clever ----------------------------------------------------------------------------------
CLEVER_CLIENT_ID = os.environ.get("CLEVER_CLIENT_ID", "classhub-sandbox-client")
CLEVER_CLIENT_SECRET = os.environ.get("CLEVER_CLIENT_SECRET", "classhub-sandbox-secret")
CLEVER_API_BASE = os.environ.get("CLEVER_API_BASE", "https://api.clever.com").rstrip("/")
CLEVER_OAUTH_BASE = os.environ.get("CLEVER_OAUTH_BASE", "https://clever.com").rstrip("/")
CLEVER_TIMEOUT_SECONDS = float(os.environ.get("CLEVER_TIMEOUT_SECONDS", "30"))
CLEVER_MAX_RETRIES = int(os.environ.get("CLEVER_MAX_RETRIES", "5"))
# Records per page read from Clever (its maximum is 10,000): larger pages mean fewer requests and commits.
CLEVER_PAGE_LIMIT = int(os.environ.get("CLEVER_PAGE_LIMIT", "5000"))
# A full sync that would archive more than ARCHIVE_HOLD_FRACTION, or change more than CHANGE_HOLD_FRACTION,
# of any kind's active records applies none of it until a rep has looked (held for review).
ARCHIVE_HOLD_FRACTION = float(os.environ.get("CLASSHUB_ARCHIVE_HOLD_FRACTION", "0.10"))
CHANGE_HOLD_FRACTION = float(os.environ.get("CLASSHUB_CHANGE_HOLD_FRACTION", "0.50"))
# One sync of a district at a time: the holder renews its lease as it works; a dead worker's lease
# expires after SYNC_LEASE_SECONDS. A full sync waits up to SYNC_LEASE_WAIT_SECONDS for a busy lease.
SYNC_LEASE_SECONDS = int(os.environ.get("CLASSHUB_SYNC_LEASE_SECONDS", "300"))
SYNC_LEASE_WAIT_SECONDS = float(os.environ.get("CLASSHUB_SYNC_LEASE_WAIT_SECONDS", "60"))
# Incremental sync (Clever events) every EVENTS_SYNC_MINUTES; a full sync of every district each night.
EVENTS_SYNC_MINUTES = int(os.environ.get("CLASSHUB_EVENTS_SYNC_MINUTES", "10"))
NIGHTLY_SYNC_HOUR_UTC = int(os.environ.get("CLASSHUB_NIGHTLY_SYNC_HOUR_UTC", "8"))  # 3 a.m. US Eastern
# How often the django-q2 schedule polls Clever for new and removed district connections.
CLEVER_DISCOVERY_MINUTES = int(os.environ.get("CLEVER_DISCOVERY_MINUTES", "10"))

# --- Sign-in (django-allauth with the Clever provider) ---------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "teach:after-sign-in"  # each person's home: review console, portal or teacher home
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "classhub.clever.sso.adapter.ClassHubAccountAdapter"
# Shared school devices: the sign-in page stays reachable while someone is signed in, and a new sign-in
# replaces that person's session instead of sending the next person to their pages.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
# District contacts sign in with a code emailed to the contact email Clever gave (classhub/clever/sso/contacts.py).
# Any other email gets the same answer and no email at all (no account enumeration, no mail to strangers).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = int(os.environ.get("CLASSHUB_LOGIN_CODE_SECONDS", "600"))
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "ClassHub: "
SOCIALACCOUNT_ADAPTER = "classhub.clever.sso.adapter.CleverSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# Clever does not verify emails: accounts are keyed on the Clever user id, never on email.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "clever": {
        "APP": {"client_id": CLEVER_CLIENT_ID, "secret": CLEVER_CLIENT_SECRET, "key": ""},
    },
}

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ClassHub API",
    "DESCRIPTION": (
        "The device identify API for the ClassHub device agents, and the districts API. "
        "Device agents authenticate with a district's device key: `Authorization: Bearer <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Static files, i18n, security -----------------------------------------------------------------
STATIC_URL = "static/"
# Production serves collected files (collectstatic); locally WhiteNoise reads the app folders directly.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
# On by default in production (`check --deploy` asks for both); a host whose subdomains are not all HTTPS
# turns them off with these variables.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLASSHUB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
