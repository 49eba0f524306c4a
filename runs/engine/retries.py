"""Retrying open errors: every run retries every item with an open error, changed or
not, until it syncs cleanly or leaves the workflow's scope (see
:mod:`runs.engine.record.errors`).

A full run reads everything anyway; an incremental run reads the open items its reads
did not return by id — the records with one SOQL ``WHERE Id IN (...)`` per 500 (with the
workflow's filters, deleted ones included), the rows with one sheet read per 200 — and
plans them with the changed ones. An item asked for by id that does not come back is out
of scope, as on a full read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runs.engine.read import links_of, open_errors_of
from runs.engine.record import Seen
from runs.engine.sheetfilter import row_passes

if TYPE_CHECKING:
    from runs.engine.apply import Applier
    from runs.engine.pipeline import Pipeline
    from runs.engine.types import Plan
    from runs.models import OpenError


def read_open_items(pipeline: Pipeline) -> tuple[list[OpenError], set[str], set[int]]:
    """The workflow's open errors, and the records and rows read by id for them (with
    their linked partners: the other side is needed to plan the pair)."""
    ctx, salesforce, sheet = pipeline.ctx, pipeline.salesforce, pipeline.sheet
    if ctx.workflow is None or ctx.run is None:
        return [], set(), set()  # a preview
    open_errors = open_errors_of(ctx.workflow)
    if not open_errors or pipeline.full:
        return open_errors, set(), set()
    record_ids = {e.record_id for e in open_errors if e.record_id}
    row_ids = {e.row_id for e in open_errors if e.row_id is not None}
    partners, _ = links_of(ctx.workflow, record_ids=record_ids, row_ids=row_ids)
    for link in partners:
        record_ids.add(link.record_id)
        row_ids.add(link.row_id)
    checked_records = salesforce.read_by_id(record_ids - set(salesforce.records))
    checked_rows: set[int] = set()
    missing_rows = sorted(r for r in row_ids if r not in sheet.rows)
    if missing_rows and ctx.spec.sheet_id and not sheet.full_sheet:
        sheet.read_rows_by_id(missing_rows, known_columns=pipeline.known_columns())
        checked_rows = set(missing_rows)
    return open_errors, checked_records, checked_rows


def seen_by(pipeline: Pipeline, plan: Plan, applier: Applier) -> Seen:
    """What the run read and what left its scope: for naming errors and closing the
    open ones."""
    ctx, salesforce, sheet = pipeline.ctx, pipeline.salesforce, pipeline.sheet
    primary = next((m.read_path for m in ctx.mappings
                    if m.column_id is not None and m.column_id == ctx.primary_column_id), "")
    seen = Seen(rows=sheet.rows, records=salesforce.records,
                primary_column_id=ctx.primary_column_id, primary_path=primary,
                sheet_url=sheet.permalink or pipeline.state.sheet_url or "",
                instance_url=ctx.instance_url or "", record_name=salesforce.record_name,
                added_rows=applier.added_rows)
    for unlink in [*plan.unlinks, *applier.gone_rows.values()]:
        seen.gone_rows.add(unlink.row_id)
        seen.gone_records.add(unlink.record_id)
    inp = pipeline.plan_inputs
    seen.gone_records |= set(inp.tombstoned_records)
    seen.gone_rows |= set(inp.tombstoned_rows) | set(inp.left_filter_rows)
    if inp.sheet_filters and ctx.spec.direction != "to_smartsheet":
        # A row the sheet's filters hold back sends nothing to Salesforce.
        seen.gone_rows |= {row.id for row in sheet.rows.values()
                           if not row_passes(inp.sheet_filters, row)}
    return seen
