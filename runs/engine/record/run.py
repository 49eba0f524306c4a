"""What a run records around its batches: the columns it tracks, the creates a killed run
left pending, and the sync state it ends with (its errors: :mod:`.errors`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from connector.services import connection_get
from core.times import parse_timestamp
from runs.engine import soql
from runs.engine.columns import CACHE_KEY as SHEET_CACHE_KEY
from runs.engine.columns import facts_to_cache
from runs.engine.context import RunContext
from runs.engine.convert import FieldInfo, sf_canonical
from runs.engine.read import SalesforceReader, SheetReader
from runs.models import Link
from workflows.columns import workflow_remember_column_ids
from workflows.models import Workflow
from workflows.spec import spec_from_workflow

#: What the engine writes on SyncState at the end of a run (never the scheduler's fields).
ENGINE_STATE_FIELDS = ["salesforce_watermark", "salesforce_cursor", "sheet_version",
                       "sheet_watermark", "sheet_watermark_exact", "sheet_url",
                       "last_full_sync_at", "synced_spec_key", "field_cache", "group_rows",
                       "pending_adds", "pending_creates", "salesforce_id_column_id",
                       "sync_error_column_id", "primary_column_id", "updated_at"]


def remember_columns(ctx: RunContext, columns_by_title: dict[str, int]) -> None:
    """Track the owned, mapped and filter columns by id (renames do not break)."""
    state = ctx.state
    state.salesforce_id_column_id = ctx.id_column_id
    state.sync_error_column_id = ctx.error_column_id
    state.primary_column_id = ctx.primary_column_id
    if ctx.dry_run:
        return
    titles = [m.column_title for m in ctx.spec.mappings if m.column_id is None]
    titles += [f.field for f in ctx.spec.smartsheet_filters if f.column_id is None]
    workflow_remember_column_ids(
        workflow=ctx.workflow,
        column_ids={t: columns_by_title[t] for t in titles if t in columns_by_title})
    state.save(update_fields=["salesforce_id_column_id", "sync_error_column_id",
                              "primary_column_id", "updated_at"])
    # The spec the planner uses must see the ids too.
    ctx.spec = spec_from_workflow(Workflow.objects.prefetch_related(
        "mappings", "filters", "row_groups").get(pk=ctx.workflow.pk))


def recover_pending_creates(ctx: RunContext, infos: dict[str, FieldInfo]) -> None:
    """Link the rows whose Salesforce create may have landed before a run died, and
    clear the markers: nothing is created twice."""
    workflow = ctx.workflow
    owner_id = connection_get(user=workflow.owner, install=workflow.install,
                              service="salesforce").external_user_id
    owner_id = owner_id or ctx.salesforce.identity()["user_id"]
    Link.objects.bulk_create(reconcile_pending_creates(ctx, infos, owner_id))
    ctx.state.pending_creates = {}
    ctx.state.save(update_fields=["pending_creates", "updated_at"])


def reconcile_pending_creates(ctx: RunContext, infos: dict[str, FieldInfo],
                              owner_sf_user_id: str) -> list[Link]:
    """The links of pending rows whose create landed: records the owner created since
    the oldest pending marker, matched to pending rows by the values sent."""
    pending = ctx.state.pending_creates or {}
    if not pending:
        return []
    oldest = min(parse_timestamp(p["at"]) for p in pending.values())
    names = sorted({f for p in pending.values() for f in p["fields"]})
    where = (f"CreatedById = {soql.quote(owner_sf_user_id)} AND "
             f"CreatedDate >= {soql.soql_datetime(oldest - timedelta(seconds=60))}")
    object_name = soql.check_name(ctx.spec.salesforce_object)
    fields = ", ".join(soql.record_fields(names))
    # Names are checked and the one value is quoted: nothing here comes from a user as-is.
    query = f"SELECT {fields} FROM {object_name} WHERE {where} ORDER BY CreatedDate, Id"  # noqa: S608
    candidates = [r for page in ctx.salesforce.query_pages(query) for r in page]
    taken = set(Link.objects.filter(workflow=ctx.workflow,
                                    record_id__in=[r["Id"] for r in candidates])
                .values_list("record_id", flat=True))
    links = []
    for row_id, entry in sorted(pending.items(), key=lambda kv: kv[1]["at"]):
        for record in candidates:
            if record["Id"] in taken:
                continue
            same = all(
                sf_canonical(record.get(f), infos.get(f) or FieldInfo(name=f))
                == sf_canonical(v, infos.get(f) or FieldInfo(name=f))
                for f, v in entry["fields"].items())
            if same:
                taken.add(record["Id"])
                links.append(Link(workflow=ctx.workflow, record_id=record["Id"],
                                  row_id=int(row_id), snapshot=entry.get("snapshot") or {}))
                break
    return links


def advance_state(ctx: RunContext, salesforce: SalesforceReader, sheet: SheetReader, *,
                  full: bool, started: datetime) -> None:
    """Commit where the next run starts from, once every write of this one went through
    the apply phase: watermarks, cursor, sheet version, describe cache."""
    state = ctx.state
    state.pending_adds = {}
    advance_cursor(state, salesforce)
    newest_row = sheet.sheet_newest
    exact = False
    if sheet.permalink:
        state.sheet_url = sheet.permalink[:500]
    if sheet.sheet_version is not None:
        state.sheet_version = sheet.sheet_version
        if ctx.wrote_sheet and ctx.sheet_writes_exact and ctx.sheet_version_chain is not None:
            # Every write answered with the version one past the previous one: nobody
            # else wrote between our read and our last write, so the next poll need
            # not re-read what we wrote. (A write by someone after our last one moves
            # the version past this and is read then.) No extra call to learn it.
            state.sheet_version = ctx.sheet_version_chain
            if ctx.sheet_written_newest and (
                    newest_row is None or ctx.sheet_written_newest >= newest_row):
                # Every change up to our last write is known: the next read starts
                # there, without the overlap that would bring back all we just wrote.
                newest_row, exact = ctx.sheet_written_newest, True
    if newest_row:
        newest = parse_timestamp(newest_row)
        if state.sheet_watermark is None or newest > state.sheet_watermark:
            state.sheet_watermark = newest
            state.sheet_watermark_exact = exact
        elif newest == state.sheet_watermark:
            state.sheet_watermark_exact = state.sheet_watermark_exact and exact
    cache = salesforce.field_cache if salesforce.cache_changed else (state.field_cache or {})
    mapped = {m.column_id for m in ctx.mappings}
    facts = {"columns": facts_to_cache({c: f for c, f in ctx.columns.items() if c in mapped}),
             "formula_cells": ctx.formula_cells.to_cache()}
    state.field_cache = {**cache, SHEET_CACHE_KEY: facts}
    if full:
        state.last_full_sync_at = started
        # What this full read synced; a run with other settings reads everything.
        state.synced_spec_key = ctx.spec.sync_key
    # Only the engine's own fields: the scheduler owns running_run, rerun_requested,
    # last_run_at and next_due_at and may change them while this run works.
    state.save(update_fields=ENGINE_STATE_FIELDS)


def advance_cursor(state, salesforce: SalesforceReader) -> None:
    """Move the Salesforce window after a committed run (see
    :func:`runs.engine.pipeline.salesforce_since`).

    With the server's time of this run's query known, the next query starts from
    it (minus the overlap); the newest SystemModstamp read is kept as the watermark
    either way, and is the fallback base when a server sends no ``Date``.
    """
    newest = salesforce.records_newest
    if newest is not None:
        stamp = parse_timestamp(newest[0])
        if state.salesforce_watermark is None or stamp > state.salesforce_watermark:
            state.salesforce_watermark = stamp
    read_at = salesforce.read_server_time
    state.salesforce_cursor = ({"server_time": read_at.isoformat()}
                               if read_at is not None else {})
