"""Repeated rows (mappings, filters, group levels) posted as ``<prefix>-<n>-<name>``.

Hand-rolled rather than formsets: the wizard adds and removes rows without JavaScript
("Add field" and "Remove" are submit buttons), and the rows' values go to the
services as plain dicts. Errors from ``workflow_validate`` say "Row N: …" (or
"Level N: …"); :func:`errors_by_row` puts each one next to its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ROW_MESSAGE = re.compile(r"^(?:Row|Level) (\d+): ?(.*)$", re.DOTALL)


def parse_rows(data, prefix: str, names: Iterable[str]) -> list[dict[str, str]]:
    """The rows posted under ``prefix`` in index order; blank rows are kept."""
    names = tuple(names)
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-([a-z_]+)$")
    indexes = sorted({int(m.group(1)) for key in data if (m := pattern.match(key))})
    return [{name: data.get(f"{prefix}-{i}-{name}", "").strip() for name in names} for i in indexes]


def errors_by_row(messages: list[str], count: int) -> tuple[list[str], list[list[str]]]:
    """Split messages into (general, per row); "Row 2: x" goes to row index 1."""
    general: list[str] = []
    rows: list[list[str]] = [[] for _ in range(count)]
    for message in messages:
        m = _ROW_MESSAGE.match(message)
        index = int(m.group(1)) - 1 if m else -1
        if 0 <= index < count:
            text = m.group(2)
            rows[index].append(text[:1].upper() + text[1:])
        else:
            general.append(message)
    return general, rows


def row_action(data) -> tuple[str, int | None]:
    """The submit button pressed: ("next", None), ("add", None), ("remove", 3),
    ("goto:save", None) — a step bar button keeps its target in the action."""
    action = data.get("action", "next")
    if ":" in action:
        name, _, index = action.partition(":")
        if name == "goto":
            return action, None
        try:
            return name, int(index)
        except ValueError:
            return name, None
    return action, None
