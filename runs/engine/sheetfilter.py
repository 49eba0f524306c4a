"""Smartsheet-side filters: which rows are sent to Salesforce.

Pure functions on normalized cell values. Comparisons are numeric when both sides are
numbers, else case-insensitive text (ISO dates compare correctly as text).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.numbers import NumberError, parse_decimal
from runs.engine.types import SheetRow


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    try:
        return parse_decimal(value)
    except NumberError:
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().casefold()


def _checked(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value) in {"true", "1", "yes", "checked", "x"}


def matches(operator: str, cell: Any, value: str) -> bool:
    """Whether a cell passes one filter condition."""
    if operator == "is_blank":
        return cell is None or _text(cell) == ""
    if operator == "is_not_blank":
        return not (cell is None or _text(cell) == "")
    if operator == "is_checked":
        return _checked(cell)
    if operator == "is_not_checked":
        return not _checked(cell)
    left, right = _text(cell), _text(value)
    if operator == "contains":
        return right in left
    if operator == "not_contains":
        return right not in left
    if operator == "starts_with":
        return left.startswith(right)
    a, b = _as_number(cell), _as_number(value)
    if operator in ("equals", "not_equals"):
        same = (a == b) if (a is not None and b is not None) else left == right
        if isinstance(cell, bool):
            same = cell == _checked(value)
        return same if operator == "equals" else not same
    if cell is None:
        return False
    pair = (a, b) if (a is not None and b is not None) else (left, right)
    if operator == "greater_than":
        return pair[0] > pair[1]
    if operator == "less_than":
        return pair[0] < pair[1]
    if operator == "greater_or_equal":
        return pair[0] >= pair[1]
    if operator == "less_or_equal":
        return pair[0] <= pair[1]
    raise ValueError(f"unknown filter operator {operator!r}")


def row_passes(filters: list[tuple[int | None, str, str]], row: SheetRow) -> bool:
    """All of ``filters`` (``(column_id, operator, value)``) hold for ``row``.

    A filter on a column the sheet does not have fails closed: nothing is sent.
    """
    for column_id, operator, value in filters:
        if column_id is None:
            return False
        if not matches(operator, row.cells.get(column_id), value):
            return False
    return True
