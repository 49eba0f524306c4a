"""Apply: the plan's writes, batched; each batch recorded (links, markers) as it lands.

Order: pasted-id links, Salesforce creates (pending first), Salesforce updates, group
rows, row adds (pending first), row updates and moves, unlinks. Salesforce sObject
Collections take 200 records per call, Smartsheet rows 500 per call; every call is
counted on the run. What a batch commits is :class:`~runs.engine.record.Recorder`'s.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from runs.engine import words
from runs.engine.columns import MULTI_PICKLIST, multi_cell, multi_value
from runs.engine.context import RunContext, batch_done
from runs.engine.convert import normalize_cell
from runs.engine.gcpause import gc_paused
from runs.engine.groups import group_key
from runs.engine.record import Recorder, stamp
from runs.engine.refusals import Refusals
from runs.engine.types import Plan, RowError, Unlink

SALESFORCE_BATCH = 200
SHEET_BATCH = 500


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


class Applier:
    def __init__(self, ctx: RunContext, plan: Plan, rows: dict | None = None) -> None:
        self.ctx = ctx
        self.plan = plan
        #: The rows this run read (row id → SheetRow): what their cells hold now.
        self.rows = rows or {}
        self.sheet_id = ctx.spec.sheet_id
        self.recorder = Recorder(ctx)
        self.errors: list[RowError] = list(plan.errors)
        #: Record id → (row id, row number) of the rows this run added: names the errors
        #: of a row added without a refused cell.
        self.added_rows: dict[str, tuple[int, int | None]] = {}
        self.key_by_column = {m.column_id: m.key for m in ctx.mappings if m.column_id}
        #: Columns whose cells are written other than as a plain strict value (see
        #: runs.engine.columns): multi-picklists, and columns that take free text.
        self.special = {column_id: facts for column_id, facts in ctx.columns.items()
                        if facts.type == MULTI_PICKLIST or facts.loose}
        self.multi = frozenset(c for c, f in self.special.items() if f.type == MULTI_PICKLIST)
        self.refusals = Refusals(ctx)
        #: Linked rows a write found deleted from the sheet, by row id.
        self.gone_rows: dict[int, Unlink] = {}

    # -- cells -----------------------------------------------------------------------------
    def cell(self, column_id: int, value: Any) -> dict:
        if column_id == self.ctx.id_column_id and value:
            return {"columnId": column_id, "value": str(value),
                    "hyperlink": {"url": f"{self.ctx.instance_url}/{value}"}}
        if column_id in self.special:
            return self.special_cell(column_id, value)
        if value is None:
            return {"columnId": column_id, "value": ""}
        return {"columnId": column_id, "value": value}

    def special_cell(self, column_id: int, value: Any) -> dict:
        """A multi-picklist cell (its ``objectValue``), or a free-text one (``strict:
        false``: a value outside the options is kept as the sheet's text)."""
        facts = self.special[column_id]
        if facts.type == MULTI_PICKLIST:
            return multi_cell(column_id, value, loose=facts.loose)
        if value is None or value == "":
            return {"columnId": column_id, "value": ""}
        return {"columnId": column_id, "value": value, "strict": False}

    def cells(self, values: dict[int, Any]) -> list[dict]:
        """:meth:`cell` of every ``(column id, value)``; the hot path of large writes
        (one call per row, not per cell)."""
        out = [{"columnId": column_id, "value": "" if value is None else value}
               for column_id, value in values.items()]
        special = self.special
        if special:
            out = [self.special_cell(c["columnId"], values[c["columnId"]])
                   if c["columnId"] in special else c for c in out]
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

    def refused(self, error: RowError, *, cell: bool = True) -> None:
        """Record a refused item; its message goes to its row's Sync Error cell (unless
        ``cell`` is False: the row's own write just failed)."""
        self.errors.append(error)
        if cell and error.row_id is not None and self.ctx.error_column_id is not None:
            cells = self.ctx.extra_cells.setdefault(error.row_id, {})
            previous = cells.get(self.ctx.error_column_id)
            cells[self.ctx.error_column_id] = (f"{previous}; {error.message}" if previous
                                               else error.message)

    def failed_row_writes(self, failures: list[tuple[int, str, Any]], verb: str,
                          cells: dict[int, dict[int, Any]]) -> None:
        """Record failed row writes ``(row id, record id, result)`` of one batch
        (``cells``: what was sent, by row id).

        A linked row the sheet answers "row not found" for was deleted from the sheet:
        it is unlinked as a full read would do (:class:`Unlink` ``row_deleted``: the record
        is tombstoned, not touched) rather than reported. An incremental read does not see
        deletions; without this the write would fail run after run until a full read.
        """
        missing = [row_id for row_id, _, result in failures if result.kind == "row_not_found"]
        if missing:
            for record_id, row_id in self.recorder.linked_records_of(missing):
                self.gone_rows.setdefault(row_id, Unlink(record_id, row_id, "row_deleted",
                                                         tombstone_record=True))
        for row_id, record_id, result in failures:
            if row_id in self.gone_rows:
                continue
            error = self.refusals.from_smartsheet(result, row_id=row_id, record_id=record_id,
                                       cells=cells.get(row_id, {}), verb=verb)
            # The row's update failed: its Sync Error cell cannot be written now.
            self.refused(error, cell=verb != "update")

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
            self.recorder.patch_links(self.plan.link_patches)

    def new_links(self) -> None:
        linked = self.recorder.link_rows(self.plan.new_links)
        if linked:
            self.ctx.add("linked", linked)

    def record_creates(self) -> None:
        object_name = self.ctx.spec.salesforce_object
        for batch in _chunks(self.plan.record_creates, self.salesforce_batch()):
            self.recorder.creates_sending(batch)
            results = self.ctx.salesforce.create(object_name, [dict(i.fields) for i in batch],
                                                 allow_duplicates=self.ctx.spec.allow_duplicates)
            batch_done("record_creates_sent")
            links = []
            for item, result in zip(batch, results, strict=True):
                if result.success:
                    links.append(self.recorder.new_link(
                        record_id=result.id, row_id=item.row_id, snapshot=item.snapshot,
                        row_modified_at=item.row_modified_at, parent_row_id=item.parent_row_id))
                    self.ctx.extra_cells.setdefault(item.row_id, {})[
                        self.ctx.id_column_id] = result.id
                else:
                    for err in result.errors or [{"message": "", "code": ""}]:
                        self.refused(self.refusals.from_salesforce(
                            err, row_id=item.row_id, record_id="", sent=item.fields,
                            creating=True))
            self.recorder.creates_landed(batch, links)
            self.ctx.add("records_created", len(links))
            batch_done("record_creates")

    def record_updates(self) -> None:
        object_name = self.ctx.spec.salesforce_object
        for batch in _chunks(self.plan.record_updates, self.salesforce_batch()):
            results = self.ctx.salesforce.update(
                object_name, [{"Id": u.record_id, **u.fields} for u in batch],
                allow_duplicates=self.ctx.spec.allow_duplicates)
            links = self.recorder.links_for([u.record_id for u in batch])
            changed = []
            for update, result in zip(batch, results, strict=True):
                link = links.get(update.record_id)
                if result.success:
                    self.ctx.add("records_updated")
                    if link is not None:
                        link.snapshot = {**link.snapshot, **update.snapshot_patch}
                        changed.append(link)
                else:
                    for err in result.errors or [{"message": "", "code": ""}]:
                        self.refused(self.refusals.from_salesforce(
                            err, row_id=update.row_id, record_id=update.record_id,
                            sent=update.fields, creating=False))
            self.recorder.save_links(changed)
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
                        self.refused(RowError(
                            message=words.group_row_refused(path[-1], result.message or ""),
                            code=result.error_code or "", kind=result.kind or "invalid"))
                self.recorder.group_rows_known(known)
        self.recorder.group_rows_known(known, save=False)
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
                self.recorder.adds_sending(batch)
                rows = [{**location, "cells": self.cells(a.cells)} for a in batch]
                results = self.ctx.smartsheet.add_rows(self.sheet_id, rows)
                self.ctx.wrote(len(rows), results)
                batch_done("row_adds_sent")
                links = []
                for add, result in zip(batch, results, strict=True):
                    if result.success:
                        self.added_rows[add.record_id] = (
                            result.row_id, (result.row or {}).get("rowNumber"))
                        snapshot = (add.snapshot if not self.multi
                                    and _stored_as_sent(add.cells, result.row)
                                    else self.returned_snapshot(add.snapshot, add.cells,
                                                                result.row))
                        links.append(self.recorder.new_link(
                            record_id=add.record_id, row_id=result.row_id, snapshot=snapshot,
                            record_stamp=add.record_stamp, parent_row_id=parent,
                            row_modified_at=(result.row or {}).get("modifiedAt")))
                    else:
                        self.refused(self.refusals.from_smartsheet(result, row_id=None,
                                                        record_id=add.record_id,
                                                        cells=add.cells, verb="add"))
                self.recorder.adds_landed(batch, links)
                self.ctx.add("rows_added", len(links))
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
            if column_id in self.multi:
                stored = multi_value(cell)
            elif value.__class__ is str and value:
                stored = value  # non-empty text comes back as sent: no normalizing call
            else:
                stored = normalize_cell(value)
            if stored != entry[1]:
                out = out or dict(snapshot)
                out[key] = [entry[0], stored]
        return out or snapshot

    def row_updates(self) -> None:
        updates = {u.row_id: u for u in self.plan.row_updates}
        cells_by_row: dict[int, dict[int, Any]] = {u.row_id: dict(u.cells) for u in updates.values()}
        for row_id, extra in self.ctx.extra_cells.items():
            cells_by_row.setdefault(row_id, {}).update(extra)
        error_column = self.ctx.error_column_id
        items = []
        for row_id, cells in cells_by_row.items():
            cells = {c: v for c, v in cells.items() if c is not None}
            read = self.rows.get(row_id)
            if (error_column in cells and read is not None
                    and normalize_cell(cells[error_column]) == read.cells.get(error_column)):
                # An open error retried and failing again: its cell already says so.
                del cells[error_column]
            if cells:
                items.append((row_id, cells))
        for batch in _chunks(items, SHEET_BATCH):
            rows = [{"id": row_id, "cells": self.cells(cells)} for row_id, cells in batch]
            results = self.ctx.smartsheet.update_rows(self.sheet_id, rows)
            self.ctx.wrote(len(rows), results)
            record_ids = [updates[r].record_id for r, _ in batch
                          if r in updates and updates[r].record_id]
            links = self.recorder.links_for(record_ids)
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
                        link.row_modified_at = stamp(result.row["modifiedAt"])
                    changed.append(link)
            self.failed_row_writes(failures, "update", dict(batch))
            self.recorder.save_links(changed)
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
                links = self.recorder.links_for([m.record_id for m in batch])
                changed, failures = [], []
                for move, result in zip(batch, results, strict=True):
                    if result.success and move.record_id in links:
                        links[move.record_id].parent_row_id = parent
                        changed.append(links[move.record_id])
                        self.ctx.add("rows_moved")
                    elif not result.success:
                        failures.append((move.row_id, move.record_id, result))
                self.failed_row_writes(failures, "move", {})
                self.recorder.save_links(changed)
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
        self.recorder.unlink(unlinks)
        self.ctx.add("unlinked", len(unlinks))
