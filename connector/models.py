"""Installs and connections.

Connections live here rather than in ``accounts`` (as DESIGN.md first sketched) because
a connection belongs to an install and is refreshed through ``connector.clients``;
keeping it here keeps the dependency direction ``accounts`` ← ``connector`` intact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField

DEFAULT_SLA_HOURS = {"High": 8, "Medium": 24, "Low": 72}


def default_sla_hours() -> dict:
    return dict(DEFAULT_SLA_HOURS)


def default_business_hours() -> dict:
    # Monday=0 ... Sunday=6; hours in the install's time zone.
    return {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}


class InstallKind(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce"
    SERVICE_CLOUD = "service_cloud", "Service Cloud"


class InstallStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    #: Salesforce REQUEST_LIMIT_EXCEEDED or the install's daily API budget is spent.
    PAUSED_LIMIT = "paused_limit", _("Paused: API limit reached")
    DISABLED = "disabled", _("Disabled")


class PollingInterval(models.IntegerChoices):
    ONE = 1, _("Every minute")
    FIVE = 5, _("Every 5 minutes")
    FIFTEEN = 15, _("Every 15 minutes")
    THIRTY = 30, _("Every 30 minutes")
    SIXTY = 60, _("Every hour")


class Install(models.Model):
    """One Salesforce (or Service Cloud) org plus the Smartsheet account it syncs with."""

    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="installs",
        verbose_name=_("team"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=InstallKind.choices, default=InstallKind.SALESFORCE)
    salesforce_login_url = models.URLField(default="https://login.salesforce.com")
    salesforce_instance_url = models.URLField(blank=True)
    salesforce_client_id = models.CharField(max_length=255, blank=True)
    salesforce_client_secret = EncryptedTextField(blank=True)
    smartsheet_api_base = models.URLField(default="https://api.smartsheet.com/2.0")
    smartsheet_authorize_url = models.URLField(default="https://app.smartsheet.com/b/authorize")
    smartsheet_client_id = models.CharField(max_length=255, blank=True)
    smartsheet_client_secret = EncryptedTextField(blank=True)
    tls_ca_bundle = models.TextField(
        blank=True, help_text=_("Optional PEM certificates trusted for both services.")
    )
    polling_interval_minutes = models.PositiveSmallIntegerField(
        choices=PollingInterval.choices, default=PollingInterval.FIFTEEN
    )
    restrict_users = models.BooleanField(
        default=False,
        help_text=_("Only users with the Salesforce (or Service Cloud) user role create workflows."),
    )
    api_budget_percent = models.PositiveSmallIntegerField(
        default=80, help_text=_("Share of the org's daily API requests this connector may use.")
    )
    status = models.CharField(max_length=20, choices=InstallStatus.choices, default=InstallStatus.ACTIVE,
        verbose_name=_("status"))
    status_message = models.TextField(blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    #: The language of what lands in the install's sheets: owned column titles, Sync
    #: Error messages, computed Service Cloud values.
    #: When (and by whom) the install was set up: a Connector or System Admin who is a
    #: Salesforce administrator connected first. Until then nobody else connects.
    salesforce_setup_at = models.DateTimeField(null=True, blank=True)
    salesforce_setup_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    language = models.CharField(
        _("sheet language"), max_length=8, choices=settings.LANGUAGES, default="en",
        help_text=_("Language of the columns and messages the connector writes into sheets."))
    # Service Cloud settings.
    sla_hours = models.JSONField(default=default_sla_hours, blank=True)
    business_hours = models.JSONField(default=default_business_hours, blank=True)
    use_business_hours = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("install")
        verbose_name_plural = _("installs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce"
    SMARTSHEET = "smartsheet", "Smartsheet"


class Connection(models.Model):
    """One user's own OAuth tokens for one service under one install (encrypted at rest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections",
        verbose_name=_("user"))
    install = models.ForeignKey(Install, on_delete=models.CASCADE, related_name="connections",
        verbose_name=_("install"))
    service = models.CharField(max_length=20, choices=Service.choices, verbose_name=_("service"))
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires"))
    #: Salesforce username or Smartsheet email, as the service reported it.
    identity = models.CharField(max_length=255, blank=True, verbose_name=_("identity"))
    identity_name = models.CharField(max_length=255, blank=True, verbose_name=_("signed in as"))
    external_user_id = models.CharField(max_length=64, blank=True)
    #: Salesforce may answer with a per-user instance URL.
    instance_url = models.URLField(blank=True, verbose_name=_("instance URL"))
    #: Set when a refresh failed for good: the user must reconnect.
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "install", "service"], name="one_connection_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()}: {self.identity or '(unknown)'}"


class RateBucket(models.Model):
    """Requests sent under one shared rate budget (a Smartsheet token, a Salesforce org)
    in one short slot of time: the database backend of :mod:`connector.budgets`, used
    when the deployment has no Redis. ``key`` is a hash, never a token."""

    key = models.CharField(max_length=120)
    #: Seconds since the epoch divided by ``connector.budgets.SLOT_SECONDS``.
    slot = models.BigIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "slot"], name="ratebucket_key_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.slot}: {self.used}"
