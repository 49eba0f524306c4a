"""Bulk row writes: add, update (with moves), delete; cells, locations, partial success.

Without ``allowPartialSuccess`` a write is all or nothing: the first failing row fails the
call with ``detail.index``. With it, failing rows go to ``failedItems`` and the rest apply.
Every function returns ``(response body, webhook events)`` and leaves the sheet unchanged
when it raises.
"""

from __future__ import annotations

from . import recalc
from .errors import ApiError
from .model import RANK, Row, Sheet
from .writes import (
    WriteContext,
    apply_cells,
    parse_cells,
    require_rank,
    stamp_system_cells,
    touch,
)

__all__ = ["MAX_CELLS", "WriteContext", "add_rows", "delete_rows", "require_rank",
           "stamp_system_cells", "touch", "update_rows"]

MAX_ROWS_PER_CALL = 500
MAX_CELLS = 500_000
_LOCATION_KEYS = ("toTop", "toBottom", "parentId", "siblingId", "above", "indent", "outdent")


def _as_list(body: object, what: str) -> list[dict]:
    items = [body] if isinstance(body, dict) else body
    if not isinstance(items, list) or not items or not all(isinstance(r, dict) for r in items):
        raise ApiError(1008, f"expected a {what} object or a non-empty array of them")
    if len(items) > MAX_ROWS_PER_CALL:
        raise ApiError(1061, "rows")
    return items


# -- locations -----------------------------------------------------------------------
def _location(item: dict) -> dict:
    return {k: item[k] for k in _LOCATION_KEYS if item.get(k) not in (None, False)}


def resolve_target(sheet: Sheet, loc: dict, moving: Row | None) -> tuple[str, Row | None]:
    """Check a location's rules; return (mode, anchor row)."""
    keys = set(loc)
    if keys & {"indent", "outdent"}:
        if moving is None or len(keys) != 1 or next(iter(loc.values())) != 1:
            raise ApiError(1062)
        return next(iter(keys)), None
    if "toTop" in keys and "toBottom" in keys or "above" in keys and "siblingId" not in keys:
        raise ApiError(1062)
    if "siblingId" in keys:
        if keys - {"siblingId", "above"}:
            raise ApiError(1062)
        sibling = sheet.index.get(loc["siblingId"])
        if sibling is None or moving is not None and (
                sibling is moving or sheet.is_descendant(sibling, moving.id)):
            raise ApiError(1064, loc["siblingId"])
        return ("above" if loc.get("above") else "after"), sibling
    if "parentId" in keys:
        parent = sheet.index.get(loc["parentId"])
        if parent is None or moving is not None and (
                parent is moving or sheet.is_descendant(parent, moving.id)):
            raise ApiError(1063, loc["parentId"])
        if not parent.cells:
            # Smartsheet refuses children under a blank row (error 1185).
            raise ApiError(1185)
        return ("last_child" if loc.get("toBottom") else "first_child"), parent
    return ("top" if loc.get("toTop") else "bottom"), None


def place(sheet: Sheet, block: list[Row], mode: str, anchor: Row | None) -> None:
    """Insert a block (already out of the list) at a resolved location."""
    if mode == "top":
        sheet.insert_block(block, 0, None)
    elif mode == "bottom":
        sheet.insert_block(block, len(sheet.rows), None)
    elif mode == "first_child":
        sheet.insert_block(block, sheet.position(anchor) + 1, anchor.id)
    elif mode == "last_child":
        sheet.insert_block(block, sheet.last_child_end(anchor.id), anchor.id)
    elif mode == "after":
        at = sheet.subtree_end(sheet.position(anchor))
        sheet.insert_block(block, at, anchor.parent_id)
    else:  # above
        sheet.insert_block(block, sheet.position(anchor), anchor.parent_id)


def move(sheet: Sheet, row: Row, mode: str, anchor: Row | None) -> None:
    if mode == "indent":
        start = sheet.position(row)
        previous = None
        for candidate in reversed(sheet.rows[:start]):
            if candidate.level < row.level:
                break
            if candidate.level == row.level:
                previous = candidate
                break
        if previous is None:
            raise ApiError(1062)
        for r in sheet.rows[start:sheet.subtree_end(start)]:
            r.level += 1
        row.parent_id = previous.id
    elif mode == "outdent":
        if row.parent_id is None:
            raise ApiError(1062)
        parent = sheet.index[row.parent_id]
        start = sheet.position(row)
        end = sheet.subtree_end(start)
        parent_end = sheet.subtree_end(sheet.position(parent))
        # Display order stays: the row's later siblings become its children.
        for r in sheet.rows[end:parent_end]:
            if r.parent_id == parent.id:
                r.parent_id = row.id
        for r in sheet.rows[start:end]:
            r.level -= 1
        row.parent_id = parent.parent_id
    else:
        block = sheet.take_block(row)
        place(sheet, block, mode, anchor)


# -- the three bulk operations -------------------------------------------------------
def _fail(partial: bool, failed: list, index: int, row_id: int | None, err: ApiError) -> None:
    if not partial:
        detail = {"index": index}
        if row_id is not None:
            detail["rowId"] = row_id
        err.detail = detail
        raise err
    failed.append({"index": index, "rowId": row_id, "error": err.body()})


def _result(sheet: Sheet, rows: list[Row], written: dict[int, set[int]], failed: list,
            partial: bool, ctx: WriteContext) -> dict:
    """The write's answer: each row with its cells, a written cell that is now empty as
    ``{"columnId": ...}`` (recorded scenarios "Update Rows - Clear Value - ...")."""
    by_id = {r["id"]: r for r in sheet.rows_json(rows, col_ids=None, include=set(),
                                                 users=ctx.users_by_id, skip_empty=True)}
    result = []
    for row in rows:
        item = by_id[row.id]
        item["sheetId"] = sheet.id
        cleared = written.get(row.id, set()) - set(row.cells)
        if cleared:
            present = {c["columnId"]: c for c in item["cells"]}
            item["cells"] = [present.get(c["id"]) or {"columnId": c["id"]}
                             for c in sheet.columns
                             if c["id"] in present or c["id"] in cleared]
        result.append(item)
    body = {"message": "SUCCESS", "resultCode": 0, "result": result, "version": sheet.version}
    if partial and failed:
        body.update(message="PARTIAL_SUCCESS", resultCode=3, failedItems=failed)
    return body


def add_rows(sheet: Sheet, body: object, ctx: WriteContext, *, partial: bool
             ) -> tuple[dict, list[dict]]:
    items = _as_list(body, "row")
    require_rank(ctx, "EDITOR")
    locations = [_location(item) for item in items]
    if any(loc != locations[0] for loc in locations):
        raise ApiError(1123)  # all rows of one add go to the same place
    mode, anchor = resolve_target(sheet, locations[0], None)
    columns = sheet.column_map()
    failed: list = []
    prepared: list[tuple[dict, dict]] = []
    for index, item in enumerate(items):
        try:
            if item.get("id") is not None:
                raise ApiError(1032, "row.id")
            prepared.append((item, parse_cells(sheet, item.get("cells"), ctx, columns)))
        except ApiError as err:
            _fail(partial, failed, index, None, err)
    if (len(sheet.rows) + len(prepared)) * len(sheet.columns) > MAX_CELLS:
        raise ApiError(1061, "cells")
    events: list[dict] = []
    new_rows = []
    written: dict[int, set[int]] = {}
    for item, parsed in prepared:
        row = Row(ctx.new_id(), at=ctx.at, ts=ctx.ts, user_id=ctx.user["id"])
        row.expanded = item.get("expanded", True) is not False
        row.locked = bool(item.get("locked")) and ctx.rank >= RANK["ADMIN"]
        events.append({"objectType": "row", "eventType": "created", "id": row.id})
        events.extend(apply_cells(sheet, row, parsed, ctx, created=True))
        written[row.id] = set(parsed)
        new_rows.append(row)
    if new_rows:
        for row in new_rows:
            sheet.index[row.id] = row
        place(sheet, new_rows, mode, anchor)
        recalc.recalculate(sheet, new_rows)
        touch(sheet, ctx)
        for row in new_rows:  # encode now: writes are small, a big GET must be fast
            sheet.encoded_cells(row)
    return _result(sheet, new_rows, written, failed, partial, ctx), events


def update_rows(sheet: Sheet, body: object, ctx: WriteContext, *, partial: bool
                ) -> tuple[dict, list[dict]]:
    items = _as_list(body, "row")
    require_rank(ctx, "EDITOR")
    columns = sheet.column_map()
    failed: list = []
    prepared: list[tuple[int, Row, dict, dict]] = []
    for index, item in enumerate(items):
        row_id = item.get("id")
        try:
            if row_id is None:
                raise ApiError(1012, "row.id")
            row = sheet.index.get(row_id)
            if row is None:
                raise ApiError(1006)
            if item.get("locked") is not None and ctx.rank < RANK["ADMIN"]:
                raise ApiError(1004)
            prepared.append((index, row, item, parse_cells(sheet, item.get("cells"), ctx,
                                                           columns)))
        except ApiError as err:
            _fail(partial, failed, index, row_id, err)
    # Moves run in request order; without partial success a failing move undoes them all.
    snapshot = (list(sheet.rows), {r.id: (r.parent_id, r.level) for r in sheet.rows})
    events: list[dict] = []
    done = []
    for index, row, item, parsed in prepared:
        loc = _location(item)
        try:
            if loc:
                move(sheet, row, *resolve_target(sheet, loc, row))
                events.append({"objectType": "row", "eventType": "updated", "id": row.id})
        except ApiError as err:
            if not partial:
                sheet.rows = snapshot[0]
                for r in sheet.rows:
                    r.parent_id, r.level = snapshot[1][r.id]
            _fail(partial, failed, index, row.id, err)
            continue
        done.append((row, item, parsed, bool(loc)))
    updated = []
    written: dict[int, set[int]] = {}
    for row, item, parsed, moved in done:
        cell_events = apply_cells(sheet, row, parsed, ctx, created=False)
        written[row.id] = set(parsed)
        if item.get("expanded") is not None:
            row.expanded = bool(item["expanded"])
        if item.get("locked") is not None:
            row.locked = bool(item["locked"])
        if cell_events and not moved:
            events.append({"objectType": "row", "eventType": "updated", "id": row.id})
        if moved and not cell_events:
            row.modified_at, row.modified_ts = ctx.at, ctx.ts
        events.extend(cell_events)
        updated.append(row)
    if events:
        recalc.recalculate(sheet, updated)
        touch(sheet, ctx)
    return _result(sheet, updated, written, failed, partial, ctx), events


def delete_rows(sheet: Sheet, ids: list[int], ctx: WriteContext, *, ignore_missing: bool
                ) -> tuple[dict, list[dict]]:
    require_rank(ctx, "EDITOR")
    if not ids:
        raise ApiError(1009, "ids")
    missing = [i for i in ids if i not in sheet.index]
    if missing and not ignore_missing:
        raise ApiError(1006)
    deleted = sheet.delete_rows(ids)
    if deleted:
        recalc.recalculate(sheet, [])  # formulas that reach other rows see the gap
        touch(sheet, ctx)
    events = [{"objectType": "row", "eventType": "deleted", "id": i} for i in deleted]
    return {"message": "SUCCESS", "resultCode": 0, "result": deleted,
            "version": sheet.version}, events


