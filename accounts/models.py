"""Users, teams and roles.

Roles follow the product: a *System Admin* manages the users of the team and sees (and
can disable) every workflow of the team; a *Connector Admin* creates and configures
installs; per-user flags *licensed*, *Salesforce user* and *Service Cloud user* gate who
may create workflows. A Django superuser counts as both admins with every flag.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """The set of people whose workflows a System Admin sees and controls."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
        verbose_name=_("team"),
    )
    system_admin = models.BooleanField(
        _("System Admin"), default=False,
        help_text=_("Manages the team's users and sees and controls every team member's workflows."),
    )
    connector_admin = models.BooleanField(
        _("Connector Admin"), default=False, help_text=_("Creates and configures installs.")
    )
    licensed = models.BooleanField(_("Licensed"), default=False)
    salesforce_user = models.BooleanField(
        _("Salesforce user"), default=False,
        help_text=_("Required to create Salesforce workflows when an install restricts users."),
    )
    service_cloud_user = models.BooleanField(
        _("Service Cloud user"), default=False,
        help_text=_("Required to create Service Cloud workflows when an install restricts users."),
    )

    #: The interface language this person chose ("" = the browser's).
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Pages and emails in this language; empty: the browser's language."))

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]

    # The superuser counts as every role: these properties are what the code checks.
    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.system_admin

    @property
    def is_connector_admin(self) -> bool:
        return self.is_superuser or self.connector_admin

    @property
    def is_licensed(self) -> bool:
        return self.is_superuser or self.licensed

    @property
    def is_salesforce_user(self) -> bool:
        return self.is_superuser or self.salesforce_user

    @property
    def is_service_cloud_user(self) -> bool:
        return self.is_superuser or self.service_cloud_user

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # A new password or a deactivation ends every API token (sessions already end
        # with the password: Django checks the session's password hash).
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            ApiToken.objects.filter(user_id=self.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now())


class ApiToken(models.Model):
    """A REST API token. Only the SHA-256 digest of the key is stored: a copy of the
    database gives nobody access. The key is shown once, when it is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
        verbose_name=_("user"))
    name = models.CharField(max_length=100, blank=True, verbose_name=_("name"))
    #: The key's first characters, to tell tokens apart in lists.
    prefix = models.CharField(max_length=16, verbose_name=_("prefix"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
