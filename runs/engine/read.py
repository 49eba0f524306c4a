"""Reading: Salesforce records as flat dicts, sheet rows as :class:`SheetRow`.

Pages are flattened as they arrive and the raw JSON dropped, so a run never holds two
full copies of the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from runs.engine.convert import normalize_cell
from runs.engine.soql import AUDIT_FIELDS
from runs.engine.types import SheetRow


def _get_path(record: dict, path: str) -> Any:
    if "." not in path:
        return record.get(path)
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def flatten(record: dict, paths: Iterable[str]) -> dict:
    """``{path: value}`` for the audit fields, IsDeleted and ``paths``."""
    flat = {p: _get_path(record, p) for p in (*AUDIT_FIELDS, *paths)}
    flat["IsDeleted"] = bool(record.get("IsDeleted"))
    return flat


def read_records(pages: Iterable[list[dict]], paths: list[str],
                 on_page: Callable[[int], None] | None = None
                 ) -> tuple[dict[str, dict], tuple[str, str] | None]:
    """Flatten every page into ``{Id: flat record}``; also the last ``(SystemModstamp, Id)``
    in query order (the keyset cursor)."""
    records: dict[str, dict] = {}
    newest: tuple[str, str] | None = None
    for page in pages:
        for raw in page:
            flat = flatten(raw, paths)
            records[flat["Id"]] = flat
            stamp = flat.get("SystemModstamp")
            if stamp and (newest is None or (stamp, flat["Id"]) > newest):
                newest = (stamp, flat["Id"])
        if on_page is not None:
            on_page(len(records))
    return records, newest


def parse_rows(raw_rows: Iterable[dict]) -> tuple[dict[int, SheetRow], str | None]:
    """Rows by id and the newest ``modifiedAt`` among them."""
    rows: dict[int, SheetRow] = {}
    newest: str | None = None
    for raw in raw_rows:
        row = SheetRow(id=raw["id"], parent_id=raw.get("parentId"),
                       modified_at=raw.get("modifiedAt"), row_number=raw.get("rowNumber"))
        for cell in raw.get("cells") or ():
            value = normalize_cell(cell.get("value"))
            if value is not None:
                row.cells[cell["columnId"]] = value
            link = cell.get("hyperlink")
            if link and link.get("url"):
                row.links[cell["columnId"]] = link["url"]
        rows[row.id] = row
        if row.modified_at and (newest is None or row.modified_at > newest):
            newest = row.modified_at
    return rows, newest


def row_cell_values(raw_row: dict) -> dict[int, Any]:
    """Normalized cell values of one raw row (a write's returned row)."""
    return {c["columnId"]: normalize_cell(c.get("value")) for c in raw_row.get("cells") or ()}
