"""Settings, read from the environment in this one place (django-environ).

Safe local defaults: SQLite under ``var/``, django-q2's ORM broker, generated secrets kept
under ``var/`` (never committed). Production: set DATABASE_URL, REDIS_URL, SECRET_KEY,
FIELD_ENCRYPTION_KEY, ALLOWED_HOSTS, EMAIL_URL; DEBUG stays off unless asked.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("SHEETFORCE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
# Owner-only: the SQLite database, generated keys and the cache live here. (A directory
# someone else owns is the operator's to manage: PermissionError is left alone.)
with contextlib.suppress(PermissionError):
    VAR_DIR.chmod(0o700)


def _local_secret(name: str, make) -> str:
    """Read a secret generated on first local run (``var/<name>``), creating it if absent."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="") or _local_secret(
    "field_encryption_key", lambda: Fernet.generate_key().decode()
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
#: Reverse proxies (IP addresses or networks) whose X-Forwarded-For is believed.
SHEETFORCE_TRUSTED_PROXIES = env.list("SHEETFORCE_TRUSTED_PROXIES", default=[])
#: Public base URL of this deployment (for links in emails and webhook callbacks).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First: the console's templates (admin/base_site.html, the team overview) override
    # the admin's own.
    "console.apps.ConsoleConfig",
    "console.apps.SheetforceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "audit",
    "accounts",
    "connector",
    "workflows",
    "runs",
    "api",
    "web",
    "sheetforce.apps.SheetforceConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "sheetforce.urls"
WSGI_APPLICATION = "sheetforce.wsgi.application"
ASGI_APPLICATION = "sheetforce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sheetforce.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the django-q2 cluster share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# English is the source language; French is complete (locale/fr). A person's own choice
# (their profile) wins over the browser's Accept-Language, which wins over LANGUAGE_CODE.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the finders (no collectstatic step for the demo or tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sheetforce <sheetforce@localhost>")

# --- Cache (sign-in throttling, debouncing): shared by every process of a deployment ----
if env.str("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": env.str("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

# --- django-q2 -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "sheetforce",
    "workers": env.int("Q_WORKERS", default=2),
    # A run's own deadline (RUN_TIMEOUT_SECONDS) is shorter than the cluster's timeout:
    # the engine gives up cleanly before django-q2 kills the worker.
    "timeout": env.int("Q_TIMEOUT", default=1800),
    "retry": env.int("Q_RETRY", default=1860),
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Tasks",
    "poll": 1,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Sync -----------------------------------------------------------------------------
RUN_TIMEOUT_SECONDS = env.int("RUN_TIMEOUT_SECONDS", default=1500)
RUN_RETENTION_DAYS = env.int("RUN_RETENTION_DAYS", default=90)
FULL_RECONCILE_HOURS = env.int("FULL_RECONCILE_HOURS", default=24)
HTTP_TIMEOUT_SECONDS = env.float("HTTP_TIMEOUT_SECONDS", default=60.0)
#: Hosts the clients may call (see connector/outbound.py): the public Salesforce and
#: Smartsheet hosts unless set; the demo and the tests add the sandbox's exact entries.
SHEETFORCE_ALLOWED_API_HOSTS = env.list("SHEETFORCE_ALLOWED_API_HOSTS", default=[
    "*.salesforce.com", "api.smartsheet.com", "app.smartsheet.com", "api.smartsheetgov.com",
    "app.smartsheetgov.com", "api.smartsheet.eu", "app.smartsheet.eu", "api.smartsheet.au",
    "app.smartsheet.au",
])

# --- Shared rate budgets (see connector/budgets.py) ----------------------------------
#: Requests a minute one Smartsheet access token may send, every worker on every host
#: together: Smartsheet allows 300, the rest is head-room for people and other tools.
RATE_BUDGET_SMARTSHEET_PER_MINUTE = env.int("RATE_BUDGET_SMARTSHEET_PER_MINUTE", default=250)
#: Requests a minute to one Salesforce org (it has no per-minute limit, but a daily
#: allowance: this spreads bursts). 0 turns a budget off.
RATE_BUDGET_SALESFORCE_PER_MINUTE = env.int("RATE_BUDGET_SALESFORCE_PER_MINUTE", default=600)
#: How long a call in the middle of a run waits for budget before the run fails.
RATE_BUDGET_WAIT_SECONDS = env.float("RATE_BUDGET_WAIT_SECONDS", default=75.0)
#: How long a run's first call waits before the run is deferred (its worker is freed).
RATE_BUDGET_DEFER_AFTER_SECONDS = env.float("RATE_BUDGET_DEFER_AFTER_SECONDS", default=2.0)
#: Prefix of the budgets' keys in Redis or the database.
RATE_BUDGET_PREFIX = "sheetforce"
#: Calls a quiet poll is expected to cost per service: the scheduler queues no more
#: polls per owner in one tick than their Smartsheet budget can carry.
SCHEDULE_CALLS_PER_POLL = env.int("SCHEDULE_CALLS_PER_POLL", default=3)

# --- Real-time sync (see runs/realtime/conf.py) ----------------------------------------
# Unset: Smartsheet webhooks only when Smartsheet can call PUBLIC_BASE_URL back (public
# https on port 443, 8000, 8008, 8080 or 8443).
SHEETFORCE_WEBHOOKS_ENABLED = env.bool("SHEETFORCE_WEBHOOKS_ENABLED", default=None)
# Create webhooks for a callback URL the real Smartsheet refuses: only against the sandbox
# started with --allow-insecure-callbacks (the demo, the tests, the benchmark).
SHEETFORCE_ALLOW_INSECURE_CALLBACKS = env.bool("SHEETFORCE_ALLOW_INSECURE_CALLBACKS",
                                               default=False)
SHEETFORCE_REALTIME_QUIET_SECONDS = env.float("SHEETFORCE_REALTIME_QUIET_SECONDS", default=0.4)
SHEETFORCE_REALTIME_MAX_WAIT_SECONDS = env.float("SHEETFORCE_REALTIME_MAX_WAIT_SECONDS", default=1.5)
SHEETFORCE_REALTIME_RECONCILE_SECONDS = env.float("SHEETFORCE_REALTIME_RECONCILE_SECONDS", default=60)

# --- REST API -------------------------------------------------------------------------
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.jsonlimits.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"auth_token": env.str("AUTH_TOKEN_THROTTLE", default="10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sheetforce API",
    "DESCRIPTION": (
        "Automate Smartsheet ⇄ Salesforce workflows. Authenticate with "
        "`Authorization: Token <key>` (POST /api/v1/auth/token/) or a browser session. "
        'Every error has one body: `{"detail": "...", "errors": {"field": ["message"]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "runs.models.RunStatus",
        "WorkflowDirectionEnum": "workflows.models.Direction",
        "InstallStatusEnum": "connector.models.InstallStatus",
        "ServiceEnum": "connector.models.Service",
    },
}

# --- Security when DEBUG is off -------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Behind TLS in production. SHEETFORCE_INSECURE_LOCAL=1 (the demo on loopback, tests)
    # keeps cookies usable over plain http://127.0.0.1.
    _insecure_local = env.bool("SHEETFORCE_INSECURE_LOCAL", default=False)
    SESSION_COOKIE_SECURE = not _insecure_local
    CSRF_COOKIE_SECURE = not _insecure_local
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if _insecure_local else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = not _insecure_local
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not _insecure_local)
    # On behind the reverse proxy (README: SECURE_SSL_REDIRECT=true); off by default so a
    # plain-http probe or test client is not redirected.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    # Load balancers and Prometheus may probe over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers and Prometheus often probe the application server over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Logs ------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line, with the workflow and run ids inside a run.
try:
    LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"),
                             fmt=env.str("LOG_FORMAT", default="plain"))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None

# --- Operations: health checks and metrics (api/views/health.py) -----------------------
#: ``Authorization: Bearer <token>`` opens GET /metrics; unset, /metrics answers 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
#: ``listen_changes`` runs in this deployment: /readyz then checks its heartbeat.
SHEETFORCE_REALTIME_ENABLED = env.bool("SHEETFORCE_REALTIME_ENABLED", default=False)
