"""State of real-time sync: webhook subscriptions, stream cursors, debounce signals.

Imported by ``runs/models.py`` (one line at its end) so Django sees these models as part
of the ``runs`` app and its migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField


class WebhookStatus(models.TextChoices):
    """Smartsheet's webhook statuses, plus ``removing`` (the workflow is gone and the
    webhook is still to be deleted)."""

    ENABLED = "ENABLED", _("Enabled")
    NEW_NOT_VERIFIED = "NEW_NOT_VERIFIED", _("Not verified yet")
    DISABLED_BY_OWNER = "DISABLED_BY_OWNER", _("Disabled by its owner")
    DISABLED_CALLBACK_FAILED = "DISABLED_CALLBACK_FAILED", _("Disabled: callbacks failed")
    DISABLED_SCOPE_INACCESSIBLE = "DISABLED_SCOPE_INACCESSIBLE", _("Disabled: sheet inaccessible")
    DISABLED_VERIFICATION_FAILED = "DISABLED_VERIFICATION_FAILED", _("Disabled: verification failed")
    DISABLED_APP_REVOKED = "DISABLED_APP_REVOKED", _("Disabled: access revoked")
    DISABLED_ADMINISTRATIVE = "DISABLED_ADMINISTRATIVE", _("Disabled by Smartsheet")
    REMOVING = "removing", _("To be removed")


class WebhookSubscription(models.Model):
    """The Smartsheet webhook that reports changes to one workflow's sheet.

    ``workflow`` becomes NULL when the workflow is deleted: the row stays (with the
    owner, install and webhook id) until the webhook is deleted on Smartsheet too.
    """

    workflow = models.OneToOneField(
        "workflows.Workflow", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="webhook_subscription",
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    install = models.ForeignKey("connector.Install", on_delete=models.CASCADE, related_name="+")
    sheet_id = models.BigIntegerField()
    webhook_id = models.BigIntegerField(null=True, blank=True)
    #: Smartsheet's ``sharedSecret``: the HMAC key of every callback (encrypted at rest).
    shared_secret = EncryptedTextField(blank=True)
    callback_url = models.URLField(max_length=500)
    status = models.CharField(max_length=40, choices=WebhookStatus.choices,
                              default=WebhookStatus.NEW_NOT_VERIFIED)
    #: What went wrong last (shown to admins), never a secret.
    message = models.TextField(blank=True)
    last_callback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return gettext("Webhook %(webhook)s on sheet %(sheet)s (%(status)s)") % {
            "webhook": self.webhook_id, "sheet": self.sheet_id,
            "status": self.get_status_display()}


class StreamCursor(models.Model):
    """The replay id of the last Salesforce change event handled, per install and
    channel: the listener resumes after it when it restarts."""

    install = models.ForeignKey("connector.Install", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=200)
    replay_id = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["install", "channel"], name="one_cursor_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel} @ {self.replay_id}"


class RealtimeSignal(models.Model):
    """Debounce state of one workflow: a change was reported and a run is owed.

    ``armed`` is the one pending debounce task for the workflow (a conditional update
    from False to True arms it, so a burst enqueues one task); the task requests the
    run once no change came for the quiet period, or when the maximum wait is up.
    """

    workflow = models.OneToOneField("workflows.Workflow", on_delete=models.CASCADE,
                                    related_name="realtime_signal")
    armed = models.BooleanField(default=False)
    armed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, blank=True)
    #: Changes reported since the signal was armed (shown on the run log line).
    pending_events = models.PositiveIntegerField(default=0)
    fired_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return (gettext("Signal of workflow %(id)s (armed)") if self.armed
                else gettext("Signal of workflow %(id)s (idle)")) % {"id": self.workflow_id}
