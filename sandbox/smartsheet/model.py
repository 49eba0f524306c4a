"""A sheet in memory: columns, rows in display order with their hierarchy, cell history.

Rows live in one list in display order (a parent is followed by its whole subtree) with an
id -> row index, so that getting 20,000 rows is a single pass and moving a row moves the
contiguous block of its subtree. ``Row.level`` (0 for top-level rows) lets the end of a
subtree be found without walking parent chains.
"""

from __future__ import annotations

import json

from .errors import ApiError

ACCESS_LEVELS = ("VIEWER", "EDITOR", "EDITOR_SHARE", "ADMIN", "OWNER")
RANK = {level: i for i, level in enumerate(ACCESS_LEVELS)}


class Row:
    __slots__ = ("id", "parent_id", "level", "cells", "objv", "created_at", "modified_at",
                 "modified_ts", "created_by", "modified_by", "expanded", "locked",
                 "cells_json")

    def __init__(self, row_id: int, *, at: str, ts: float, user_id: int) -> None:
        self.id = row_id
        self.parent_id: int | None = None
        self.level = 0
        self.cells: dict[int, dict] = {}
        self.objv: dict[int, object] = {}
        self.created_at = at
        self.modified_at = at
        self.modified_ts = ts
        self.created_by = user_id
        self.modified_by = user_id
        self.expanded = True
        self.locked = False
        #: (sheet.layout, encoded default "cells" array) or None: GET sheet's fast path
        self.cells_json: tuple[int, str] | None = None

    def to_state(self) -> list:
        return [self.id, self.parent_id, self.level, list(self.cells.values()),
                [[k, v] for k, v in self.objv.items()], self.created_at, self.modified_at,
                self.modified_ts, self.created_by, self.modified_by, self.expanded, self.locked]

    @classmethod
    def from_state(cls, data: list) -> Row:
        row = cls(data[0], at=data[5], ts=data[7], user_id=data[8])
        row.parent_id, row.level = data[1], data[2]
        row.cells = {c["columnId"]: c for c in data[3]}
        row.objv = {k: v for k, v in data[4]}
        row.modified_at, row.modified_by = data[6], data[9]
        row.expanded, row.locked = data[10], data[11]
        return row


class Sheet:
    """One sheet. Callers hold the emulator lock while using it."""

    def __init__(self, sheet_id: int, name: str, owner_id: int, at: str) -> None:
        self.id = sheet_id
        self.name = name
        self.owner_id = owner_id
        self.version = 1
        self.created_at = at
        self.modified_at = at
        self.columns: list[dict] = []
        self.rows: list[Row] = []
        self.index: dict[int, Row] = {}
        #: user id -> access level (the owner is in here as OWNER)
        self.shares: dict[int, str] = {owner_id: "OWNER"}
        #: "rowId:columnId" -> [[value, displayValue, modifiedAt, userId], ...] oldest first
        self.history: dict[str, list] = {}
        self.auto_number = 0
        #: bumped on every column change: invalidates the rows' encoded cells
        self.layout = 0
        #: set once a cell formula was written (column formulas live on the columns)
        self.cell_formulas = False

    # -- columns -------------------------------------------------------------------
    def column(self, column_id: int) -> dict:
        for column in self.columns:
            if column["id"] == column_id:
                return column
        raise ApiError(1006)

    def column_map(self) -> dict[int, dict]:
        return {c["id"]: c for c in self.columns}

    def reindex_columns(self) -> None:
        for i, column in enumerate(self.columns):
            column["index"] = i

    # -- rows ----------------------------------------------------------------------
    def position(self, row: Row) -> int:
        return self.rows.index(row)

    def subtree_end(self, start: int) -> int:
        """Index just past the subtree of the row at ``start``."""
        rows, level = self.rows, self.rows[start].level
        end = start + 1
        while end < len(rows) and rows[end].level > level:
            end += 1
        return end

    def is_descendant(self, row: Row, ancestor_id: int) -> bool:
        parent_id = row.parent_id
        while parent_id is not None:
            if parent_id == ancestor_id:
                return True
            parent_id = self.index[parent_id].parent_id
        return False

    def insert_block(self, block: list[Row], at: int, parent_id: int | None) -> None:
        """Insert ``block`` (top-level rows of the block first in their subtrees) at list
        index ``at`` under ``parent_id``, shifting the block's levels."""
        new_level = 0 if parent_id is None else self.index[parent_id].level + 1
        roots = [r for r in block if r.level == block[0].level] if block else []
        shift = new_level - block[0].level if block else 0
        for row in block:
            row.level += shift
        for row in roots:
            row.parent_id = parent_id
        self.rows[at:at] = block

    def take_block(self, row: Row) -> list[Row]:
        """Remove a row and its subtree from the list (not from the index); return it."""
        start = self.position(row)
        end = self.subtree_end(start)
        block = self.rows[start:end]
        del self.rows[start:end]
        return block

    def last_child_end(self, parent_id: int) -> int:
        start = self.position(self.index[parent_id])
        return self.subtree_end(start)

    def delete_rows(self, ids: list[int]) -> list[int]:
        """Delete rows and their subtrees; return every deleted id (request order first)."""
        doomed: list[int] = []
        seen: set[int] = set()
        for row_id in ids:
            row = self.index.get(row_id)
            if row is None or row_id in seen:
                continue
            start = self.position(row)
            for r in self.rows[start:self.subtree_end(start)]:
                if r.id not in seen:
                    seen.add(r.id)
                    doomed.append(r.id)
        self.rows = [r for r in self.rows if r.id not in seen]
        for row_id in doomed:
            del self.index[row_id]
        if doomed:
            prefixes = tuple(f"{i}:" for i in doomed)
            self.history = {k: v for k, v in self.history.items()
                            if not k.startswith(prefixes)}
        return doomed

    def cell_count(self) -> int:
        return len(self.rows) * len(self.columns)

    # -- serialization -------------------------------------------------------------
    def row_json(self, row: Row, row_number: int, *, col_ids: list[int] | None,
                 include: set[str], users: dict[int, dict], sibling_id: int | None,
                 skip_empty: bool = False, plain: frozenset[int] = frozenset()) -> dict:
        """The JSON-ready dict of one row as GET sheet returns it; columns in ``plain``
        (complex columns below the request's ``level``) get no complex objectValue."""
        out = {"id": row.id, "rowNumber": row_number, "expanded": row.expanded,
               "createdAt": row.created_at, "modifiedAt": row.modified_at}
        if row.parent_id is not None:
            out["parentId"] = row.parent_id
        if sibling_id is not None:
            out["siblingId"] = sibling_id
        if row.locked:
            out["locked"] = True
        cells = row.cells
        ids = col_ids if col_ids is not None else [c["id"] for c in self.columns]
        if "objectValue" in include:
            out_cells = []
            for cid in ids:
                cell = cells.get(cid)
                if cell is None:
                    if not skip_empty:
                        out_cells.append({"columnId": cid})
                    continue
                if "value" in cell:
                    objv = row.objv.get(cid, cell["value"])
                    if cid in plain and isinstance(objv, dict):
                        objv = cell["value"]
                    cell = {**cell, "objectValue": objv}
                out_cells.append(cell)
        elif skip_empty:
            out_cells = [cells[cid] for cid in ids if cid in cells]
        else:
            out_cells = [cells.get(cid) or {"columnId": cid} for cid in ids]
        out["cells"] = out_cells
        if "writerInfo" in include or "rowWriterInfo" in include:
            out["createdBy"] = _person(users.get(row.created_by))
            out["modifiedBy"] = _person(users.get(row.modified_by))
        return out

    def rows_json(self, rows: list[Row] | None = None, **kwargs) -> list[dict]:
        """Rows in display order with rowNumber and siblingId computed in one pass."""
        wanted = None if rows is None else {r.id for r in rows}
        out = []
        last_child: dict[int | None, int] = {}
        for number, row in enumerate(self.rows, 1):
            sibling = last_child.get(row.parent_id)
            last_child[row.parent_id] = row.id
            if wanted is None or row.id in wanted:
                out.append(self.row_json(row, number, sibling_id=sibling, **kwargs))
        return out

    def encoded_cells(self, row: Row) -> str:
        """The row's default ``cells`` array as JSON text, cached until it changes."""
        cached = row.cells_json
        if cached is not None and cached[0] == self.layout:
            return cached[1]
        cells = row.cells
        text = json.dumps([cells.get(c["id"]) or {"columnId": c["id"]} for c in self.columns])
        row.cells_json = (self.layout, text)
        return text

    def encoded_rows(self, rows: list[Row] | None) -> str:
        """GET sheet's default rows (all columns, no includes) as one JSON array text.

        Encoding 400,000 cell dicts per request is what makes a big GET slow; rows keep
        their encoded cells, so a GET only encodes the small per-row envelope.
        """
        wanted = None if rows is None else {r.id for r in rows}
        parts = []
        last_child: dict[int | None, int] = {}
        dumps = json.dumps
        for number, row in enumerate(self.rows, 1):
            sibling = last_child.get(row.parent_id)
            last_child[row.parent_id] = row.id
            if wanted is not None and row.id not in wanted:
                continue
            head = {"id": row.id, "rowNumber": number, "expanded": row.expanded,
                    "createdAt": row.created_at, "modifiedAt": row.modified_at}
            if row.parent_id is not None:
                head["parentId"] = row.parent_id
            if sibling is not None:
                head["siblingId"] = sibling
            if row.locked:
                head["locked"] = True
            parts.append(f'{dumps(head)[:-1]}, "cells": {self.encoded_cells(row)}}}')
        return "[" + ",".join(parts) + "]"

    def summary(self, access_level: str) -> dict:
        return {"id": self.id, "name": self.name, "accessLevel": access_level,
                "permalink": f"https://app.smartsheet.com/sheets/sbx{self.id}",
                "createdAt": self.created_at, "modifiedAt": self.modified_at}

    # -- persistence ---------------------------------------------------------------
    def to_state(self) -> dict:
        return {"id": self.id, "name": self.name, "owner_id": self.owner_id,
                "version": self.version, "created_at": self.created_at,
                "modified_at": self.modified_at, "columns": self.columns,
                "rows": [r.to_state() for r in self.rows],
                "shares": [[k, v] for k, v in self.shares.items()],
                "history": self.history, "auto_number": self.auto_number,
                "cell_formulas": self.cell_formulas}

    @classmethod
    def from_state(cls, data: dict) -> Sheet:
        sheet = cls(data["id"], data["name"], data["owner_id"], data["created_at"])
        sheet.version, sheet.modified_at = data["version"], data["modified_at"]
        sheet.columns = data["columns"]
        sheet.rows = [Row.from_state(r) for r in data["rows"]]
        sheet.index = {r.id: r for r in sheet.rows}
        sheet.shares = {int(k): v for k, v in data["shares"]}
        sheet.history = data["history"]
        sheet.auto_number = data.get("auto_number", 0)
        sheet.cell_formulas = data.get("cell_formulas", False)
        return sheet


def _person(user: dict | None) -> dict | None:
    return {"name": user["name"], "email": user["email"]} if user else None
