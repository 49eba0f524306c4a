"""What a run records of its errors: each named so a person can find it, its culprit, the
run's RunErrors and Conflicts, and the workflow's open errors — opened, kept open or
closed.

An open error belongs to its workflow and item (row or record, and field:
:func:`error_key`). Every run retries every item with an open error (an incremental run
reads them by id), so after a run an open error that did not come back is closed:
``synced`` when its item is still in the workflow's scope, ``no_longer_synced`` when it
left it (row or record deleted, record out of the filter, row held back by the sheet's
filters).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from connector.clients import ClientError
from connector.selectors import install_users_by_salesforce_id
from runs.engine.context import RunContext
from runs.engine.types import SALESFORCE_EDIT, SHEET_EDIT, ConflictItem, RowError, SheetRow
from runs.models import Conflict, OpenError, Resolution, RunError

#: Cell history costs 10 rate-limit units per call: ask for a few culprits per run only
#: (one call per cell, whatever the number of its errors).
MAX_CELL_HISTORY_CALLS = 10

#: What an error names, copied to (and from) its open error.
CONTEXT_FIELDS = ("row_number", "primary_value", "row_url", "record_name", "record_url",
                  "column", "field")


@dataclass
class Seen:
    """What the run read, to name errors and to tell which items left its scope."""

    rows: dict[int, SheetRow]
    records: dict[str, dict]
    #: Rows and records out of the workflow's scope after this run (unlinked, deleted,
    #: out of the filter, held back by the sheet's filters).
    gone_rows: set[int] = field(default_factory=set)
    gone_records: set[str] = field(default_factory=set)
    primary_column_id: int | None = None
    #: The record field the primary column shows (when a mapping fills it): names a
    #: row this run did not read.
    primary_path: str = ""
    sheet_url: str = ""
    instance_url: str = ""
    record_name: Callable[[dict | None], str] = lambda record: ""
    #: Record id → (row id, row number) of the rows this run added.
    added_rows: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    def in_scope(self, row_id: int | None, record_id: str) -> bool:
        """Whether an item is still synced: read by this run (every open item is) and
        not gone."""
        if row_id is not None and (row_id in self.gone_rows or row_id not in self.rows):
            return False
        if record_id:
            record = self.records.get(record_id)
            if record_id in self.gone_records or record is None or record.get("IsDeleted"):
                return False
        return True

    def describe(self, error: RowError) -> None:
        """Fill in what names the error's row and record (a row this run added without a
        refused cell is named as a row read)."""
        if error.row_id is None and error.record_id in self.added_rows:
            error.row_id, number = self.added_rows[error.record_id]
            error.row_number = error.row_number or number
        row = self.rows.get(error.row_id) if error.row_id is not None else None
        if row is not None:
            error.row_number = row.row_number
            primary = (row.cells.get(self.primary_column_id)
                       if self.primary_column_id is not None else None)
            error.primary_value = "" if primary is None else str(primary)[:255]
        record = self.records.get(error.record_id) if error.record_id else None
        if record is not None:
            error.record_name = self.record_name(record)[:255]
            if error.row_id is not None and not error.primary_value and self.primary_path:
                value = record.get(self.primary_path)
                error.primary_value = "" if value is None else str(value)[:255]


def _item_keys(row_id, record_id, field: str) -> list[str]:
    items = ([f"row:{row_id}"] if row_id is not None else []) + (
        [f"record:{record_id}"] if record_id else [])
    return [f"{item}|{field}"[:300] for item in items]


def error_key(error: RowError) -> str | None:
    """An error's identity among its workflow's open errors: its item (the row, else the
    record) and field. None for an error about neither (a group row)."""
    keys = _item_keys(error.row_id, error.record_id,
                      error.mapping_key or error.column or error.field)
    return keys[0] if keys else None


def open_errors_index(open_errors: list[OpenError]) -> dict[str, OpenError]:
    """The open errors by every key their item answers to: an item first met as a record
    (its row not added yet) is a row and a record later, and stays one open error."""
    index: dict[str, OpenError] = {}
    for open_error in open_errors:
        field = open_error.key.split("|", 1)[1] if "|" in open_error.key else ""
        for key in (open_error.key,
                    *_item_keys(open_error.row_id, open_error.record_id, field)):
            index.setdefault(key, open_error)
    return index


def resolved_key(error: RowError, index: dict[str, OpenError]) -> str | None:
    """The key of the open error ``error`` continues (whichever of its item's keys it
    was opened under), else its own."""
    for key in _item_keys(error.row_id, error.record_id,
                          error.mapping_key or error.column or error.field):
        if key in index:
            return index[key].key
    return error_key(error)


def record_errors(ctx: RunContext, errors: list[RowError], conflicts: list[ConflictItem], *,
                  open_errors: list[OpenError], seen: Seen) -> None:
    """Store the run's errors (RunErrors, named and with culprits), its conflicts, and
    the workflow's open errors: new ones opened, recurring ones kept, the others closed."""
    ctx.counts["errors_count"] = len(errors)
    ctx.counts["conflicts_count"] = len(conflicts)
    if not (errors or conflicts or open_errors):
        return  # a clean run of a workflow without open errors: nothing to store
    for error in errors:
        seen.describe(error)
    by_key = open_errors_index(open_errors)
    carry_over(errors, by_key)
    find_culprits(ctx, errors, seen)
    now = timezone.now()
    run, workflow_id = ctx.run, ctx.workflow.pk
    with transaction.atomic():
        opened = sync_open_errors(ctx, errors, by_key, seen, now)
        RunError.objects.bulk_create([
            RunError(run=run, open_error=opened.get(resolved_key(e, by_key)), repeat=repeat,
                     fingerprint=hashlib.sha256(
                         f"{workflow_id}|{e.row_id}|{e.record_id}|{e.column}|{e.message}"
                         .encode()).hexdigest(),
                     **stored_fields(e, seen))
            for e, repeat in ((e, _is_repeat(e, by_key)) for e in errors)])
        Conflict.objects.bulk_create([
            Conflict(run=run, record_id=c.record_id, row_id=c.row_id, field=c.field,
                     salesforce_value=c.salesforce_value, smartsheet_value=c.smartsheet_value,
                     winner=c.winner)
            for c in conflicts])


def _is_repeat(error: RowError, by_key: dict[str, OpenError]) -> bool:
    """Already open before this run with the same message: not news."""
    key = resolved_key(error, by_key)
    return _same_message(by_key.get(key) if key is not None else None, error)


def _same_message(previous: OpenError | None, error: RowError) -> bool:
    """Whether an open error already said this (an item's several errors of one run are
    one open error, their messages joined)."""
    return previous is not None and (previous.message == error.message
                                     or error.message in previous.message.split("; "))


def stored_fields(error: RowError, seen: Seen) -> dict:
    """The columns of a RunError or OpenError for ``error``."""
    row_url = (f"{seen.sheet_url}?rowId={error.row_id}"
               if seen.sheet_url and error.row_id is not None else "")
    record_url = (f"{seen.instance_url.rstrip('/')}/{error.record_id}"
                  if seen.instance_url and error.record_id else "")
    return {"row_id": error.row_id, "row_number": error.row_number,
            "primary_value": error.primary_value, "row_url": row_url[:500],
            "record_id": error.record_id or "", "record_name": error.record_name,
            "record_url": record_url[:500], "column": error.column[:255],
            "field": error.field[:255], "kind": error.kind[:40], "message": error.message,
            "code": (error.code or "")[:80], "culprit": error.culprit[:255],
            "culprit_email": error.culprit_email[:254]}


def carry_over(errors: list[RowError], by_key: dict[str, OpenError]) -> None:
    """What the open error already knows and this run could not see: the row number of a
    row not read this time, the culprit of an unchanged error (no cell history again)."""
    for error in errors:
        key = resolved_key(error, by_key)
        previous = by_key.get(key) if key is not None else None
        if previous is None:
            continue
        if error.row_number is None and previous.row_number is not None:
            error.row_number = previous.row_number
            error.primary_value = error.primary_value or previous.primary_value
        if not error.record_name:
            error.record_name = previous.record_name
        if not error.culprit and _same_message(previous, error):
            error.culprit, error.culprit_email = previous.culprit, previous.culprit_email


def sync_open_errors(ctx: RunContext, errors: list[RowError], by_key: dict[str, OpenError],
                     seen: Seen, now) -> dict[str, OpenError]:
    """Open, keep and close the workflow's open errors after this run; the open error of
    each key met this run."""
    run = ctx.run
    met: dict[str, RowError] = {}
    for error in errors:
        key = resolved_key(error, by_key)
        if key is None:
            continue
        if key in met:  # several errors of one item and field: one open error
            first = met[key]
            if error.message not in first.message:
                first.message = f"{first.message}; {error.message}"
            continue
        met[key] = RowError(**{**error.__dict__})
    kept, created = [], []
    for key, error in met.items():
        values = stored_fields(error, seen)
        current = by_key.get(key)
        if current is None:
            created.append(OpenError(workflow=ctx.workflow, key=key, first_seen=now,
                                     last_seen=now, first_run=run, **values))
            continue
        for name, value in values.items():
            if name in CONTEXT_FIELDS and value in ("", None):
                continue  # keep what an earlier run saw
            setattr(current, name, value)
        current.last_seen = now
        current.runs += 1
        kept.append(current)
    OpenError.objects.bulk_create(created)
    if kept:
        OpenError.objects.bulk_update(kept, ["last_seen", "runs", "kind", "message", "code",
                                             "culprit", "culprit_email", "row_id",
                                             "record_id", *CONTEXT_FIELDS])
    closing: dict[str, list[int]] = {Resolution.SYNCED: [], Resolution.NO_LONGER_SYNCED: []}
    for key, current in {e.key: e for e in by_key.values()}.items():
        if key in met:
            continue
        synced = seen.in_scope(current.row_id, current.record_id)
        closing[Resolution.SYNCED if synced else Resolution.NO_LONGER_SYNCED].append(current.pk)
    for resolution, pks in closing.items():
        if pks:
            OpenError.objects.filter(pk__in=pks, resolved_at__isnull=True).update(
                resolved_at=now, resolved_by=run, resolution=resolution)
    return {**{e.key: e for e in kept}, **{e.key: e for e in created}}


def find_culprits(ctx: RunContext, errors: list[RowError], seen: Seen) -> None:
    """Who caused each new error: for a record change the sheet refused, the record's
    last modifier (``LastModifiedById``, read with the record) — named, and mailed when
    they are a user of the install; for a sheet edit (refused by Salesforce or by the
    planner), the cell's last editor from its history — batched, one call per cell, at
    most :data:`MAX_CELL_HISTORY_CALLS` per run."""
    from_salesforce = [e for e in errors if not e.culprit and e.cause == SALESFORCE_EDIT
                       and e.record_id in seen.records]
    if from_salesforce:
        modifiers = {seen.records[e.record_id].get("LastModifiedById") for e in from_salesforce}
        users = install_users_by_salesforce_id(install_id=ctx.workflow.install_id,
                                               salesforce_user_ids=modifiers)
        for error in from_salesforce:
            record = seen.records[error.record_id]
            user = users.get(str(record.get("LastModifiedById") or "")[:15])
            name = (user.get_full_name() or user.username) if user is not None else ""
            error.culprit = name or record.get("LastModifiedBy.Name") or ""
            error.culprit_email = (user.email or "") if user is not None else ""
    cells: dict[tuple[int, int], list[RowError]] = {}
    for error in errors:
        if error.culprit or error.cause != SHEET_EDIT or error.row_id is None:
            continue
        column = error.column_id if error.column_id is not None else seen.primary_column_id
        if column is not None:
            cells.setdefault((error.row_id, column), []).append(error)
    for (row_id, column_id), cell_errors in list(cells.items())[:MAX_CELL_HISTORY_CALLS]:
        try:
            history = ctx.smartsheet.cell_history(ctx.spec.sheet_id, row_id, column_id)
        except ClientError:
            continue
        if history:
            who = history[0].get("modifiedBy") or {}
            for error in cell_errors:
                error.culprit = who.get("name") or who.get("email") or ""
                error.culprit_email = who.get("email") or ""
