"""Column validation and the column operations (add with index, update, delete).

A column's ``version`` says which complex type it holds: 0 text and others, 1
MULTI_CONTACT_LIST, 2 MULTI_PICKLIST ("Complex column types and compatibility"). Column
formulas (``formula``) may only reach the same row (``@row``), else 1310; system columns
cannot hold one (1303) (published error-code list).
"""

from __future__ import annotations

from . import formulas, recalc
from .cells import OPTION_TYPES, RESERVED_TYPES, SYSTEM_TYPES, USER_TYPES, VALIDATION_TYPES
from .errors import ApiError
from .model import Sheet
from .rows import MAX_CELLS, WriteContext, require_rank, stamp_system_cells, touch

MAX_COLUMNS = 400
_SETTABLE = {"title", "type", "options", "index", "locked", "width", "validation",
             "contactOptions", "systemColumnType", "autoNumberFormat", "primary", "id",
             "description", "format", "hidden", "version", "formula"}
_TYPE_VERSION = {"MULTI_CONTACT_LIST": 1, "MULTI_PICKLIST": 2}


def _check_type(ctype: object, system: object) -> None:
    """DATETIME only with a created/modified-date system type; project types never
    ("Columns — Column Types": the API cannot set them)."""
    if ctype == "DATETIME" and system in ("CREATED_DATE", "MODIFIED_DATE"):
        return
    if ctype in RESERVED_TYPES:
        raise ApiError(1142, ctype)
    if ctype not in USER_TYPES:
        raise ApiError(1031, ctype, "type")


def _set_validation(column: dict, body: dict) -> None:
    if "validation" not in body:
        return
    wanted = bool(body["validation"])
    if wanted and column["type"] not in VALIDATION_TYPES:
        raise ApiError(1210, column["type"])
    column["validation"] = wanted


def _set_formula(column: dict, body: dict) -> None:
    if "formula" not in body:
        return
    formula = body["formula"]
    if formula in (None, ""):
        column.pop("formula", None)
        return
    if column.get("systemColumnType"):
        raise ApiError(1303)
    if not isinstance(formula, str) or not formula.startswith("="):
        raise ApiError(1162)
    if not formulas.row_only(formula):
        raise ApiError(1310)
    column["formula"] = formula


def build_column(body: object, *, column_id: int, taken_titles: set[str],
                 taken_system: set[str], creating_sheet: bool) -> dict:
    """Validate one requested column; return the stored column dict."""
    if not isinstance(body, dict):
        raise ApiError(1008, "a column must be an object")
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(1012, "column.title")
    if title.strip().lower() in taken_titles:
        raise ApiError(1056)
    ctype = body.get("type")
    if ctype is None:
        raise ApiError(1012, "column.type")
    _check_type(ctype, body.get("systemColumnType"))
    column = {"id": column_id, "version": _TYPE_VERSION.get(ctype, 0), "index": 0,
              "title": title.strip(), "type": ctype, "validation": False,
              "width": int(body.get("width") or 150)}
    if body.get("primary"):
        if not creating_sheet:
            raise ApiError(1032, "column.primary")
        if ctype != "TEXT_NUMBER":
            raise ApiError(1057)
        column["primary"] = True
    system = body.get("systemColumnType")
    if system is not None:
        if system not in SYSTEM_TYPES:
            raise ApiError(1031, system, "systemColumnType")
        if SYSTEM_TYPES[system] != ctype:
            raise ApiError(1079, ctype, system)
        if system in taken_system:
            raise ApiError(1077, system)
        column["systemColumnType"] = system
        if system == "AUTO_NUMBER" and isinstance(body.get("autoNumberFormat"), dict):
            column["autoNumberFormat"] = body["autoNumberFormat"]
    _set_options(column, body)
    _set_validation(column, body)
    _set_formula(column, body)
    if body.get("locked"):
        column["locked"] = True
    return column


def _set_options(column: dict, body: dict) -> None:
    options = body.get("options")
    if options is not None:
        if column["type"] not in ("PICKLIST", "MULTI_PICKLIST"):
            raise ApiError(1060, column["type"])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ApiError(1031, options, "options")
        column["options"] = list(options)
    elif column["type"] not in ("PICKLIST", "MULTI_PICKLIST"):
        column.pop("options", None)
    contacts = body.get("contactOptions")
    if contacts is not None:
        if column["type"] not in OPTION_TYPES[2:]:
            raise ApiError(1060, column["type"])
        column["contactOptions"] = [{"email": c.get("email"), "name": c.get("name")}
                                    for c in contacts if isinstance(c, dict)]


def new_sheet_columns(requested: object, new_id) -> list[dict]:
    if not isinstance(requested, list) or not requested:
        raise ApiError(1054)
    if len(requested) > MAX_COLUMNS:
        raise ApiError(1061, "columns")
    titles: set[str] = set()
    system: set[str] = set()
    columns = []
    for body in requested:
        column = build_column(body, column_id=new_id(), taken_titles=titles,
                              taken_system=system, creating_sheet=True)
        titles.add(column["title"].lower())
        system.add(column.get("systemColumnType", ""))
        columns.append(column)
    if sum(1 for c in columns if c.get("primary")) != 1:
        raise ApiError(1055)
    for i, column in enumerate(columns):
        column["index"] = i
    return columns


def add_columns(sheet: Sheet, body: object, ctx: WriteContext) -> tuple[dict, list[dict]]:
    """``POST /sheets/{id}/columns``: each column needs an ``index`` (0..column count)."""
    require_rank(ctx, "ADMIN")
    items = [body] if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise ApiError(1008, "expected a column object or an array of them")
    if len(sheet.columns) + len(items) > MAX_COLUMNS:
        raise ApiError(1061, "columns")
    if len(sheet.rows) * (len(sheet.columns) + len(items)) > MAX_CELLS:
        raise ApiError(1061, "cells")
    titles = {c["title"].lower() for c in sheet.columns}
    system = {c.get("systemColumnType", "") for c in sheet.columns}
    added = []
    pending = list(sheet.columns)
    for body_item in items:
        index = body_item.get("index") if isinstance(body_item, dict) else None
        if not isinstance(index, int) or isinstance(index, bool):
            raise ApiError(1012, "column.index")
        if not 0 <= index <= len(pending):
            raise ApiError(1018, index, "index")
        column = build_column(body_item, column_id=ctx.new_id(), taken_titles=titles,
                              taken_system=system, creating_sheet=False)
        titles.add(column["title"].lower())
        system.add(column.get("systemColumnType", ""))
        pending.insert(index, column)
        added.append(column)
    sheet.columns = pending
    sheet.reindex_columns()
    sheet.layout += 1
    if any(c.get("systemColumnType") for c in added):
        for row in sheet.rows:  # system values exist for rows made before the column
            stamp_system_cells(sheet, row, _as_row_writer(ctx, row), created=True)
    if any(c.get("formula") for c in added):
        recalc.recalculate(sheet)
    touch(sheet, ctx)
    events = [{"objectType": "column", "eventType": "created", "id": c["id"]} for c in added]
    return {"message": "SUCCESS", "resultCode": 0, "result": added,
            "version": sheet.version}, events


def _as_row_writer(ctx: WriteContext, row) -> WriteContext:
    user = ctx.users_by_id.get(row.created_by, ctx.user)
    return WriteContext(user=user, access_level=ctx.access_level, at=row.created_at,
                        ts=row.modified_ts, new_id=ctx.new_id,
                        users_by_email=ctx.users_by_email, users_by_id=ctx.users_by_id)


def update_column(sheet: Sheet, column_id: int, body: object, ctx: WriteContext
                  ) -> tuple[dict, list[dict]]:
    require_rank(ctx, "ADMIN")
    if not isinstance(body, dict):
        raise ApiError(1008, "a column must be an object")
    column = sheet.column(column_id)
    unknown = set(body) - _SETTABLE
    if unknown:
        raise ApiError(1032, ", ".join(sorted(unknown)))
    if "primary" in body and bool(body["primary"]) != bool(column.get("primary")):
        raise ApiError(1032, "column.primary")
    updated = dict(column)
    if "title" in body:
        title = body["title"]
        if not isinstance(title, str) or not title.strip():
            raise ApiError(1031, title, "title")
        others = {c["title"].lower() for c in sheet.columns if c["id"] != column_id}
        if title.strip().lower() in others:
            raise ApiError(1056)
        updated["title"] = title.strip()
    if "type" in body and body["type"] != column["type"]:
        _check_type(body["type"], None)
        if column.get("primary") or column.get("systemColumnType"):
            raise ApiError(1057 if column.get("primary") else 1065)
        updated["type"] = body["type"]
        updated["version"] = _TYPE_VERSION.get(body["type"], 0)
        if updated["type"] not in VALIDATION_TYPES:
            updated["validation"] = False
    _set_options(updated, body)
    _set_validation(updated, body)
    _set_formula(updated, body)
    if "locked" in body:
        updated["locked"] = bool(body["locked"])
    if "width" in body:
        updated["width"] = int(body["width"])
    position = sheet.columns.index(column)
    sheet.columns[position] = updated
    if "index" in body and body["index"] != position:
        index = body["index"]
        if not isinstance(index, int) or not 0 <= index < len(sheet.columns):
            sheet.columns[position] = column
            raise ApiError(1018, index, "index")
        sheet.columns.insert(index, sheet.columns.pop(position))
    sheet.reindex_columns()
    sheet.layout += 1
    if column.get("formula") != updated.get("formula"):
        _formula_changed(sheet, column_id, bool(updated.get("formula")))
    touch(sheet, ctx)
    return ({"message": "SUCCESS", "resultCode": 0, "result": updated,
             "version": sheet.version},
            [{"objectType": "column", "eventType": "updated", "id": column_id}])


def delete_column(sheet: Sheet, column_id: int, ctx: WriteContext) -> tuple[dict, list[dict]]:
    require_rank(ctx, "ADMIN")
    column = sheet.column(column_id)
    if column.get("primary"):
        raise ApiError(1065)
    sheet.columns.remove(column)
    sheet.reindex_columns()
    sheet.layout += 1
    for row in sheet.rows:
        row.cells.pop(column_id, None)
        row.objv.pop(column_id, None)
    suffix = f":{column_id}"
    sheet.history = {k: v for k, v in sheet.history.items() if not k.endswith(suffix)}
    recalc.recalculate(sheet)  # formulas naming the column become #UNPARSEABLE
    touch(sheet, ctx)
    return ({"message": "SUCCESS", "resultCode": 0, "version": sheet.version},
            [{"objectType": "column", "eventType": "deleted", "id": column_id}])


def _formula_changed(sheet: Sheet, column_id: int, has_formula: bool) -> None:
    """A column formula was set (every cell computed) or removed (the computed values
    stay as plain values)."""
    if not has_formula:
        for row in sheet.rows:
            cell = row.cells.get(column_id)
            if cell and "formula" in cell:
                plain = {k: v for k, v in cell.items() if k != "formula"}
                if "value" in plain:
                    row.cells[column_id] = plain
                else:
                    del row.cells[column_id]
                row.cells_json = None
    recalc.recalculate(sheet)
