"""The API handlers: users, sheets, columns, rows, shares, cell history, webhooks.

Each handler is ``handler(emu, call) -> (status, body)`` and runs under the emulator's
lock; ``call`` carries the request, the signed-in user and the numeric path ids.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.wrappers import Request

from . import columns as column_ops
from . import rows as row_ops
from .errors import ApiError
from .model import RANK, Sheet


@dataclass
class Call:
    request: Request
    user: dict
    ids: list[int]
    change_agent: str | None

    def arg(self, name: str) -> str | None:
        return self.request.args.get(name)

    def flag(self, name: str) -> bool:
        # The SDK sends Python booleans as "True"/"False".
        return (self.arg(name) or "").lower() == "true"

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        raw = self.arg(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except ValueError:
            raise ApiError(1018, raw, name) from None

    def id_list(self, name: str) -> list[int] | None:
        raw = self.arg(name)
        if not raw:
            return None
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise ApiError(1018, raw, name) from None

    def json(self) -> object:
        body = self.request.get_data()
        if not body:
            raise ApiError(1024)
        try:
            return self.request.get_json(force=True)
        except Exception:
            raise ApiError(1008, "malformed JSON") from None


#: The lowest ``level`` at which a complex column shows its own type; below it the column
#: reads as TEXT_NUMBER and its cells as plain strings ("Complex column types and
#: compatibility": multi-contact is level 1, multi-picklist level 2).
_COMPLEX_LEVEL = {"MULTI_CONTACT_LIST": 1, "MULTI_PICKLIST": 2}


def level_of(call: Call) -> int:
    return call.int_arg("level", 0) or 0


def column_view(column: dict, level: int) -> dict:
    """The column as a client asking for ``level`` sees it."""
    needed = _COMPLEX_LEVEL.get(column["type"])
    if needed is None or level >= needed:
        return column
    return {k: v for k, v in column.items() if k not in ("options", "contactOptions")} | {
        "type": "TEXT_NUMBER"}


def plain_columns(columns: list[dict], level: int) -> frozenset[int]:
    """Ids of the complex columns that the ``level`` does not reach."""
    return frozenset(c["id"] for c in columns
                     if _COMPLEX_LEVEL.get(c["type"], 0) > level)


def page(items: list, call: Call, default_size: int = 100) -> dict:
    """Smartsheet's list envelope with ``page``, ``pageSize`` and ``includeAll``."""
    total = len(items)
    if call.flag("includeAll"):
        return {"pageNumber": 1, "pageSize": total, "totalPages": 1, "totalCount": total,
                "data": items}
    size = max(1, call.int_arg("pageSize", default_size))
    pages = max(1, math.ceil(total / size))
    number = min(max(1, call.int_arg("page", 1)), pages)  # past the end: the last page
    return {"pageNumber": number, "pageSize": size, "totalPages": pages, "totalCount": total,
            "data": items[(number - 1) * size:number * size]}


def user_json(user: dict) -> dict:
    return {"id": user["id"], "email": user["email"], "name": user["name"],
            "firstName": user["firstName"], "lastName": user["lastName"],
            "admin": user["admin"], "licensedSheetCreator": True, "groupAdmin": user["admin"],
            "resourceViewer": user["admin"], "status": "ACTIVE"}


# -- users ---------------------------------------------------------------------------
def users_me(emu, call: Call) -> tuple[int, dict]:
    return 200, {**user_json(call.user), "locale": "en_US", "timeZone": "UTC",
                 "account": {"id": emu.account_id, "name": "Sheetforce Sandbox"},
                 "alternateEmails": []}


def users_list(emu, call: Call) -> tuple[int, dict]:
    users = [user_json(u) for u in emu.users.values()]
    emails = call.arg("email")
    if emails:
        wanted = {e.strip().lower() for e in emails.split(",")}
        users = [u for u in users if u["email"] in wanted]
    return 200, page(users, call)


# -- sheets --------------------------------------------------------------------------
def sheets_list(emu, call: Call) -> tuple[int, dict]:
    uid = call.user["id"]
    visible = sorted((s for s in emu.sheets.values() if uid in s.shares),
                     key=lambda s: (s.name.lower(), s.id))
    include = set((call.arg("include") or "").split(","))
    items = []
    for sheet in visible:
        item = sheet.summary(sheet.shares[uid])
        if "sheetVersion" in include:
            item["version"] = sheet.version
        if "ownerInfo" in include:
            item["owner"] = emu.users[sheet.owner_id]["email"]
            item["ownerId"] = sheet.owner_id
        items.append(item)
    return 200, page(items, call)


def sheet_create(emu, call: Call) -> tuple[int, dict]:
    body = call.json()
    if not isinstance(body, dict):
        raise ApiError(1008, "expected a sheet object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(1012, "name")
    columns = column_ops.new_sheet_columns(body.get("columns"), emu.new_id)
    sheet = Sheet(emu.new_id(), name.strip(), call.user["id"], emu.now_iso())
    sheet.columns = columns
    emu.sheets[sheet.id] = sheet
    return 200, {"message": "SUCCESS", "resultCode": 0,
                 "result": {**sheet.summary("OWNER"), "columns": columns}}


def _since(raw: str) -> float:
    try:
        if raw.isdigit():
            return int(raw) / 1000.0
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(1018, raw, "rowsModifiedSince") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def sheet_get(emu, call: Call) -> tuple[int, dict]:
    sheet, level = emu.sheet_for(call, "VIEWER")
    after = call.int_arg("ifVersionAfter")
    if after is not None and sheet.version <= after:
        return 200, {"version": sheet.version}
    include = set((call.arg("include") or "").split(","))
    exclude = set((call.arg("exclude") or "").split(","))
    col_ids = call.id_list("columnIds")
    columns = sheet.columns
    if col_ids is not None:
        known = {c["id"] for c in columns}
        bad = [c for c in col_ids if c not in known]
        if bad:
            raise ApiError(1036, bad[0])
        wanted_cols = set(col_ids)
        columns = [c for c in columns if c["id"] in wanted_cols]
        col_ids = [c["id"] for c in columns]
    rows = None
    row_ids = call.id_list("rowIds")
    if row_ids is not None:
        wanted = set(row_ids)
        rows = [r for r in sheet.rows if r.id in wanted]
    numbers = call.id_list("rowNumbers")
    if numbers is not None:
        wanted_numbers = set(numbers)
        rows = [r for n, r in enumerate(sheet.rows, 1) if n in wanted_numbers
                and (rows is None or r in rows)]
    since = call.arg("rowsModifiedSince")
    if since:
        threshold = _since(since)
        rows = [r for r in (sheet.rows if rows is None else rows) if r.modified_ts >= threshold]
    if call.arg("page") or call.arg("pageSize"):
        size = max(1, call.int_arg("pageSize", 100))
        number = max(1, call.int_arg("page", 1))
        rows = (sheet.rows if rows is None else rows)[(number - 1) * size:number * size]
    api_level = level_of(call)
    plain = plain_columns(columns, api_level)
    columns = [column_view(c, api_level) for c in columns] if plain else columns
    out = {"id": sheet.id, "name": sheet.name, "version": sheet.version,
           "totalRowCount": len(sheet.rows), "accessLevel": level,
           "effectiveAttachmentOptions": ["FILE", "LINK"], "ganttEnabled": False,
           "dependenciesEnabled": False, "resourceManagementEnabled": False,
           "cellImageUploadEnabled": True, "hasSummaryFields": False,
           "isMultiPicklistEnabled": True,
           "userSettings": {"criticalPathEnabled": False, "displaySummaryTasks": True},
           "userPermissions": {"summaryPermissions": "ADMIN" if RANK[level] >= RANK["ADMIN"]
                               else "READ_WRITE" if RANK[level] >= RANK["EDITOR"]
                               else "READ_ONLY"},
           "permalink": sheet.summary(level)["permalink"],
           "createdAt": sheet.created_at, "modifiedAt": sheet.modified_at,
           "columns": columns}
    if "ownerInfo" in include:
        out["owner"] = emu.users[sheet.owner_id]["email"]
        out["ownerId"] = sheet.owner_id
    skip_empty = "nonexistentCells" in exclude
    if col_ids is None and not skip_empty and not include & {"objectValue", "writerInfo",
                                                             "rowWriterInfo"}:
        head = json.dumps(out)[:-1]
        return 200, f'{head}, "rows": {sheet.encoded_rows(rows)}}}'
    out["rows"] = sheet.rows_json(rows, col_ids=col_ids, include=include, users=emu.users,
                                  skip_empty=skip_empty, plain=plain)
    return 200, out


def sheet_version(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "VIEWER")
    return 200, {"version": sheet.version}


def sheet_update(emu, call: Call) -> tuple[int, dict]:
    sheet, level = emu.sheet_for(call, "ADMIN")
    body = call.json()
    if not isinstance(body, dict):
        raise ApiError(1008, "expected a sheet object")
    name = body.get("name")
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise ApiError(1031, name, "name")
        sheet.name = name.strip()
        ctx = emu.write_context(call, level)
        row_ops.touch(sheet, ctx)
        emu.notify(sheet, [{"objectType": "sheet", "eventType": "updated", "id": sheet.id}],
                   call)
    return 200, {"message": "SUCCESS", "resultCode": 0, "version": sheet.version,
                 "result": sheet.summary(level)}


def sheet_delete(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "OWNER")
    emu.remove_sheet(sheet.id)
    return 200, {"message": "SUCCESS", "resultCode": 0}


# -- columns -------------------------------------------------------------------------
def columns_list(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "VIEWER")
    level = level_of(call)
    return 200, page([column_view(c, level) for c in sheet.columns], call)


def column_get(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "VIEWER")
    return 200, column_view(sheet.column(call.ids[1]), level_of(call))


def _write(emu, call: Call, minimum: str, operation) -> tuple[int, dict]:
    sheet, level = emu.sheet_for(call, minimum)
    ctx = emu.write_context(call, level)
    ctx.override_validation = call.flag("overrideValidation")
    body, events = operation(sheet, ctx)
    if events:
        emu.notify(sheet, events, call)
    return 200, body


def columns_add(emu, call: Call):
    return _write(emu, call, "VIEWER", lambda s, c: column_ops.add_columns(s, call.json(), c))


def column_update(emu, call: Call):
    return _write(emu, call, "VIEWER",
                  lambda s, c: column_ops.update_column(s, call.ids[1], call.json(), c))


def column_delete(emu, call: Call):
    return _write(emu, call, "VIEWER",
                  lambda s, c: column_ops.delete_column(s, call.ids[1], c))


# -- rows ----------------------------------------------------------------------------
def _single(body_in: object, answer: tuple[int, dict]) -> tuple[int, dict]:
    """One row object in, one row object out ("Optional bulk operations")."""
    status, body = answer
    if isinstance(body_in, dict) and isinstance(body.get("result"), list) \
            and len(body["result"]) == 1 and "failedItems" not in body:
        body["result"] = body["result"][0]
    return status, body


def rows_add(emu, call: Call):
    body = call.json()
    return _single(body, _write(emu, call, "VIEWER", lambda s, c: row_ops.add_rows(
        s, body, c, partial=call.flag("allowPartialSuccess"))))


def rows_update(emu, call: Call):
    body = call.json()
    return _single(body, _write(emu, call, "VIEWER", lambda s, c: row_ops.update_rows(
        s, body, c, partial=call.flag("allowPartialSuccess"))))


def rows_delete(emu, call: Call):
    ids = call.id_list("ids") or []
    return _write(emu, call, "VIEWER", lambda s, c: row_ops.delete_rows(
        s, ids, c, ignore_missing=call.flag("ignoreRowsNotFound")))


def row_get(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "VIEWER")
    row = sheet.index.get(call.ids[1])
    if row is None:
        raise ApiError(1006)
    include = set((call.arg("include") or "").split(","))
    item = sheet.rows_json([row], col_ids=None, include=include, users=emu.users,
                           plain=plain_columns(sheet.columns, level_of(call)))[0]
    return 200, {**item, "sheetId": sheet.id, "accessLevel": sheet.shares[call.user["id"]]}


def cell_history(emu, call: Call) -> tuple[int, dict]:
    sheet, _ = emu.sheet_for(call, "VIEWER")
    row_id, column_id = call.ids[1], call.ids[2]
    if row_id not in sheet.index:
        raise ApiError(1006)
    sheet.column(column_id)
    items = []
    for value, display, at, uid in reversed(sheet.history.get(f"{row_id}:{column_id}", [])):
        user = emu.users.get(uid) or {"name": None, "email": None}
        item = {"columnId": column_id, "modifiedAt": at,
                "modifiedBy": {"name": user["name"], "email": user["email"]}}
        if value is not None:
            item["value"] = value
        if display is not None:
            item["displayValue"] = display
        items.append(item)
    return 200, page(items, call)
