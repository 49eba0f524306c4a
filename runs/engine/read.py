"""Reading: Salesforce records as flat dicts, sheet rows as :class:`SheetRow`.

Pages are flattened as they arrive and the raw JSON dropped, so a run never holds two
full copies of the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from runs.engine.convert import normalize_cell
from runs.engine.gcpause import gc_paused
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
    simple, dotted = _split_paths(tuple(paths))
    return _flatten(record, simple, dotted)


def _split_paths(paths: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    every = (*AUDIT_FIELDS, *paths)
    return (tuple(p for p in every if "." not in p), tuple(p for p in every if "." in p))


def _flatten(record: dict, simple: tuple[str, ...], dotted: tuple[str, ...]) -> dict:
    # Plain fields straight from the record (the common case, once per cell of a
    # 10,000-record read); relationship paths walked.
    get = record.get
    flat = {p: get(p) for p in simple}
    for path in dotted:
        flat[path] = _get_path(record, path)
    flat["IsDeleted"] = bool(get("IsDeleted"))
    return flat


def read_records(pages: Iterable[list[dict]], paths: list[str],
                 on_page: Callable[[int], None] | None = None
                 ) -> tuple[dict[str, dict], tuple[str, str] | None]:
    """Flatten every page into ``{Id: flat record}``; also the last ``(SystemModstamp, Id)``
    in query order (the keyset cursor)."""
    records: dict[str, dict] = {}
    newest: tuple[str, str] | None = None
    simple, dotted = _split_paths(tuple(paths))
    for page in pages:
        # Paused while flattening a page only (not while the next one is fetched):
        # 2,000 records of small dicts, see runs.engine.gcpause.
        with gc_paused():
            for raw in page:
                flat = _flatten(raw, simple, dotted)
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
