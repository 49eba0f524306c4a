"""``sync_workflow``: one run of a saved workflow, start to end."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from connector.clients import CallCounter, ClientError
from runs.engine.apply import Applier
from runs.engine.computed import prepare_computed
from runs.engine.context import RunContext, SyncFailed
from runs.engine.execute import (
    Reader,
    _stamp,
    failure_from,
    filter_failure,
    full_due,
    links_of,
    reconcile_pending_creates,
    tombstones_of,
)
from runs.engine.mappings import ConfigurationError, resolve_mappings
from runs.engine.plan import plan_sync
from runs.engine.soql import WATERMARK_OVERLAP, FilterError
from runs.engine.types import Plan, RowError

#: Cell history costs 10 rate-limit units per call: ask for a few culprits per run only.
MAX_CELL_HISTORY_CALLS = 10

#: What the engine writes on SyncState at the end of a run (never the scheduler's fields).
ENGINE_STATE_FIELDS = ["salesforce_watermark", "salesforce_cursor", "sheet_version",
                       "sheet_watermark", "last_full_sync_at", "synced_spec_key", "field_cache",
                       "group_rows",
                       "pending_adds", "pending_creates", "salesforce_id_column_id",
                       "sync_error_column_id", "primary_column_id", "updated_at"]

COUNT_FIELDS = ("records_read", "rows_read", "rows_added", "rows_updated", "rows_moved",
                "rows_removed", "records_created", "records_updated", "unlinked",
                "conflicts_count", "errors_count")


@dataclass
class SyncOutcome:
    """What a run did: its counts and a summary to store in ``Run.summary``."""

    counts: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    dry_run: bool = False

    @property
    def errors(self) -> int:
        return self.counts.get("errors_count", 0)


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
        return datetime.fromisoformat(read_at) - WATERMARK_OVERLAP
    if state.salesforce_watermark is None:
        return None
    return state.salesforce_watermark - WATERMARK_OVERLAP


def _progress(ctx: RunContext, counter: CallCounter, phase: str | None = None) -> None:
    run = ctx.run
    if phase is not None:
        run.phase = phase
    for name in COUNT_FIELDS:
        setattr(run, name, ctx.counts.get(name, 0))
    run.salesforce_calls = counter.salesforce
    run.smartsheet_calls = counter.smartsheet
    usage = ctx.salesforce.api_usage() if ctx.salesforce is not None else None
    if usage:
        run.salesforce_api_usage = f"{usage[0]}/{usage[1]}"
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["phase", *COUNT_FIELDS, "salesforce_calls", "smartsheet_calls",
                            "salesforce_api_usage", "heartbeat_at"])


def sync_workflow(*, run, dry_run: bool = False, full: bool | None = None, deadline=None
                  ) -> SyncOutcome:
    """Run ``run``'s workflow once. ``run`` is RUNNING; its status is not changed here.

    Raises :class:`SyncFailed` for systemic failures only; per-row problems become
    RunErrors and Sync Error cells. With ``dry_run`` nothing is written anywhere except
    the run's own counts.
    """
    from connector.services import ConnectionMissing, salesforce_client_for, smartsheet_client_for
    from runs.models import SyncState
    from workflows.models import Workflow
    from workflows.spec import spec_from_workflow

    workflow = (Workflow.objects.select_related("install", "owner")
                .prefetch_related("mappings", "filters", "row_groups").get(pk=run.workflow_id))
    spec = spec_from_workflow(workflow)
    install = workflow.install
    counter = CallCounter()
    try:
        salesforce = salesforce_client_for(user=workflow.owner, install=install, counter=counter)
        smartsheet = smartsheet_client_for(user=workflow.owner, install=install, counter=counter)
    except ConnectionMissing as exc:
        raise SyncFailed(f"{exc.message} (the workflow owner's connection).", "auth") from exc
    state, _ = SyncState.objects.get_or_create(workflow=workflow)
    ctx = RunContext(spec=spec, salesforce=salesforce, smartsheet=smartsheet,
                     tz=install.time_zone or "UTC", instance_url=salesforce.instance_url,
                     run=run, workflow=workflow, state=state, dry_run=dry_run,
                     deadline=deadline)
    try:
        return _Sync(ctx, counter, full_due(state, run, full, spec)).run()
    except ConfigurationError as exc:
        raise SyncFailed(str(exc), "config") from exc
    except FilterError as exc:
        raise filter_failure(exc) from exc
    except ClientError as exc:
        raise failure_from(exc, spec=spec) from exc
    finally:
        _progress(ctx, counter)


class _Sync:
    def __init__(self, ctx: RunContext, counter: CallCounter, full: bool) -> None:
        self.ctx = ctx
        self.counter = counter
        self.full = full
        self.state = ctx.state

    def run(self) -> SyncOutcome:
        ctx, state = self.ctx, self.state
        from connector.services import connection_get
        from runs.models import Link

        started = timezone.now()
        _progress(ctx, self.counter, "describing")
        reader = Reader(ctx, full=self.full, field_cache=state.field_cache, state=state)
        reader.describe()

        if state.pending_creates and not ctx.dry_run:
            _progress(ctx, self.counter, "reconciling")
            owner_id = connection_get(user=ctx.workflow.owner, install=ctx.workflow.install,
                                      service="salesforce").external_user_id
            owner_id = owner_id or ctx.salesforce.identity()["user_id"]
            links = reconcile_pending_creates(ctx, reader.infos, owner_id)
            Link.objects.bulk_create(links)
            state.pending_creates = {}
            state.save(update_fields=["pending_creates", "updated_at"])

        _progress(ctx, self.counter, "reading smartsheet")
        known = self.known_columns()
        since = None if self.full or state.sheet_watermark is None else state.sheet_watermark
        if state.pending_adds:
            oldest = min(_stamp(t) for t in state.pending_adds.values())
            since = None if since is None else min(since, oldest)
        reader.read_sheet(sheet_version=state.sheet_version, since=since,
                          force=self.full or known is None or bool(state.pending_adds),
                          known_columns=known)
        ctx.sheet_version_chain = reader.sheet_version
        if reader.columns:
            created = reader.owned_columns(
                create=not ctx.dry_run,
                tracked=(state.salesforce_id_column_id, state.sync_error_column_id))
            if created:
                ctx.wrote(versions=[ctx.smartsheet.last_write_version])
            self.remember_columns(reader)
        else:
            ctx.id_column_id = state.salesforce_id_column_id
            ctx.error_column_id = state.sync_error_column_id
            ctx.primary_column_id = state.primary_column_id
        ctx.mappings = resolve_mappings(ctx.spec, reader.infos, reader.columns_by_title)
        ctx.add("rows_read", len(reader.rows))

        _progress(ctx, self.counter, "reading salesforce")
        ctx.check_deadline()
        since = None if self.full else salesforce_since(state)
        reader.read_salesforce(
            since=since,
            on_page=lambda n: (ctx.counts.__setitem__("records_read", n),
                               _progress(ctx, self.counter)))
        ctx.counts["records_read"] = len(reader.records)
        if self.full or reader.full_sheet or len(reader.records) + len(reader.rows) > 5000:
            ctx.links, ctx.link_pks = links_of(ctx.workflow)
        else:
            ctx.links, ctx.link_pks = links_of(
                ctx.workflow, record_ids=[*reader.records, *reader.pasted_ids()],
                row_ids=list(reader.rows))
        self.read_held_rows(reader)
        reader.prefetch_pasted()
        tomb_records, tomb_rows, left_rows = tombstones_of(ctx.workflow)
        inp = reader.plan_input(tombstoned_records=tomb_records, tombstoned_rows=tomb_rows,
                                group_rows=state.group_rows, left_filter_rows=left_rows)
        prepare_computed(inp, install=ctx.workflow.install, run=ctx.run, workflow=ctx.workflow)
        reader.resolve_lookups(inp)

        _progress(ctx, self.counter, "planning")
        plan = plan_sync(inp)
        if plan.group_adds and not reader.full_sheet:
            # The group rows wanted may exist in rows this incremental run did not read
            # (made by a person, or before): read the primary column once and plan again.
            # Only then, so a quiet poll keeps its two calls.
            inp.sheet_primary_rows = reader.read_primary_rows()
            if inp.sheet_primary_rows:
                plan = plan_sync(inp)
        summary = plan.summary()
        if ctx.dry_run:
            ctx.counts["errors_count"] = len(plan.errors)
            ctx.counts["conflicts_count"] = len(plan.conflicts)
            return SyncOutcome(counts=dict(ctx.counts), summary=summary, dry_run=True)

        _progress(ctx, self.counter, "writing")
        applier = Applier(ctx, plan)
        applier.run()
        self.record(applier, plan)
        state.pending_adds = {}
        self.advance_cursor(reader)
        newest_row = reader.sheet_newest
        if reader.sheet_version is not None:
            state.sheet_version = reader.sheet_version
            if (ctx.wrote_sheet and ctx.sheet_writes_exact
                    and ctx.sheet_version_chain is not None):
                # Every write answered with the version one past the previous one: nobody
                # else wrote between our read and our last write, so the next poll need
                # not re-read what we wrote. (A write by someone after our last one moves
                # the version past this and is read then.) No extra call to learn it.
                state.sheet_version = ctx.sheet_version_chain
                if ctx.sheet_written_newest and (
                        newest_row is None or ctx.sheet_written_newest > newest_row):
                    newest_row = ctx.sheet_written_newest
        if newest_row:
            newest = _stamp(newest_row)
            if state.sheet_watermark is None or newest > state.sheet_watermark:
                state.sheet_watermark = newest
        if reader.cache_changed:
            state.field_cache = reader.field_cache
        if self.full:
            state.last_full_sync_at = started
            # What this full read synced; a run with other settings reads everything.
            state.synced_spec_key = ctx.spec.sync_key
        # Only the engine's own fields: the scheduler owns running_run, rerun_requested,
        # last_run_at and next_due_at and may change them while this run works.
        state.save(update_fields=ENGINE_STATE_FIELDS)
        _progress(ctx, self.counter, "done")
        summary["calls"] = self.counter.snapshot()
        summary["full"] = self.full
        return SyncOutcome(counts=dict(ctx.counts), summary=summary)

    def advance_cursor(self, reader: Reader) -> None:
        """Move the Salesforce window after a committed run (see :func:`salesforce_since`).

        With the server's time of this run's query known, the next query starts from
        it (minus the overlap); the newest SystemModstamp read is kept as the watermark
        either way, and is the fallback base when a server sends no ``Date``.
        """
        state = self.state
        newest = reader.records_newest
        if newest is not None:
            stamp = _stamp(newest[0])
            if state.salesforce_watermark is None or stamp > state.salesforce_watermark:
                state.salesforce_watermark = stamp
        read_at = reader.read_server_time
        state.salesforce_cursor = ({"server_time": read_at.isoformat()}
                                   if read_at is not None else {})

    def read_held_rows(self, reader: Reader) -> None:
        """With Smartsheet filters on a two-way workflow, a row may hold an edit the filter
        keeps back ("Update in Salesforce" unchecked) that this incremental read did not
        return (the row did not change since). When its record changed in Salesforce,
        read the row so the planner compares against what the sheet really holds, rather
        than overwrite the waiting edit. One call, only when such records changed."""
        spec = self.ctx.spec
        if (self.full or reader.full_sheet or not spec.smartsheet_filters
                or spec.direction != "bidirectional" or not reader.records):
            return
        missing = [link.row_id for link in self.ctx.links
                   if link.record_id in reader.records and link.row_id not in reader.rows]
        if missing:
            reader.read_rows_by_id(missing, known_columns=self.known_columns())

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

    def remember_columns(self, reader: Reader) -> None:
        """Track the owned, mapped and filter columns by id (renames do not break)."""
        from workflows.models import Filter, Mapping

        ctx, state = self.ctx, self.state
        state.salesforce_id_column_id = ctx.id_column_id
        state.sync_error_column_id = ctx.error_column_id
        state.primary_column_id = ctx.primary_column_id
        if ctx.dry_run:
            return
        for m in ctx.spec.mappings:
            column_id = reader.columns_by_title.get(m.column_title)
            if m.column_id is None and column_id is not None:
                Mapping.objects.filter(workflow=ctx.workflow, column_title=m.column_title,
                                       column_id__isnull=True).update(column_id=column_id)
        for f in ctx.spec.smartsheet_filters:
            column_id = reader.columns_by_title.get(f.field)
            if f.column_id is None and column_id is not None:
                Filter.objects.filter(workflow=ctx.workflow, side="smartsheet", field=f.field,
                                      column_id__isnull=True).update(column_id=column_id)
        state.save(update_fields=["salesforce_id_column_id", "sync_error_column_id",
                                  "primary_column_id", "updated_at"])
        # The spec the planner uses must see the ids too.
        from workflows.spec import spec_from_workflow

        workflow = ctx.workflow
        workflow_fresh = type(workflow).objects.prefetch_related(
            "mappings", "filters", "row_groups").get(pk=workflow.pk)
        ctx.spec = spec_from_workflow(workflow_fresh)

    def record(self, applier: Applier, plan: Plan) -> None:
        """RunErrors (with culprits) and Conflicts of this run."""
        from runs.models import Conflict, RunError

        ctx = self.ctx
        errors = applier.errors
        self.find_culprits(errors)
        workflow_id = ctx.workflow.pk
        RunError.objects.bulk_create([
            RunError(run=ctx.run, row_id=e.row_id, record_id=e.record_id or "",
                     field=e.field[:255], message=e.message, code=e.code[:80],
                     culprit=e.culprit[:255], culprit_email=e.culprit_email[:254],
                     fingerprint=hashlib.sha256(
                         f"{workflow_id}|{e.row_id}|{e.record_id}|{e.field}|{e.message}"
                         .encode()).hexdigest())
            for e in errors])
        Conflict.objects.bulk_create([
            Conflict(run=ctx.run, record_id=c.record_id, row_id=c.row_id, field=c.field,
                     salesforce_value=c.salesforce_value, smartsheet_value=c.smartsheet_value,
                     winner=c.winner)
            for c in plan.conflicts])
        ctx.counts["errors_count"] = len(errors)
        ctx.counts["conflicts_count"] = len(plan.conflicts)

    def find_culprits(self, errors: list[RowError]) -> None:
        ctx, calls = self.ctx, 0
        for error in errors:
            if error.culprit or error.row_id is None or error.column_id is None:
                continue
            if calls >= MAX_CELL_HISTORY_CALLS:
                break
            calls += 1
            try:
                history = ctx.smartsheet.cell_history(ctx.spec.sheet_id, error.row_id,
                                                      error.column_id)
            except ClientError:
                continue
            if history:
                who = history[0].get("modifiedBy") or {}
                error.culprit = who.get("name") or who.get("email") or ""
                error.culprit_email = who.get("email") or ""
