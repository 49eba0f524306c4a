"""Apply: the plan's writes, batched, each batch recorded (links, state) as it lands.

Order: pasted-id links, Salesforce creates (pending first), Salesforce updates, group
rows, row adds (pending first), row updates and moves, unlinks. A run killed between
two batches loses nothing: what landed is linked, what did not is planned again, and
pending creates/adds are reconciled before anything is written twice.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from runs.engine.context import RunContext, batch_done
from runs.engine.convert import normalize_cell
from runs.engine.gcpause import gc_paused
from runs.engine.groups import group_key
from runs.engine.types import Plan, RowError, Unlink
from runs.models import Link, Tombstone

SALESFORCE_BATCH = 200
SHEET_BATCH = 500
#: Smartsheet's error code for a row (or other object) that does not exist.
ROW_NOT_FOUND = "1006"


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


@lru_cache(maxsize=4096)
def _stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-5] + text[-5:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def _stored_as_sent(cells: dict[int, Any], row: dict | None) -> bool:
    """Whether the returned ``row`` holds every sent cell value unchanged (``==``).

    Then a snapshot whose cell side is ``normalize_cell`` of the cells sent — as a
    planned row add's is — already says what the sheet stored (equal values normalize
    equally): :meth:`Applier.returned_snapshot` would change nothing, and this C-speed
    check is what most rows of a large add cost instead of a per-cell loop.
    """
    if not row:
        return False
    stored = {cell.get("columnId"): cell.get("value") for cell in row.get("cells") or ()}
    return cells.items() <= stored.items()


@dataclass
class NewLinkRow:
    """A link to insert, without the cost of a model instance."""

    workflow_id: int
    record_id: str
    row_id: int
    snapshot: dict
    record_stamp: datetime | None = None
    row_modified_at: datetime | None = None
    parent_row_id: int | None = None
    pk: int | None = None
    created_at: datetime | None = None


#: One encoder for every snapshot (``json.dumps`` with options builds one per call).
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _finite(value: Any) -> bool:
    kind = value.__class__
    if kind is float:
        return math.isfinite(value)
    if kind is list or kind is tuple:
        return all(map(_finite, value))
    if kind is dict:
        return all(map(_finite, value.values()))
    return True


def encode_snapshot(snapshot: dict) -> str:
    """The JSON text of a snapshot, as ``_ENCODE`` writes it (what Django's JSONField
    reads back), encoded with orjson — five times faster. orjson writes NaN/Infinity as
    null where ``json`` writes NaN: snapshots holding them (and anything orjson cannot
    encode) take ``_ENCODE``."""
    for entry in snapshot.values():
        # Entries are [Salesforce value, cell value] pairs: look into those directly.
        for value in (entry if entry.__class__ is list else (entry,)):
            kind = value.__class__
            if (kind is float or kind is dict or kind is list) and not _finite(value):
                return _ENCODE(snapshot)
    try:
        return orjson.dumps(snapshot).decode()
    except TypeError:
        return _ENCODE(snapshot)

_LINK_COLUMNS = ("workflow_id", "record_id", "row_id", "snapshot", "record_stamp",
                 "row_modified_at", "parent_row_id", "created_at", "updated_at")


def insert_links(links: list) -> None:
    """Insert links with one ``executemany``: the ORM's bulk_create spends ~0.2 ms per
    object compiling values, which dominates an initial sync of 10,000 records.
    Links keep their primary key when they have one (see :func:`save_links`)."""
    if not links:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Link._meta.db_table)

    @lru_cache(maxsize=4096)
    def stamp(value):
        return ops.adapt_datetimefield_value(value) if value is not None else None

    with_pk = [link for link in links if link.pk is not None]
    without_pk = [link for link in links if link.pk is None]
    for group, columns in ((with_pk, ("id", *_LINK_COLUMNS)), (without_pk, _LINK_COLUMNS)):
        if not group:
            continue
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        rows = []
        for link in group:
            created = stamp(link.created_at) if link.created_at else now
            values = (link.workflow_id, link.record_id, link.row_id,
                      encode_snapshot(link.snapshot),
                      stamp(link.record_stamp), stamp(link.row_modified_at), link.parent_row_id,
                      created, now)
            rows.append((link.pk, *values) if columns[0] == "id" else values)
        # One transaction: in autocommit every row would be its own commit.
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                                   rows[start:start + 1000])


def save_links(links: list[Link]) -> None:
    """Persist changed links. Django's bulk_update builds a CASE expression per object
    and field (milliseconds each); for many links, replacing the rows in one transaction
    with their primary keys kept is two statements and ~100x faster."""
    if not links:
        return
    if len(links) < 20:
        Link.objects.bulk_update(links, ["snapshot", "record_stamp", "row_modified_at",
                                         "parent_row_id", "updated_at"])
        return
    now = timezone.now()
    for link in links:
        link.updated_at = now
    with transaction.atomic():
        Link.objects.filter(pk__in=[link.pk for link in links]).delete()
        insert_links(links)


class Applier:
    def __init__(self, ctx: RunContext, plan: Plan) -> None:
        self.ctx = ctx
        self.plan = plan
        self.workflow = ctx.workflow
        self.state = ctx.state
        self.sheet_id = ctx.spec.sheet_id
        self.errors: list[RowError] = list(plan.errors)
        self.link_by_record: dict[str, Link] = {}
        self.key_by_column = {m.column_id: m.key for m in ctx.mappings if m.column_id}
        #: Linked rows a write found deleted from the sheet, by row id.
        self.gone_rows: dict[int, Unlink] = {}

    # -- cells -----------------------------------------------------------------------------
    def cell(self, column_id: int, value: Any) -> dict:
        if column_id == self.ctx.id_column_id and value:
            return {"columnId": column_id, "value": str(value),
                    "hyperlink": {"url": f"{self.ctx.instance_url}/{value}"}}
        if value is None:
            return {"columnId": column_id, "value": ""}
        return {"columnId": column_id, "value": value}

    def cells(self, values: dict[int, Any]) -> list[dict]:
        """:meth:`cell` of every ``(column id, value)``; the hot path of large writes
        (one call per row, not per cell)."""
        out = [{"columnId": column_id, "value": "" if value is None else value}
               for column_id, value in values.items()]
        id_column = self.ctx.id_column_id
        record_id = values.get(id_column) if id_column is not None else None
        if record_id:
            # The one cell with a hyperlink, in its place.
            out[list(values).index(id_column)] = {
                "columnId": id_column, "value": str(record_id),
                "hyperlink": {"url": f"{self.ctx.instance_url}/{record_id}"}}
        return out

    def salesforce_batch(self) -> int:
        """Records per committed batch: one collections call (200) per parallel slot of
        the client, so its calls overlap (latency) while each batch is still committed
        — links, pending markers — before the next is sent."""
        return SALESFORCE_BATCH * max(1, int(getattr(self.ctx.salesforce, "max_parallel", 1)))

    def save_state(self, *fields: str) -> None:
        self.state.save(update_fields=[*fields, "updated_at"])

    def links_for(self, record_ids: list[str]) -> dict[str, Link]:
        missing = [r for r in record_ids if r not in self.link_by_record]
        if missing:
            for link in Link.objects.filter(workflow=self.workflow, record_id__in=missing):
                self.link_by_record[link.record_id] = link
        return {r: self.link_by_record[r] for r in record_ids if r in self.link_by_record}

    def row_error(self, row_id: int | None, record_id: str, message: str, code: str,
                  field: str = "") -> None:
        self.errors.append(RowError(message=message, row_id=row_id, record_id=record_id,
                                    field=field, code=code))
        if row_id is not None and self.ctx.error_column_id is not None:
            cells = self.ctx.extra_cells.setdefault(row_id, {})
            previous = cells.get(self.ctx.error_column_id)
            cells[self.ctx.error_column_id] = f"{previous}; {message}" if previous else message

    def failed_row_writes(self, failures: list[tuple[int, str, Any]], verb: str) -> None:
        """Record failed row writes ``(row id, record id, result)`` of one batch.

        A linked row the sheet answers "not found" (1006) for was deleted from the sheet:
        it is unlinked as a full read would do (:class:`Unlink` ``row_deleted``: the record
        is tombstoned, not touched) rather than reported. An incremental read does not see
        deletions; without this the write would fail run after run until a full read.
        """
        missing = [row_id for row_id, _, result in failures
                   if str(result.error_code or "") == ROW_NOT_FOUND]
        if missing:
            for record_id, row_id in Link.objects.filter(
                    workflow=self.workflow, row_id__in=missing).values_list("record_id",
                                                                            "row_id"):
                self.gone_rows.setdefault(row_id, Unlink(record_id, row_id, "row_deleted",
                                                         tombstone_record=True))
        for row_id, record_id, result in failures:
            if row_id in self.gone_rows:
                continue
            message = f"Could not {verb} the row: {result.message}"
            if verb == "update":
                self.errors.append(RowError(message=message, row_id=row_id,
                                            record_id=record_id, code=result.error_code or ""))
            else:
                self.row_error(row_id, record_id, message, result.error_code or "")

    # -- the phases ------------------------------------------------------------------------
    def run(self) -> None:
        with gc_paused():  # why: see runs.engine.gcpause
            self.new_links()
            self.record_creates()
            self.record_updates()
            self.ctx.check_deadline()
            self.groups()
            self.row_adds()
            self.row_updates()
            self.row_moves()
            self.unlinks()
            self.link_patches()

    def new_links(self) -> None:
        links = [NewLinkRow(workflow_id=self.workflow.pk, record_id=n.record_id, row_id=n.row_id,
                      snapshot=n.snapshot, record_stamp=_stamp(n.record_stamp),
                      row_modified_at=_stamp(n.row_modified_at), parent_row_id=n.parent_row_id)
                 for n in self.plan.new_links]
        if links:
            insert_links(links)
            # A row kept after a filter exit whose record came back: linked again.
            Tombstone.objects.filter(workflow=self.workflow, reason="filter_exit",
                                     row_id__in=[n.row_id for n in links]).delete()
            self.ctx.add("linked", len(links))

    def record_creates(self) -> None:
        object_name = self.ctx.spec.salesforce_object
        for batch in _chunks(self.plan.record_creates, self.salesforce_batch()):
            at = timezone.now().isoformat()
            pending = dict(self.state.pending_creates or {})
            for item in batch:
                pending[str(item.row_id)] = {"at": at, "fields": item.fields}
            self.state.pending_creates = pending
            self.save_state("pending_creates")
            results = self.ctx.salesforce.create(object_name, [dict(i.fields) for i in batch])
            batch_done("record_creates_sent")
            links = []
            for item, result in zip(batch, results, strict=True):
                if result.success:
                    links.append(NewLinkRow(workflow_id=self.workflow.pk, record_id=result.id,
                                      row_id=item.row_id, snapshot=item.snapshot,
                                      row_modified_at=_stamp(item.row_modified_at),
                                      parent_row_id=item.parent_row_id))
                    self.ctx.extra_cells.setdefault(item.row_id, {})[
                        self.ctx.id_column_id] = result.id
                else:
                    for err in result.errors or [{"message": "not created", "code": ""}]:
                        self.row_error(item.row_id, "", err.get("message", ""),
                                       err.get("code", ""), ",".join(err.get("fields") or ()))
            insert_links(links)
            self.ctx.add("records_created", len(links))
            for item in batch:
                pending.pop(str(item.row_id), None)
            self.state.pending_creates = pending
            self.save_state("pending_creates")
            batch_done("record_creates")

    def record_updates(self) -> None:
        object_name = self.ctx.spec.salesforce_object
        for batch in _chunks(self.plan.record_updates, self.salesforce_batch()):
            results = self.ctx.salesforce.update(
                object_name, [{"Id": u.record_id, **u.fields} for u in batch])
            links = self.links_for([u.record_id for u in batch])
            changed = []
            for update, result in zip(batch, results, strict=True):
                link = links.get(update.record_id)
                if result.success:
                    self.ctx.add("records_updated")
                    if link is not None:
                        link.snapshot = {**link.snapshot, **update.snapshot_patch}
                        changed.append(link)
                else:
                    for err in result.errors or [{"message": "not updated", "code": ""}]:
                        self.row_error(update.row_id, update.record_id, err.get("message", ""),
                                       err.get("code", ""), ",".join(err.get("fields") or ()))
            save_links(changed)
            batch_done("record_updates")

    def groups(self) -> None:
        known = dict(self.plan.group_rows)
        primary = self.ctx.primary_column_id
        by_depth: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        for path in self.plan.group_adds:
            by_depth[len(path)].append(path)
        for depth in sorted(by_depth):
            by_parent: dict[int | None, list[tuple[str, ...]]] = defaultdict(list)
            for path in by_depth[depth]:
                by_parent[known.get(group_key(path[:-1])) if depth > 1 else None].append(path)
            for parent, paths in by_parent.items():
                if depth > 1 and parent is None:
                    continue  # its parent could not be created: reported there
                location = {"parentId": parent, "toBottom": True} if parent else {"toBottom": True}
                rows = [{**location, "cells": [self.cell(primary, p[-1])]} for p in paths]
                results = self.ctx.smartsheet.add_rows(self.sheet_id, rows)
                self.ctx.wrote(len(rows), results)
                for path, result in zip(paths, results, strict=True):
                    if result.success:
                        known[group_key(path)] = result.row_id
                    else:
                        self.row_error(None, "", f"Could not add the group row '{path[-1]}': "
                                       f"{result.message}", result.error_code or "")
                self.state.group_rows = known
                self.save_state("group_rows")
        self.state.group_rows = known
        self.known_groups = known

    def row_adds(self) -> None:
        known = self.known_groups
        by_parent: dict[int | None, list] = defaultdict(list)
        for add in self.plan.row_adds:
            if add.group_path:
                parent = known.get(group_key(add.group_path))
                if parent is None:
                    continue  # group row failed: error already recorded
                by_parent[parent].append(add)
            else:
                by_parent[None].append(add)
        for parent, adds in by_parent.items():
            location = {"parentId": parent, "toBottom": True} if parent else {"toBottom": True}
            for batch in _chunks(adds, SHEET_BATCH):
                at = timezone.now().isoformat()
                pending = dict(self.state.pending_adds or {})
                pending.update({a.record_id: at for a in batch})
                self.state.pending_adds = pending
                self.save_state("pending_adds")
                rows = [{**location, "cells": self.cells(a.cells)} for a in batch]
                results = self.ctx.smartsheet.add_rows(self.sheet_id, rows)
                self.ctx.wrote(len(rows), results)
                batch_done("row_adds_sent")
                links = []
                for add, result in zip(batch, results, strict=True):
                    if result.success:
                        snapshot = (add.snapshot if _stored_as_sent(add.cells, result.row)
                                    else self.returned_snapshot(add.snapshot, add.cells,
                                                                result.row))
                        links.append(NewLinkRow(
                            workflow_id=self.workflow.pk, record_id=add.record_id,
                            row_id=result.row_id, snapshot=snapshot,
                            record_stamp=_stamp(add.record_stamp), parent_row_id=parent,
                            row_modified_at=_stamp((result.row or {}).get("modifiedAt"))))
                    else:
                        self.row_error(None, add.record_id, f"Could not add a row: "
                                       f"{result.message}", result.error_code or "")
                insert_links(links)
                self.ctx.add("rows_added", len(links))
                for add in batch:
                    pending.pop(add.record_id, None)
                self.state.pending_adds = pending
                self.save_state("pending_adds")
                batch_done("row_adds")

    def returned_snapshot(self, snapshot: dict, cells: dict, row: dict | None) -> dict:
        """The snapshot with the cell values the sheet actually stored (a number sent as
        text may come back as a number: the next read must not see a change)."""
        if not row:
            return snapshot
        keys = self.key_by_column
        out = None
        for cell in row.get("cells") or ():
            column_id = cell.get("columnId")
            key = keys.get(column_id)
            if key is None or column_id not in cells:
                continue
            entry = snapshot.get(key)
            if entry is None:
                continue
            value = cell.get("value")
            # Non-empty text comes back as sent: skip the normalizing call for it.
            stored = value if value.__class__ is str and value else normalize_cell(value)
            if stored != entry[1]:
                out = out or dict(snapshot)
                out[key] = [entry[0], stored]
        return out or snapshot

    def row_updates(self) -> None:
        updates = {u.row_id: u for u in self.plan.row_updates}
        cells_by_row: dict[int, dict[int, Any]] = {u.row_id: dict(u.cells) for u in updates.values()}
        for row_id, extra in self.ctx.extra_cells.items():
            cells_by_row.setdefault(row_id, {}).update(extra)
        items = []
        for row_id, cells in cells_by_row.items():
            cells = {c: v for c, v in cells.items() if c is not None}
            if cells:
                items.append((row_id, cells))
        for batch in _chunks(items, SHEET_BATCH):
            rows = [{"id": row_id, "cells": self.cells(cells)} for row_id, cells in batch]
            results = self.ctx.smartsheet.update_rows(self.sheet_id, rows)
            self.ctx.wrote(len(rows), results)
            record_ids = [updates[r].record_id for r, _ in batch
                          if r in updates and updates[r].record_id]
            links = self.links_for(record_ids)
            changed, failures = [], []
            for (row_id, cells), result in zip(batch, results, strict=True):
                update = updates.get(row_id)
                if not result.success:
                    failures.append((row_id, update.record_id if update else "", result))
                    continue
                if update is None or not update.record_id:
                    continue
                if update.snapshot_patch:
                    self.ctx.add("rows_updated")
                link = links.get(update.record_id)
                if link is not None and update.snapshot_patch:
                    patch = self.returned_snapshot(update.snapshot_patch, cells, result.row)
                    link.snapshot = {**link.snapshot, **patch}
                    if result.row and result.row.get("modifiedAt"):
                        link.row_modified_at = _stamp(result.row["modifiedAt"])
                    changed.append(link)
            self.failed_row_writes(failures, "update")
            save_links(changed)
            batch_done("row_updates")

    def row_moves(self) -> None:
        known = self.known_groups
        by_parent: dict[int, list] = defaultdict(list)
        for move in self.plan.row_moves:
            parent = known.get(group_key(move.group_path))
            if parent is not None:
                by_parent[parent].append(move)
        for parent, moves in by_parent.items():
            for batch in _chunks(moves, SHEET_BATCH):
                rows = [{"id": m.row_id, "parentId": parent, "toBottom": True} for m in batch]
                results = self.ctx.smartsheet.update_rows(self.sheet_id, rows)
                self.ctx.wrote(len(rows), results)
                links = self.links_for([m.record_id for m in batch])
                changed, failures = [], []
                for move, result in zip(batch, results, strict=True):
                    if result.success and move.record_id in links:
                        links[move.record_id].parent_row_id = parent
                        changed.append(links[move.record_id])
                        self.ctx.add("rows_moved")
                    elif not result.success:
                        failures.append((move.row_id, move.record_id, result))
                self.failed_row_writes(failures, "move")
                save_links(changed)
                batch_done("row_moves")

    def unlinks(self) -> None:
        planned = {u.record_id for u in self.plan.unlinks}
        unlinks = self.plan.unlinks + [u for u in self.gone_rows.values()
                                       if u.record_id not in planned]
        if not unlinks:
            return
        remove = [u.row_id for u in unlinks if u.remove_row]
        if remove:
            deleted = self.ctx.smartsheet.delete_rows(self.sheet_id, remove)
            self.ctx.wrote_sheet = True
            self.ctx.sheet_writes_exact = False  # deletes are chunked by the client
            self.ctx.add("rows_removed", len(deleted))
        Tombstone.objects.bulk_create(
            [Tombstone(workflow=self.workflow, record_id=u.record_id, reason=u.reason)
             for u in unlinks if u.tombstone_record]
            + [Tombstone(workflow=self.workflow, row_id=u.row_id, reason=u.reason)
               for u in unlinks if u.tombstone_row and not u.remove_row])
        Link.objects.filter(workflow=self.workflow,
                            record_id__in=[u.record_id for u in unlinks]).delete()
        for u in unlinks:
            # Saving a cached link later (link_patches) would write it back.
            self.link_by_record.pop(u.record_id, None)
        self.ctx.add("unlinked", len(unlinks))

    def link_patches(self) -> None:
        patches = self.plan.link_patches
        if not patches:
            return
        links = self.links_for(list(patches))
        changed = []
        for record_id, patch in patches.items():
            link = links.get(record_id)
            if link is None:
                continue
            if "snapshot" in patch:
                link.snapshot = {**link.snapshot, **patch["snapshot"]}
            if "record_stamp" in patch:
                link.record_stamp = _stamp(patch["record_stamp"])
            if "row_modified_at" in patch:
                link.row_modified_at = _stamp(patch["row_modified_at"])
            changed.append(link)
        save_links(changed)
