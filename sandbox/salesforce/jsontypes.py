"""The REST API's JSON parser: a value whose JSON type cannot become the field's type fails
the whole request with 400 JSON_PARSER_ERROR, before any record is saved — inside sObject
Collections too, where nothing of the collection is saved.

Message shape, as reported from real orgs (restforce issue #897, Force.com-Toolkit-for-NET
pull request #127, qore issue #3908): ``Cannot deserialize instance of <type> from
<JSON token> value <value> or request may be missing a required field at [line:1,
column:<n>]``. The column is where the sandbox finds the value in the request body (the
real parser's count may differ by a character).

What fails here: text that is not a number into int/double/currency/percent, anything but
``true``/``false`` (or those strings) into a checkbox, a date-time (or any other text) into a
date, a date-time written with a space instead of ``T``, an array or object into any
scalar field.
"""

from __future__ import annotations

import json
import re

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.values import parse_datetime

_NUMBER_TYPES = {"int", "double", "currency", "percent"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _token(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("VALUE_TRUE", "true") if value else ("VALUE_FALSE", "false")
    if isinstance(value, int):
        return "VALUE_NUMBER_INT", str(value)
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT", repr(value)
    if isinstance(value, list):
        return "START_ARRAY", "["
    if isinstance(value, dict):
        return "START_OBJECT", "{"
    return "VALUE_STRING", str(value)


def _fits(kind: str, value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, list | dict):
        return kind == "address" and isinstance(value, dict)
    if kind in _NUMBER_TYPES:
        if isinstance(value, bool):
            return False
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                return value == ""
        return True
    if kind == "boolean":
        return isinstance(value, bool) or (
            isinstance(value, str) and value.lower() in ("true", "false", ""))
    if kind == "date":
        return isinstance(value, str) and (value == "" or bool(_DATE.match(value)))
    if kind == "datetime":
        if not isinstance(value, str):
            return False
        if value == "" or _DATE.match(value):
            return True
        if not _DATETIME.match(value):
            return False
        try:
            parse_datetime(value)
        except ValueError:
            return False
        return True
    return True


class BodyLocator:
    """Finds where each field's value sits in the raw body, scanning forward."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.pos = 0

    def column(self, key: str, value: object) -> tuple[int, int]:
        match = re.compile(rf'"{re.escape(key)}"\s*:\s*').search(self.raw, self.pos)
        if match is None:
            return 1, 1
        end = match.end() + len(json.dumps(value) if not isinstance(value, list | dict)
                                else "x")
        self.pos = match.end()
        line = self.raw.count("\n", 0, end) + 1
        return line, end - (self.raw.rfind("\n", 0, end) + 1)


def check(fields: dict[str, dict], field_of, values: dict, locator: BodyLocator) -> None:
    """Raise JSON_PARSER_ERROR for the first value that cannot be parsed for its field.
    Unknown fields are left for the record-level checks (INVALID_FIELD)."""
    for key, value in values.items():
        if key == "attributes":
            continue
        f = fields.get(key) or field_of(key)
        if f is None or _fits(f["type"], value):
            continue
        token, text = _token(value)
        line, column = locator.column(key, value)
        raise ApiError("JSON_PARSER_ERROR",
                       f"Cannot deserialize instance of {f['type']} from {token} value "
                       f"{text} or request may be missing a required field at "
                       f"[line:{line}, column:{column}]")
