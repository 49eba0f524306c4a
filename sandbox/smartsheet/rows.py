"""Bulk row writes: add, update (with moves), delete; cells, locations, partial success.

Without ``allowPartialSuccess`` a write is all or nothing: the first failing row fails the
call with ``detail.index``. With it, failing rows go to ``failedItems`` and the rest apply.
Every function returns ``(response body, webhook events)`` and leaves the sheet unchanged
when it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cells import ParsedCell, parse_object_value, parse_value
from .errors import ApiError
from .model import RANK, Row, Sheet

MAX_ROWS_PER_CALL = 500
MAX_CELLS = 500_000
_LOCATION_KEYS = ("toTop", "toBottom", "parentId", "siblingId", "above", "indent", "outdent")
_EMPTY = object()


@dataclass
class WriteContext:
    """Who writes, and when."""

    user: dict
    access_level: str
    at: str
    ts: float
    new_id: Callable[[], int]
    users_by_email: dict[str, dict]
    users_by_id: dict[int, dict]

    @property
    def rank(self) -> int:
        return RANK[self.access_level]


def require_rank(ctx: WriteContext, level: str) -> None:
    if ctx.rank < RANK[level]:
        raise ApiError(1004)


def _as_list(body: object, what: str) -> list[dict]:
    items = [body] if isinstance(body, dict) else body
    if not isinstance(items, list) or not items or not all(isinstance(r, dict) for r in items):
        raise ApiError(1008, f"expected a {what} object or a non-empty array of them")
    if len(items) > MAX_ROWS_PER_CALL:
        raise ApiError(1061, "rows")
    return items


# -- cells ---------------------------------------------------------------------------
def parse_cells(sheet: Sheet, cells_in: object, ctx: WriteContext,
                columns: dict[int, dict]) -> dict[int, ParsedCell | None]:
    """Validate a row's cells; ``None`` means "clear this cell"."""
    if cells_in is None:
        return {}
    if not isinstance(cells_in, list):
        raise ApiError(1008, "row.cells must be an array")
    parsed: dict[int, ParsedCell | None] = {}
    for cell in cells_in:
        if not isinstance(cell, dict) or "columnId" not in cell:
            raise ApiError(1012, "cell.columnId")
        cid = cell["columnId"]
        column = columns.get(cid)
        if column is None:
            raise ApiError(1036, cid)
        if cid in parsed:
            raise ApiError(1037, cid)
        if column.get("systemColumnType"):
            raise ApiError(1046, cid)
        if column.get("locked") and ctx.rank < RANK["ADMIN"]:
            raise ApiError(1039, cid)
        for key in ("formula", "linkInFromCell"):
            if cell.get(key) is not None:
                raise ApiError(1032, f"cell.{key}")
        strict = cell.get("strict", True) is not False
        value = cell.get("value", _EMPTY)
        if cell.get("objectValue") is not None and value not in (_EMPTY, None):
            raise ApiError(1130)
        hyperlink = cell.get("hyperlink")
        if hyperlink is not None:
            if not isinstance(hyperlink, dict) or not hyperlink.get("url"):
                raise ApiError(1117)
            if not isinstance(value, str) or not value:
                raise ApiError(1113)
            result = parse_value(column, value, strict=strict,
                                 users_by_email=ctx.users_by_email, hyperlink=True)
            result.cell["hyperlink"] = {"url": str(hyperlink["url"])}
            parsed[cid] = result
            continue
        if cell.get("objectValue") is not None:
            parsed[cid] = parse_object_value(column, cell["objectValue"], strict=strict,
                                             users_by_email=ctx.users_by_email)
            continue
        if value is _EMPTY or value is None or value == "":
            parsed[cid] = None
            continue
        if not isinstance(value, str | int | float | bool):
            raise ApiError(1038)
        parsed[cid] = parse_value(column, value, strict=strict,
                                  users_by_email=ctx.users_by_email)
    return parsed


def apply_cells(sheet: Sheet, row: Row, parsed: dict[int, ParsedCell | None],
                ctx: WriteContext, *, created: bool) -> list[dict]:
    """Write parsed cells, keep cell history, stamp the row; return webhook events."""
    events = []
    changed = False
    for cid, result in parsed.items():
        old = row.cells.get(cid)
        if result is None:
            if old is None:
                continue
            del row.cells[cid]
            row.objv.pop(cid, None)
            entry = [None, None, ctx.at, ctx.user["id"]]
            event = "deleted"
        else:
            if old == result.cell and row.objv.get(cid) == result.object_value:
                continue
            row.cells[cid] = result.cell
            if result.object_value is not None:
                row.objv[cid] = result.object_value
            else:
                row.objv.pop(cid, None)
            entry = [result.cell["value"], result.cell.get("displayValue"), ctx.at,
                     ctx.user["id"]]
            event = "created" if old is None else "updated"
        sheet.history.setdefault(f"{row.id}:{cid}", []).append(entry)
        events.append({"objectType": "cell", "eventType": event, "rowId": row.id,
                       "columnId": cid})
        changed = True
    if changed or created:
        row.cells_json = None
        row.modified_at, row.modified_ts, row.modified_by = ctx.at, ctx.ts, ctx.user["id"]
        stamp_system_cells(sheet, row, ctx, created=created)
    return events


def stamp_system_cells(sheet: Sheet, row: Row, ctx: WriteContext, *, created: bool) -> None:
    """Fill system columns (auto number, created/modified date and by)."""
    row.cells_json = None
    for column in sheet.columns:
        kind = column.get("systemColumnType")
        if not kind:
            continue
        cid = column["id"]
        if kind == "AUTO_NUMBER" and created:
            sheet.auto_number += 1
            fmt = column.get("autoNumberFormat") or {}
            number = str(fmt.get("startingNumber", 1) + sheet.auto_number - 1)
            number = number.zfill(len(fmt.get("fill", "")))
            text = f"{fmt.get('prefix', '')}{number}{fmt.get('suffix', '')}"
            row.cells[cid] = {"columnId": cid, "value": text, "displayValue": text}
        elif kind == "CREATED_DATE" and created or kind == "MODIFIED_DATE":
            row.cells[cid] = {"columnId": cid, "value": row.modified_at,
                              "displayValue": row.modified_at}
        elif kind == "CREATED_BY" and created or kind == "MODIFIED_BY":
            user = ctx.user
            row.cells[cid] = {"columnId": cid, "value": user["email"],
                              "displayValue": user["name"]}
            row.objv[cid] = {"objectType": "CONTACT", "email": user["email"],
                             "name": user["name"]}


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


def _result(sheet: Sheet, rows: list[Row], failed: list, partial: bool, ctx: WriteContext
            ) -> dict:
    by_id = {r["id"]: r for r in sheet.rows_json(rows, col_ids=None, include=set(),
                                                 users=ctx.users_by_id, skip_empty=True)}
    result = []
    for row in rows:
        item = by_id[row.id]
        item["sheetId"] = sheet.id
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
    for item, parsed in prepared:
        row = Row(ctx.new_id(), at=ctx.at, ts=ctx.ts, user_id=ctx.user["id"])
        row.expanded = item.get("expanded", True) is not False
        row.locked = bool(item.get("locked")) and ctx.rank >= RANK["ADMIN"]
        events.append({"objectType": "row", "eventType": "created", "id": row.id})
        events.extend(apply_cells(sheet, row, parsed, ctx, created=True))
        new_rows.append(row)
    if new_rows:
        for row in new_rows:
            sheet.index[row.id] = row
        place(sheet, new_rows, mode, anchor)
        touch(sheet, ctx)
        for row in new_rows:  # encode now: writes are small, a big GET must be fast
            sheet.encoded_cells(row)
    return _result(sheet, new_rows, failed, partial, ctx), events


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
    for row, item, parsed, moved in done:
        cell_events = apply_cells(sheet, row, parsed, ctx, created=False)
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
        touch(sheet, ctx)
    return _result(sheet, updated, failed, partial, ctx), events


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
        touch(sheet, ctx)
    events = [{"objectType": "row", "eventType": "deleted", "id": i} for i in deleted]
    return {"message": "SUCCESS", "resultCode": 0, "result": deleted,
            "version": sheet.version}, events


def touch(sheet: Sheet, ctx: WriteContext) -> None:
    """Every change raises the sheet's version."""
    sheet.version += 1
    sheet.modified_at = ctx.at
