"""System checks with stable ids: bad configuration fails loudly at startup."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_encryption_key(app_configs=None, **kwargs):
    errors = []
    for key in [k for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()] or [""]:
        try:
            Fernet(key.strip().encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    "FIELD_ENCRYPTION_KEY is not a valid Fernet key.",
                    hint="Generate one with: python -c 'from cryptography.fernet import "
                    "Fernet; print(Fernet.generate_key().decode())'",
                    id="sheetforce.E001",
                )
            )
    return errors


@register()
def check_secret_key(app_configs=None, **kwargs):
    if len(settings.SECRET_KEY) < 32:
        return [Error("SECRET_KEY is shorter than 32 characters.", id="sheetforce.E002")]
    return []


@register()
def check_broker(app_configs=None, **kwargs):
    cluster = settings.Q_CLUSTER
    if not (cluster.get("orm") or cluster.get("redis")):
        return [Error("Q_CLUSTER has neither an ORM nor a Redis broker.", id="sheetforce.E003")]
    if cluster.get("orm") and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and (
        cluster.get("workers", 1) > 4
    ):
        return [
            Warning(
                "More than 4 workers on SQLite will contend for the database lock.",
                hint="Use PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) to scale out.",
                id="sheetforce.W001",
            )
        ]
    return []


@register()
def check_run_timeout(app_configs=None, **kwargs):
    if settings.Q_CLUSTER["timeout"] <= settings.RUN_TIMEOUT_SECONDS:
        return [
            Error(
                "RUN_TIMEOUT_SECONDS must be shorter than Q_TIMEOUT so a run ends before "
                "its worker is killed.",
                id="sheetforce.E004",
            )
        ]
    if settings.Q_CLUSTER["retry"] <= settings.Q_CLUSTER["timeout"]:
        return [Error("Q_RETRY must be longer than Q_TIMEOUT.", id="sheetforce.E005")]
    return []


@register(deploy=True)
def check_debug_in_production(app_configs=None, **kwargs):
    if settings.DEBUG:
        return [Warning("DEBUG is on.", id="sheetforce.W002")]
    return []


#: Shorter bearer tokens can be guessed; 16 characters is the floor, 32+ is better.
METRICS_TOKEN_MIN_LENGTH = 16


@register()
def check_metrics_token(app_configs=None, **kwargs):
    token = settings.METRICS_TOKEN
    if token and len(token) < METRICS_TOKEN_MIN_LENGTH:
        return [
            Warning(
                f"METRICS_TOKEN is shorter than {METRICS_TOKEN_MIN_LENGTH} characters.",
                hint="Generate one with: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'",
                id="sheetforce.W003",
            )
        ]
    return []
