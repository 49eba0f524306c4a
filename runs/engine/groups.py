"""Row groups (hierarchy): the group path of a record and the parent rows it needs."""

from __future__ import annotations

from typing import Any

from runs.engine.convert import FieldInfo, sf_canonical, to_cell
from runs.engine.types import SheetRow
from workflows.spec import RowGroupSpec

BLANK_GROUP = "(blank)"
_SEPARATOR = "\x1f"


def group_key(path: tuple[str, ...]) -> str:
    """The JSON key of a group path in ``SyncState.group_rows``."""
    return _SEPARATOR.join(path)


def group_path(
    levels: tuple[RowGroupSpec, ...], record: dict, infos: dict[str, FieldInfo], *, tz: str
) -> tuple[str, ...]:
    """The group values of ``record`` (a flat record), one per level in level order."""
    path = []
    for level in sorted(levels, key=lambda g: g.level):
        if not level.field:
            path.append(level.value)
            continue
        info = infos.get(level.field) or FieldInfo(name=level.field, type="anyType")
        value: Any = to_cell(sf_canonical(record.get(level.field), info), info, tz=tz)
        if value is None or value == "":
            path.append(BLANK_GROUP)
        elif isinstance(value, bool):
            path.append("true" if value else "false")
        else:
            path.append(str(value))
    return tuple(path)


class GroupResolver:
    """Finds or plans the parent rows of group paths.

    ``known`` maps group keys to row ids (``SyncState.group_rows``). With the whole sheet
    read (``rows`` complete), a known row that no longer exists is forgotten and an
    existing row at the right level whose primary value matches exactly is reused.
    """

    def __init__(self, *, known: dict[str, int], rows: dict[int, SheetRow],
                 primary_column_id: int | None, full_sheet: bool, linked_rows: set[int],
                 sheet_rows: dict[int, SheetRow] | None = None) -> None:
        self.rows = rows
        #: Every row of the sheet, primary column only, read when an incremental run
        #: needed a group it did not know (see ``PlanInput.sheet_primary_rows``).
        self.sheet_rows = sheet_rows or {}
        self.primary = primary_column_id
        self.full_sheet = full_sheet
        self.known = {
            k: v for k, v in known.items() if not full_sheet or v in rows
        }
        self.adds: list[tuple[str, ...]] = []
        self._planned: set[tuple[str, ...]] = set()
        self._children: dict[int | None, dict[str, int]] | None = None
        self._linked = linked_rows

    def _existing(self, parent: int | None, value: str) -> int | None:
        if self.primary is None or not (self.rows or self.sheet_rows):
            return None
        if self._children is None:
            self._children = {}
            extra = (r for i, r in self.sheet_rows.items() if i not in self.rows)
            for row in (*self.rows.values(), *extra):
                if row.id in self._linked:
                    continue
                primary = row.cells.get(self.primary)
                if primary is not None:
                    self._children.setdefault(row.parent_id, {}).setdefault(str(primary), row.id)
        return self._children.get(parent, {}).get(value)

    def resolve(self, path: tuple[str, ...]) -> int | None:
        """The parent row id for records of ``path``, or None when it must be created
        (planned in :attr:`adds`, parents before children)."""
        parent: int | None = None
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            key = group_key(prefix)
            if key in self.known:
                parent = self.known[key]
                continue
            found = None if parent is None and depth > 1 else self._existing(parent, prefix[-1])
            if found is not None:
                self.known[key] = found
                parent = found
                continue
            for d in range(depth, len(path) + 1):
                if path[:d] not in self._planned:
                    self._planned.add(path[:d])
                    self.adds.append(path[:d])
            return None
        return parent
