"""The pipeline: read → plan → apply → record, one for a run and a preview.

A run (:func:`sync_workflow`) acts as the workflow owner (their connections), counts
every call on the run, commits links and pending markers per batch, and advances
watermarks only at the end of a run whose writes all went through the apply phase. A
preview (:func:`preview`) reads and plans the same way as a first run would — everything,
from an empty state kept in memory — and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from connector.clients import CallCounter
from connector.models import Install
from connector.services import ConnectionMissing, salesforce_client_for, smartsheet_client_for
from core.times import parse_timestamp
from runs.engine.apply import Applier
from runs.engine.columns import CACHE_KEY as SHEET_CACHE_KEY
from runs.engine.columns import FormulaCells, facts_from_cache
from runs.engine.computed import prepare_computed
from runs.engine.context import RunContext
from runs.engine.failures import SyncFailed, systemic_failures
from runs.engine.mappings import resolve_mappings
from runs.engine.plan import PlanInput, plan_sync
from runs.engine.read import SalesforceReader, SheetReader, links_of, tombstones_of
from runs.engine.record import (
    advance_state,
    record_errors,
    recover_pending_creates,
    remember_columns,
)
from runs.engine.retries import read_open_items, seen_by
from runs.engine.soql import WATERMARK_OVERLAP
from runs.engine.types import Plan
from runs.engine.words import in_install_language
from runs.models import SyncState
from workflows.models import Workflow
from workflows.spec import WorkflowSpec, spec_from_workflow

COUNT_FIELDS = ("records_read", "rows_read", "rows_added", "rows_updated", "rows_moved",
                "rows_removed", "records_created", "records_updated", "unlinked",
                "conflicts_count", "errors_count")

#: Above this many records and rows read, an incremental run loads every link at once
#: rather than those touching what it read.
SCOPED_LINKS_LIMIT = 5000


@dataclass
class SyncOutcome:
    """What a run did: its counts and a summary to store in ``Run.summary``."""

    counts: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    dry_run: bool = False

    @property
    def errors(self) -> int:
        return self.counts.get("errors_count", 0)


def sync_workflow(*, run, dry_run: bool = False, full: bool | None = None, deadline=None
                  ) -> SyncOutcome:
    """Run ``run``'s workflow once. ``run`` is RUNNING; its status is not changed here.

    Raises :class:`SyncFailed` for systemic failures only; per-row problems become
    RunErrors and Sync Error cells. With ``dry_run`` nothing is written anywhere except
    the run's own counts.
    """
    workflow = (Workflow.objects.select_related("install", "owner")
                .prefetch_related("mappings", "filters", "row_groups").get(pk=run.workflow_id))
    spec = spec_from_workflow(workflow)
    install = workflow.install
    # A run that finds no rate budget before its first call is put off, not failed.
    counter = CallCounter(deferrable=not dry_run)
    try:
        salesforce = salesforce_client_for(user=workflow.owner, install=install, counter=counter)
        smartsheet = smartsheet_client_for(user=workflow.owner, install=install, counter=counter)
    except ConnectionMissing as exc:
        raise SyncFailed(_("%(reason)s (the workflow owner's connection).")
                         % {"reason": exc.message}, "auth") from exc
    state, _created = SyncState.objects.get_or_create(workflow=workflow)
    ctx = RunContext(spec=spec, salesforce=salesforce, smartsheet=smartsheet,
                     tz=install.time_zone or "UTC", instance_url=salesforce.instance_url,
                     run=run, workflow=workflow, state=state, dry_run=dry_run,
                     deadline=deadline, install_kind=install.kind)
    pipeline = Pipeline(ctx, install=install, full=full_due(state, run, full, spec),
                        counter=counter)
    try:
        # What lands in the sheet (owned column titles, Sync Error messages) is in the
        # install's language, and so are the run's stored error messages.
        with systemic_failures(spec), in_install_language(install):
            return pipeline.run()
    finally:
        pipeline.progress()


def preview(spec: WorkflowSpec, *, user, workflow=None) -> dict:
    """The summary of updates the next run of ``spec`` would make; writes nothing.

    It is the plan that run executes, counted: read and planned by the same code, in
    full — as a first run, and as the run an edit starts (an edit of what syncs makes the
    next run read everything). A saved workflow (``workflow``) previews from its links,
    tracked columns and group rows; an unsaved draft (``workflow=None``) from nothing:
    every matching record is a row to add, every unlinked row of a to-Salesforce
    workflow a record to create. Columns the run would create (the owned columns, "new
    column" mappings, a new sheet's) get stand-in ids, so the cells the run will write
    into them — a new column's back-fill — are counted, and checked, too.
    """
    install = Install.objects.get(pk=spec.install_id)
    try:
        salesforce = salesforce_client_for(user=user, install=install)
        smartsheet = smartsheet_client_for(user=user, install=install) if spec.sheet_id else None
    except ConnectionMissing as exc:
        raise SyncFailed(exc.message, "auth") from exc
    stored = (SyncState.objects.filter(workflow_id=workflow.pk).first()
              if workflow is not None and workflow.pk else None)
    # Never saved: the preview starts from where the last run left the sheet (its tracked
    # columns and group rows) and nothing else.
    state = SyncState()
    if stored is not None:
        state.group_rows = dict(stored.group_rows or {})
        state.salesforce_id_column_id = stored.salesforce_id_column_id
        state.sync_error_column_id = stored.sync_error_column_id
        state.primary_column_id = stored.primary_column_id
    ctx = RunContext(spec=spec, salesforce=salesforce, smartsheet=smartsheet,
                     tz=install.time_zone or "UTC",
                     instance_url=salesforce.instance_url if hasattr(salesforce, "instance_url")
                     else install.salesforce_instance_url,
                     workflow=workflow, state=state, dry_run=True)
    pipeline = Pipeline(ctx, install=install, full=True)
    with systemic_failures(spec):
        plan = pipeline.plan(pipeline.read())
    return {**plan.summary(details=True), "full": True}


def full_due(state, run, full: bool | None, spec=None) -> bool:
    """Whether this run reads everything: asked for, never done, the workflow's sync
    settings changed since the last full read (``spec.sync_key``), or one is due."""
    if full is not None:
        return full
    if run is not None and run.full:
        return True
    if state.last_full_sync_at is None:
        return True
    if spec is not None and state.synced_spec_key != spec.sync_key:
        return True
    hours = getattr(settings, "FULL_RECONCILE_HOURS", 24)
    return timezone.now() - state.last_full_sync_at > timedelta(hours=hours)


def salesforce_since(state) -> datetime | None:
    """The lower bound of an incremental record query (None: read everything).

    ``SystemModstamp`` is set when a transaction starts, and a record becomes visible
    when it commits: a record committed just after the previous query ran can carry a
    stamp from before it. So the window starts ``WATERMARK_OVERLAP`` before the moment
    the previous query ran, by the **server's** clock (its ``Date`` header, see
    ``SalesforceClient.server_time``) — not before the newest stamp read, which would
    re-read every record sharing that stamp at each poll, and not by this machine's
    clock, which may be skewed. Without a server time (a server that sent no ``Date``,
    or state from before this rule), the newest stamp read minus the overlap.
    """
    cursor = state.salesforce_cursor or {}
    read_at = cursor.get("server_time")
    if read_at:
        return parse_timestamp(read_at) - WATERMARK_OVERLAP
    if state.salesforce_watermark is None:
        return None
    return state.salesforce_watermark - WATERMARK_OVERLAP


def formulas_feed_salesforce(ctx: RunContext) -> bool:
    """Whether a formula (of a column, or of a cell) computes a value that flows to
    Salesforce."""
    return any(m.to_salesforce and m.column_id is not None and (
        (m.column is not None and m.column.formula) or ctx.formula_cells.in_column(m.column_id))
        for m in ctx.mappings)


class Pipeline:
    """One pass of read → plan (→ apply → record) over a :class:`RunContext`.

    ``ctx.state`` says where the last run stopped (an unsaved one for a preview);
    ``ctx.run`` None (a preview) reports no progress; ``ctx.workflow`` None (a draft)
    has no links or tombstones.
    """

    def __init__(self, ctx: RunContext, *, install, full: bool,
                 counter: CallCounter | None = None) -> None:
        self.ctx = ctx
        self.state = ctx.state
        self.install = install
        self.full = full
        self.counter = counter or CallCounter()
        self.salesforce = SalesforceReader(ctx, full=full, field_cache=ctx.state.field_cache)
        self.sheet = SheetReader(ctx)
        #: The workflow's open errors when the run began (retried by this run), and the
        #: records and rows read by id for them (see :mod:`runs.engine.retries`).
        self.open_errors: list = []
        self.checked_records: set[str] = set()
        self.checked_rows: set[int] = set()
        self.plan_inputs: PlanInput | None = None
        #: Whether links and tombstones are loaded for what was read only (an
        #: incremental run that read little) rather than all of them.
        self.scoped = False

    def progress(self, phase: str | None = None) -> None:
        """Show the run's phase, counts and calls so far (and beat its heartbeat)."""
        ctx, run = self.ctx, self.ctx.run
        if run is None:
            return
        if phase is not None:
            run.phase = phase
        for name in COUNT_FIELDS:
            setattr(run, name, ctx.counts.get(name, 0))
        run.salesforce_calls = self.counter.salesforce
        run.smartsheet_calls = self.counter.smartsheet
        usage = ctx.salesforce.api_usage() if ctx.salesforce is not None else None
        if usage:
            run.salesforce_api_usage = f"{usage[0]}/{usage[1]}"
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["phase", *COUNT_FIELDS, "salesforce_calls", "smartsheet_calls",
                                "salesforce_api_usage", "heartbeat_at"])

    def run(self) -> SyncOutcome:
        ctx = self.ctx
        started = timezone.now()
        plan = self.plan(self.read())
        summary = plan.summary()
        if ctx.dry_run:
            ctx.counts["errors_count"] = len(plan.errors)
            ctx.counts["conflicts_count"] = len(plan.conflicts)
            return SyncOutcome(counts=dict(ctx.counts), summary=summary, dry_run=True)

        self.progress("writing")
        applier = Applier(ctx, plan, rows=self.sheet.rows)
        applier.run()
        record_errors(ctx, applier.errors, plan.conflicts, open_errors=self.open_errors,
                      seen=seen_by(self, plan, applier))
        advance_state(ctx, self.salesforce, self.sheet, full=self.full, started=started)
        self.progress("done")
        summary["calls"] = self.counter.snapshot()
        summary["full"] = self.full
        return SyncOutcome(counts=dict(ctx.counts), summary=summary)

    # -- read ------------------------------------------------------------------------------
    def read(self) -> PlanInput:
        ctx, state, salesforce, sheet = self.ctx, self.state, self.salesforce, self.sheet
        self.progress("describing")
        salesforce.describe()
        if state.pending_creates and not ctx.dry_run:
            self.progress("reconciling")
            recover_pending_creates(ctx, salesforce.infos)

        self.progress("reading smartsheet")
        if ctx.spec.sheet_id:
            self.read_sheet()
        elif ctx.dry_run:
            self.plan_new_sheet()
            ctx.columns = dict(sheet.facts)
        ctx.mappings = resolve_mappings(ctx.spec, salesforce.infos, sheet.columns_by_title,
                                        ctx.columns)
        if formulas_feed_salesforce(ctx):
            # Our writes may change what those formulas compute: the next run reads the
            # rows written instead of taking the versions they answered as its own.
            ctx.sheet_writes_exact = False
        ctx.add("rows_read", len(sheet.rows))

        self.progress("reading salesforce")
        ctx.check_deadline()
        salesforce.read(since=None if self.full else salesforce_since(state),
                        on_page=self.records_read)
        ctx.field_labels = {name: info.label for name, info in salesforce.infos.items()
                            if info.label}
        self.open_errors, self.checked_records, self.checked_rows = read_open_items(self)
        ctx.counts["records_read"] = len(salesforce.records)
        self.scoped = not (self.full or sheet.full_sheet
                           or len(salesforce.records) + len(sheet.rows) > SCOPED_LINKS_LIMIT)
        if ctx.workflow is None:
            ctx.links, ctx.link_pks = [], {}
        elif not self.scoped:
            ctx.links, ctx.link_pks = links_of(ctx.workflow)
        else:
            # Indexed look-ups for what was read (and asked for by id): a poll that
            # read little loads little.
            ctx.links, ctx.link_pks = links_of(
                ctx.workflow, record_ids=[*salesforce.records, *sheet.pasted_ids(),
                                          *self.checked_records],
                row_ids=[*sheet.rows, *self.checked_rows])
        self.read_held_rows()
        salesforce.prefetch_pasted(sheet.rows)
        inp = self.plan_inputs = self.plan_input()
        prepare_computed(inp, install=self.install, run=ctx.run, workflow=ctx.workflow)
        salesforce.resolve_lookups(inp)
        return inp

    def records_read(self, count: int) -> None:
        self.ctx.counts["records_read"] = count
        self.progress()

    def read_sheet(self) -> None:
        ctx, state, sheet = self.ctx, self.state, self.sheet
        known = self.known_columns()
        since = None if self.full or state.sheet_watermark is None else state.sheet_watermark
        exact = bool(state.sheet_watermark_exact)
        if state.pending_adds:
            oldest = min(parse_timestamp(t) for t in state.pending_adds.values())
            since = None if since is None else min(since, oldest)
            exact = False
        sheet.object_values = any(i.type == "multipicklist"
                                  for i in self.salesforce.infos.values())
        sheet.read(sheet_version=state.sheet_version, since=since,
                   force=self.full or known is None or bool(state.pending_adds),
                   known_columns=known, exact=exact)
        ctx.sheet_version_chain = sheet.sheet_version
        if sheet.columns:
            created = sheet.owned_columns(
                create=not ctx.dry_run, infos=self.salesforce.infos,
                tracked=(state.salesforce_id_column_id, state.sync_error_column_id),
                install_kind=ctx.install_kind)
            if created:
                ctx.wrote(versions=[ctx.smartsheet.last_write_version])
            remember_columns(ctx, sheet.columns_by_title)
        else:
            ctx.id_column_id = state.salesforce_id_column_id
            ctx.error_column_id = state.sync_error_column_id
            ctx.primary_column_id = state.primary_column_id
        # The columns cannot have changed when the sheet's version did not: what the
        # last read saw is still true.
        cached = (state.field_cache or {}).get(SHEET_CACHE_KEY) or {}
        ctx.columns = sheet.facts or facts_from_cache(cached.get("columns"))
        ctx.formula_cells = FormulaCells(cached.get("formula_cells"))
        mapped = frozenset(m.column_id or sheet.columns_by_title.get(m.column_title)
                           for m in ctx.spec.mappings) - {None}
        ctx.formula_cells.learn(sheet.rows.values(), full=sheet.full_sheet, columns=mapped)

    def plan_new_sheet(self) -> None:
        """A preview of a draft that creates its sheet: stand-ins for every column the
        sheet will have (a primary column, the owned columns, every mapping's)."""
        sheet, ctx = self.sheet, self.ctx
        sheet.plan_columns([{"title": "", "type": "TEXT_NUMBER", "primary": True}])
        ctx.primary_column_id = sheet.columns[0]["id"]
        sheet.owned_columns(create=False, infos=self.salesforce.infos, tracked=(None, None),
                            install_kind=ctx.install_kind)

    def known_columns(self) -> list[int] | None:
        """The column ids to read, or None when every column must be read to find them."""
        state, spec = self.state, self.ctx.spec
        ids = [state.salesforce_id_column_id, state.sync_error_column_id,
               state.primary_column_id]
        ids += [m.column_id for m in spec.mappings]
        ids += [f.column_id for f in spec.smartsheet_filters]
        if any(i is None for i in ids):
            return None
        return sorted(set(ids))

    def read_held_rows(self) -> None:
        """With Smartsheet filters on a two-way workflow, a row may hold an edit the filter
        keeps back ("Update in Salesforce" unchecked) that this incremental read did not
        return (the row did not change since). When its record changed in Salesforce,
        read the row so the planner compares against what the sheet really holds, rather
        than overwrite the waiting edit. One call, only when such records changed."""
        spec, records, rows = self.ctx.spec, self.salesforce.records, self.sheet.rows
        if (self.full or self.sheet.full_sheet or not spec.smartsheet_filters
                or spec.direction != "bidirectional" or not records):
            return
        missing = [link.row_id for link in self.ctx.links
                   if link.record_id in records and link.row_id not in rows]
        if missing:
            self.sheet.read_rows_by_id(missing, known_columns=self.known_columns())

    def plan_input(self) -> PlanInput:
        ctx, spec, salesforce, sheet = self.ctx, self.ctx.spec, self.salesforce, self.sheet
        if ctx.workflow is None:
            tomb_records, tomb_rows, left_rows = set(), set(), set()
        elif self.scoped:  # those of what was read, as the links
            tomb_records, tomb_rows, left_rows = tombstones_of(
                ctx.workflow, record_ids=salesforce.records, row_ids=sheet.rows)
        else:
            tomb_records, tomb_rows, left_rows = tombstones_of(ctx.workflow)
        sheet_filters = [(f.column_id or sheet.columns_by_title.get(f.field), f.operator,
                          f.value) for f in spec.smartsheet_filters]
        group_infos = {g.field: salesforce.infos[g.field] for g in spec.row_groups
                       if g.field in salesforce.infos}
        return PlanInput(
            spec=spec, mappings=ctx.mappings, records=salesforce.records, rows=sheet.rows,
            links=ctx.links, id_column_id=ctx.id_column_id,
            error_column_id=ctx.error_column_id, primary_column_id=ctx.primary_column_id,
            key_prefix=ctx.key_prefix, tz=ctx.tz, full_salesforce=self.full,
            full_sheet=sheet.full_sheet, checked_records=frozenset(self.checked_records),
            checked_rows=frozenset(self.checked_rows),
            tombstoned_records=frozenset(tomb_records),
            tombstoned_rows=frozenset(tomb_rows), left_filter_rows=frozenset(left_rows),
            group_rows=dict(self.state.group_rows or {}), group_infos=group_infos,
            sheet_filters=sheet_filters, formula_cells=ctx.formula_cells,
            required_fields=salesforce.required if spec.direction != "to_smartsheet" else {})

    # -- plan ------------------------------------------------------------------------------
    def plan(self, inp: PlanInput) -> Plan:
        self.progress("planning")
        plan = plan_sync(inp)
        if plan.group_adds and not self.sheet.full_sheet:
            # The group rows wanted may exist in rows this incremental run did not read
            # (made by a person, or before): read the primary column once and plan again.
            # Only then, so a quiet poll keeps its two calls.
            inp.sheet_primary_rows = self.sheet.read_primary_rows()
            if inp.sheet_primary_rows:
                plan = plan_sync(inp)
        return plan
