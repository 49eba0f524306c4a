"""Runs, their errors and conflicts, links between records and rows, and sync state.

A run's status is an explicit state machine::

    queued → running → succeeded | partial | failed | cancelled
    queued → cancelled

Transitions are conditional updates (see ``runs.services``) that check one row changed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    #: The run went through but left open errors (see :class:`OpenError`).
    PARTIAL = "partial", _("Succeeded with errors")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED)

#: Allowed transitions of the state machine. RUNNING → QUEUED is a deferral: a run whose
#: first call found no shared rate budget gives its claim back, having sent nothing, and
#: waits for ``Run.deferred_until`` (see ``runs.services.deferral``).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RunStatus.QUEUED: (RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED),
    RunStatus.RUNNING: (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.CANCELLED,
                        RunStatus.QUEUED),
}


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Run now")
    API = "api", _("API")
    CREATED = "created", _("Workflow saved")
    WEBHOOK = "webhook", _("Smartsheet change")
    EVENT = "event", _("Salesforce change")
    COMMAND = "command", _("Command line")
    FOLLOW_UP = "follow_up", _("Follow-up (requested while running)")


#: What a page calls each phase of a running sync (``Run.phase`` holds the code).
RUN_PHASES = {
    "describing": _("describing"), "reconciling": _("reconciling"),
    "reading smartsheet": _("reading smartsheet"), "reading salesforce": _("reading salesforce"),
    "planning": _("planning"), "writing": _("writing"), "done": _("done"),
}


def run_phase_label(phase: str) -> str:
    """``phase`` in the active language (an unknown one as it is)."""
    return str(RUN_PHASES.get(phase, phase))


class Run(models.Model):
    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE,
                                 related_name="runs", verbose_name=_("workflow"))
    trigger = models.CharField(max_length=20, choices=RunTrigger.choices, verbose_name=_("trigger"))
    status = models.CharField(max_length=20, choices=RunStatus.choices,
                              default=RunStatus.QUEUED, verbose_name=_("status"))
    #: Where a running sync is now ("reading salesforce", "writing smartsheet"...).
    phase = models.CharField(max_length=60, blank=True)
    full = models.BooleanField(default=False, help_text=_("Full reconciliation."))
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Moved by the worker while it runs; a stale heartbeat means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    #: A QUEUED run put off for lack of rate budget: the tick dispatches it after this.
    deferred_until = models.DateTimeField(null=True, blank=True)
    #: How many times the run was put off (kept after it ran, to see budgets at work).
    deferrals = models.PositiveIntegerField(default=0)
    # Counts.
    records_read = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_moved = models.PositiveIntegerField(default=0)
    rows_removed = models.PositiveIntegerField(default=0)
    records_created = models.PositiveIntegerField(default=0)
    records_updated = models.PositiveIntegerField(default=0)
    unlinked = models.PositiveIntegerField(default=0)
    conflicts_count = models.PositiveIntegerField(default=0)
    errors_count = models.PositiveIntegerField(default=0)
    # API calls made by this run, per service, and Salesforce's reported usage after it.
    salesforce_calls = models.PositiveIntegerField(default=0)
    smartsheet_calls = models.PositiveIntegerField(default=0)
    salesforce_api_usage = models.CharField(max_length=40, blank=True)
    #: For a failed run: what went wrong and what the user can do about it.
    message = models.TextField(blank=True, verbose_name=_("message"))
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["workflow", "-queued_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        """The run's title: "Pipeline — run #9, 5 Dec 00:48, succeeded with errors"."""
        when = (date_format(timezone.localtime(self.queued_at), "j M H:i")
                if self.queued_at else "—")
        status = str(self.get_status_display())
        return gettext("%(workflow)s — run #%(number)s, %(when)s, %(status)s") % {
            "workflow": self.workflow.name, "number": self.pk, "when": when,
            "status": status[:1].lower() + status[1:]}

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def records_synced(self) -> int:
        """What the history calls "records synced": every row or record written."""
        return (self.rows_added + self.rows_updated + self.rows_moved + self.records_created
                + self.records_updated)


class ErrorItem(models.Model):
    """What an error is about, named so a person can find it: the sheet row (number,
    primary-column value, link), the record (name, link), the column and the field by
    label — captured from what the run read, never with a call of its own."""

    row_id = models.BigIntegerField(null=True, blank=True)
    row_number = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("row"))
    primary_value = models.CharField(max_length=255, blank=True)
    row_url = models.CharField(max_length=500, blank=True)
    record_id = models.CharField(max_length=18, blank=True, verbose_name=_("record ID"))
    record_name = models.CharField(max_length=255, blank=True)
    record_url = models.CharField(max_length=500, blank=True)
    #: The sheet column's title and the Salesforce field's label (or API names).
    column = models.CharField(max_length=255, blank=True)
    field = models.CharField(max_length=255, blank=True, verbose_name=_("field"))
    #: What the error is about, in the engine's words (``picklist``, ``required``...:
    #: the clients' item kinds, and the planner's own such as ``conversion``, ``lookup``).
    kind = models.CharField(max_length=40, blank=True)
    #: Written in the install's language, as in the Sync Error cell.
    message = models.TextField(verbose_name=_("message"))
    #: The service's own error code, to show (never to decide on).
    code = models.CharField(max_length=80, blank=True)
    #: The person whose edit caused the error (cell history, or LastModifiedById).
    culprit = models.CharField(max_length=255, blank=True, verbose_name=_("changed by"))
    culprit_email = models.EmailField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.message


class RunError(ErrorItem):
    """One error of one run (the per-run history; :class:`OpenError` is its state)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="errors")
    #: The open error this is an occurrence of (None: not about a row or record).
    open_error = models.ForeignKey("OpenError", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="occurrences")
    #: True when the same error (item, field and message) was already open before this
    #: run: not news, so not mailed again.
    repeat = models.BooleanField(default=False)
    #: Same error on a later run → same fingerprint.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Resolution(models.TextChoices):
    SYNCED = "synced", _("Synced")
    NO_LONGER_SYNCED = "no_longer_synced", _("No longer synced")


class OpenError(ErrorItem):
    """An error of a workflow's row or record (and field) that stays open until that item
    syncs cleanly — or leaves the workflow's scope (row or record deleted, record out of
    the filter): closed then, kept with the run that closed it and how.

    Every run retries every item with an open error, changed or not (an incremental run
    reads them by id); ``key`` (item and field) is unique among a workflow's open errors.
    """

    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE,
                                 related_name="open_errors")
    key = models.CharField(max_length=300)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    #: Runs that met this error (the first included).
    runs = models.PositiveIntegerField(default=1)
    first_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="opened_errors")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="resolved_errors")
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "key"],
                                    condition=models.Q(resolved_at__isnull=True),
                                    name="one_open_error_per_item_and_field"),
        ]
        indexes = [models.Index(fields=["workflow", "resolved_at"])]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Side(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce"
    SMARTSHEET = "smartsheet", "Smartsheet"


class Conflict(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="conflicts")
    record_id = models.CharField(max_length=18, blank=True, verbose_name=_("record ID"))
    row_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=255, verbose_name=_("field"))
    salesforce_value = models.JSONField(null=True, blank=True)
    smartsheet_value = models.JSONField(null=True, blank=True)
    winner = models.CharField(max_length=20, choices=Side.choices, verbose_name=_("winner"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return gettext("Conflict on %(field)s (%(winner)s won)") % {
            "field": self.field, "winner": self.get_winner_display()}

    @property
    def losing_value(self):
        return self.smartsheet_value if self.winner == Side.SALESFORCE else self.salesforce_value


class Link(models.Model):
    """The durable pairing of a record and a row, with the values last synced."""

    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE,
                                 related_name="links", verbose_name=_("workflow"))
    record_id = models.CharField(max_length=18, verbose_name=_("record ID"))
    row_id = models.BigIntegerField(verbose_name=_("row ID"))
    #: Mapping key → value last synced (the common ancestor of the three-way comparison).
    snapshot = models.JSONField(default=dict)
    #: SystemModstamp of the record and modifiedAt of the row when last synced.
    record_stamp = models.DateTimeField(null=True, blank=True, verbose_name=_("record modified"))
    row_modified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("row modified"))
    #: The parent (group) row the row sits under, if grouped.
    parent_row_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("parent row ID"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "record_id"], name="one_row_per_record"),
            models.UniqueConstraint(fields=["workflow", "row_id"], name="one_record_per_row"),
        ]
        indexes = [models.Index(fields=["record_id"]), models.Index(fields=["row_id"])]

    def __str__(self) -> str:
        return gettext("%(record)s ⇄ row %(row)s") % {"record": self.record_id, "row": self.row_id}


class Tombstone(models.Model):
    """A record or row that was unlinked on purpose and must not be re-synced.

    A row deleted from the sheet unlinks its record; the tombstone stops the next run
    from adding the record back (see README, "Deletes").
    """

    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE, related_name="tombstones")
    record_id = models.CharField(max_length=18, blank=True)
    row_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["workflow", "record_id"]),
                   models.Index(fields=["workflow", "row_id"])]

    def __str__(self) -> str:
        return gettext("Tombstone %(item)s (%(reason)s)") % {
            "item": self.record_id or self.row_id, "reason": self.reason}


class SyncState(models.Model):
    """Per-workflow engine and scheduler state (one row per workflow).

    The ``running_run`` column is the claim: a conditional update from null to a run id
    is the only way a run starts, so one workflow never runs twice at once.
    """

    workflow = models.OneToOneField(
        "workflows.Workflow", on_delete=models.CASCADE, related_name="sync_state"
    )
    # Engine state.
    salesforce_watermark = models.DateTimeField(null=True, blank=True)
    sheet_version = models.BigIntegerField(null=True, blank=True)
    sheet_watermark = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    salesforce_id_column_id = models.BigIntegerField(null=True, blank=True)
    sync_error_column_id = models.BigIntegerField(null=True, blank=True)
    #: Group path (JSON list of values, joined) → parent row id.
    group_rows = models.JSONField(default=dict, blank=True)
    #: Salesforce creates in flight: written before the create call, cleared after the
    #: ids are linked. A run that finds entries here reconciles them before creating.
    pending_creates = models.JSONField(default=dict, blank=True)
    #: Rows being added for records (record id → when): a rerun finds them by their
    #: Salesforce ID cell before adding again.
    pending_adds = models.JSONField(default=dict, blank=True)
    #: The sheet's primary column (group rows carry their value there).
    primary_column_id = models.BigIntegerField(null=True, blank=True)
    #: The describe facts the engine needs, cached so a poll costs no describe call;
    #: refreshed on every full reconciliation and whenever the mappings change.
    field_cache = models.JSONField(default=dict, blank=True)
    #: ``{"server_time": Salesforce's clock (its Date header) when the last successful
    #: read began}``: the next read starts a safety overlap before it, so a record
    #: committed late with an older SystemModstamp is never missed.
    salesforce_cursor = models.JSONField(default=dict, blank=True)
    #: ``WorkflowSpec.sync_key`` of the settings the last full read synced: other
    #: settings (a new mapping, a wider filter) make the next run read everything.
    synced_spec_key = models.CharField(max_length=64, blank=True)
    #: True when ``sheet_watermark`` is exact: the last run's own writes were the sheet's
    #: only changes after its read (an unbroken version chain), so the next read needs
    #: no overlap before it (a large write does not come back as changes).
    sheet_watermark_exact = models.BooleanField(default=False)
    #: The sheet's permalink, as last read: errors link to their row with it.
    sheet_url = models.CharField(max_length=500, blank=True)
    # Scheduler state.
    running_run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rerun_requested = models.BooleanField(default=False)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return gettext("Sync state of workflow %(id)s") % {"id": self.workflow_id}


# Real-time sync models (webhooks, stream cursors, debounce): see runs/realtime/; heartbeats
# and run tallies (/readyz, /metrics): see runs/telemetry.py.
from runs.realtime.models import RealtimeSignal, StreamCursor, WebhookSubscription  # noqa: E402,F401
from runs.telemetry import (  # noqa: E402,F401
    DURATION_BUCKETS,
    BeatingService,
    RunTally,
    ServiceHeartbeat,
)
