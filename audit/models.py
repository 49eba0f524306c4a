"""The audit log: one row per change, written by the services that make changes.

``audit`` sits right after ``core``: it imports no app, so every domain service can
record through it. It therefore knows its targets only by kind, id and label, and its
team by id — an entry outlives what it describes (a deleted workflow, a departed user).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    INSTALL_CREATE = "install.create", _("Install created")
    INSTALL_UPDATE = "install.update", _("Install changed")
    INSTALL_PAUSE = "install.pause", _("Install paused")
    INSTALL_RESUME = "install.resume", _("Install resumed")
    USER_ROLES = "user.roles", _("Roles or licence changed")
    USER_DEACTIVATE = "user.deactivate", _("Person deactivated")
    USER_REACTIVATE = "user.reactivate", _("Person reactivated")
    WORKFLOW_CREATE = "workflow.create", _("Workflow created")
    WORKFLOW_UPDATE = "workflow.update", _("Workflow changed")
    WORKFLOW_ENABLE = "workflow.enable", _("Workflow enabled")
    WORKFLOW_DISABLE = "workflow.disable", _("Workflow disabled")
    WORKFLOW_DELETE = "workflow.delete", _("Workflow deleted")
    WORKFLOW_TRANSFER = "workflow.transfer", _("Workflow transferred")
    CONNECTION_CONNECT = "connection.connect", _("Connected")
    CONNECTION_DISCONNECT = "connection.disconnect", _("Disconnected")


class AuditTarget(models.TextChoices):
    INSTALL = "install", _("Install")
    USER = "user", _("Person")
    WORKFLOW = "workflow", _("Workflow")
    CONNECTION = "connection", _("Connection")


class AuditEntry(models.Model):
    """One change: who (``actor``), in which team, what (``action`` on a target), the
    values before and after (plain JSON; secrets only ever as "changed"), and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("who"))
    #: The actor's name when it happened (kept when the account is deleted).
    actor_name = models.CharField(_("who (name)"), max_length=255, blank=True)
    #: The team the target belongs to (a plain id: see the module docstring).
    team_id = models.BigIntegerField(_("team"), null=True, blank=True, db_index=True)
    action = models.CharField(_("what"), max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(_("kind"), max_length=20, choices=AuditTarget.choices)
    target_id = models.BigIntegerField(_("target id"), null=True, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["team_id", "-at"], name="audit_team_newest"),
                   models.Index(fields=["target_type", "target_id"], name="audit_target")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_label} ({self.actor_name or '—'})"
