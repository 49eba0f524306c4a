"""What the engine knows of a sheet's columns, to write cells the way Smartsheet stores them.

Smartsheet's rules (API-NOTES "Fidelity, round two"), and what the engine does about them:

- A PICKLIST or MULTI_PICKLIST column takes "one of the column's options, or a free-form
  text value" — but strict parsing (the default) refuses a value outside the options
  (error 1042). The engine writes such columns with ``strict: false`` so the sheet shows
  the Salesforce value as it is, unless the column restricts values (``validation``):
  then a value outside the options is a row error naming it, and is not sent. CONTACT_LIST
  columns are written the same way (a value that is not an email stays text).
- MULTI_PICKLIST cells are written as ``objectValue`` (a list) and read from it; the engine
  holds them as Salesforce does, ``;``-joined.
- Clearing a CHECKBOX cell makes it ``false``: a blank written there is written as false.
- A column formula (or a system column: auto number, created/modified date and by) is
  computed by Smartsheet: never written; its value flows to Salesforce only. A cell
  holding its own formula is never overwritten either (see :class:`FormulaCells`).

The facts come with every sheet read (the read asks only for tracked columns) and are
kept in ``SyncState.field_cache`` under ``"sheet"``, so a run that did not read the sheet
(its version did not change, so neither did its columns) still knows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

#: Column types whose cells the engine writes with ``strict: false`` unless the column
#: restricts values: a value outside the options (or not an email) is kept as text.
LOOSE_TYPES = frozenset({"PICKLIST", "MULTI_PICKLIST", "CONTACT_LIST"})
#: Column types whose ``options`` a restricting column enforces.
OPTION_TYPES = frozenset({"PICKLIST", "MULTI_PICKLIST"})
MULTI_PICKLIST = "MULTI_PICKLIST"
CHECKBOX = "CHECKBOX"
#: The key of the sheet's facts in ``SyncState.field_cache``.
CACHE_KEY = "sheet"


@dataclass(frozen=True)
class ColumnFacts:
    """One column as the engine needs it (from the column JSON read at ``level=2``)."""

    id: int
    type: str = "TEXT_NUMBER"
    options: tuple[str, ...] = ()
    #: The column restricts values to its options ("validation").
    validation: bool = False
    #: A column formula computes every cell.
    formula: bool = False
    #: ``systemColumnType`` (AUTO_NUMBER, CREATED_DATE…): Smartsheet fills it.
    system: str = ""

    @classmethod
    def from_column(cls, column: dict) -> ColumnFacts:
        return cls(id=int(column["id"]), type=str(column.get("type") or "TEXT_NUMBER"),
                   options=tuple(str(o) for o in column.get("options") or ()),
                   validation=bool(column.get("validation")),
                   formula=bool(column.get("formula")),
                   system=str(column.get("systemColumnType") or ""))

    @property
    def computed(self) -> bool:
        """Smartsheet computes every cell (column formula, system column): read-only."""
        return self.formula or bool(self.system)

    @property
    def loose(self) -> bool:
        """Written with ``strict: false`` (free text allowed)."""
        return self.type in LOOSE_TYPES and not self.validation

    @property
    def restricted(self) -> bool:
        """Only the column's options are accepted."""
        return self.validation and self.type in OPTION_TYPES

    def missing_option(self, value: Any) -> str | None:
        """The first part of ``value`` the restricting column would refuse (None: fits)."""
        if not self.restricted or value is None or value == "":
            return None
        parts = split_multi(value) if self.type == MULTI_PICKLIST else [_text(value)]
        return next((p for p in parts if p not in self.options), None)

    def as_dict(self) -> dict:
        return {"type": self.type, "options": list(self.options),
                "validation": self.validation, "formula": self.formula, "system": self.system}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_multi(value: Any) -> list[str]:
    """The values of a multi-picklist held ``;``-joined (Salesforce's form)."""
    return [p for p in str(value).split(";") if p]


def facts_of(columns: Iterable[dict]) -> dict[int, ColumnFacts]:
    return {int(c["id"]): ColumnFacts.from_column(c) for c in columns if "id" in c}


def facts_to_cache(facts: dict[int, ColumnFacts]) -> dict[str, dict]:
    return {str(column_id): f.as_dict() for column_id, f in facts.items()}


def facts_from_cache(cached: dict | None) -> dict[int, ColumnFacts]:
    out = {}
    for key, data in (cached or {}).items():
        out[int(key)] = ColumnFacts(
            id=int(key), type=data.get("type") or "TEXT_NUMBER",
            options=tuple(data.get("options") or ()), validation=bool(data.get("validation")),
            formula=bool(data.get("formula")), system=data.get("system") or "")
    return out


def multi_cell(column_id: int, value: Any, *, loose: bool) -> dict:
    """The cell that writes a ``;``-joined multi-picklist value (or clears it)."""
    if value is None or value == "":
        return {"columnId": column_id, "value": ""}
    cell = {"columnId": column_id,
            "objectValue": {"objectType": MULTI_PICKLIST, "values": split_multi(value)}}
    if loose:
        cell["strict"] = False
    return cell


def multi_value(cell: dict) -> str | None:
    """A MULTI_PICKLIST cell as read, ``;``-joined: from its ``objectValue`` when the read
    asked for it, else from the displayed text (values joined by ", ")."""
    obj = cell.get("objectValue")
    if isinstance(obj, dict) and isinstance(obj.get("values"), list):
        values = [str(v) for v in obj["values"] if v not in (None, "")]
        return ";".join(values) or None
    text = cell.get("value", cell.get("displayValue"))
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        return _text(text)
    return ";".join(p.strip() for p in text.split(", ") if p.strip()) or None


class FormulaCells:
    """Cells of mapped columns that hold their own formula, by row: never overwritten.

    A row is read only when it changed, so what was learnt is kept (in the sheet's facts)
    for the runs that write to the row without reading it.
    """

    def __init__(self, cached: dict | None = None) -> None:
        self.by_row: dict[int, frozenset[int]] = {
            int(row_id): frozenset(columns) for row_id, columns in (cached or {}).items()}

    def learn(self, rows: Iterable, *, full: bool, columns: frozenset[int]) -> None:
        """What the rows read say of the ``columns`` the engine writes (a full read
        replaces everything)."""
        if full:
            self.by_row = {}
        for row in rows:
            found = row.formulas & columns if row.formulas else None
            if found:
                self.by_row[row.id] = found
            else:
                self.by_row.pop(row.id, None)

    def in_column(self, column_id: int) -> bool:
        return any(column_id in columns for columns in self.by_row.values())

    def holds(self, row_id: int, column_id: int) -> bool:
        columns = self.by_row.get(row_id)
        return columns is not None and column_id in columns

    def to_cache(self) -> dict[str, list[int]]:
        return {str(row_id): sorted(columns) for row_id, columns in self.by_row.items()}


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNWRITABLE_COLUMNS = frozenset({"DATETIME", "ABSTRACT_DATETIME", "DURATION", "PREDECESSOR"})


def cell_refusal(cell: Any, column: ColumnFacts | None) -> str:
    """Why Smartsheet refuses ``cell`` in ``column`` ("" when it takes it; "" too when the
    column is not known yet).

    Blank clears any column. A checkbox takes true or false and a date column
    ``YYYY-MM-DD`` (strict parsing, the default). Dropdown and contact columns are written
    with ``strict: false`` (``runs.engine.columns``): any text lands, unless the column
    restricts values to its options. A column Smartsheet computes is never written. The
    planner asks before every cell it writes, so a value that cannot land is a row error
    in the plan — the summary of updates and the run report the same failure.
    """
    if cell is None or cell == "" or column is None:
        return ""
    kind = column.type
    if column.computed:
        return _("the column is computed by Smartsheet and cannot be written")
    if kind == "CHECKBOX":
        return "" if isinstance(cell, bool) else _(
            "'%(value)s' is not a checkbox value") % {"value": cell}
    if kind == "DATE":
        if isinstance(cell, str) and _ISO_DATE.match(cell):
            try:
                date.fromisoformat(cell)
                return ""
            except ValueError:
                pass
        return _("'%(value)s' is not a date (the column takes YYYY-MM-DD)") % {"value": cell}
    if column.restricted:
        missing = column.missing_option(cell)
        return "" if missing is None else _(
            "'%(value)s' is not one of the column's options, and the column accepts only "
            "those: add it to the column's options in Smartsheet") % {"value": missing}
    if kind == "MULTI_CONTACT_LIST":
        ok = isinstance(cell, str) and _EMAIL.match(cell.strip())
        return "" if ok else _("'%(value)s' is not an email address (a contact column)") % {
            "value": cell}
    if kind in _UNWRITABLE_COLUMNS:
        return _("a %(type)s column cannot be written") % {
            "type": kind.lower().replace("_", " ")}
    return ""
