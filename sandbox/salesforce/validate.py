"""Type checks and normalisation of field values written through the API.

A value whose JSON type cannot become the field's type fails the whole request earlier,
as JSON_PARSER_ERROR (:mod:`sandbox.salesforce.jsontypes`); numeric strings for number
fields and ``"true"``/``"false"`` for checkboxes pass that parser and are converted here.
Still stricter than Salesforce in one respect: numbers and booleans are refused in text
fields (INVALID_TYPE_ON_FIELD_IN_RECORD), so the connector sends strings.
"""

from __future__ import annotations

import re
from datetime import date

from sandbox.salesforce import ids
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.values import format_datetime, parse_datetime

_TEXT = {"string", "textarea", "email", "phone", "url", "combobox", "encryptedstring"}
_NUMBERS = {"double", "currency", "percent"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$")


def _type_error(f: dict, value: object) -> ApiError:
    return ApiError("INVALID_TYPE_ON_FIELD_IN_RECORD",
                    f"{f['label']}: value not of required type: {value}", [f["name"]])


def coerce(f: dict, value: object) -> object:
    """The stored form of ``value`` for field ``f``; ``ApiError`` when it does not fit.

    References are only checked for form here; the store checks that they exist.
    """
    kind = f["type"]
    if value is None or (value == "" and kind != "boolean"):
        return False if kind == "boolean" else None
    if kind in _TEXT or kind in ("picklist", "multipicklist"):
        if not isinstance(value, str):
            raise _type_error(f, value)
        if f["length"] and len(value) > f["length"]:
            raise ApiError("STRING_TOO_LONG",
                           f"{f['label']}: data value too large: {value[:60]} "
                           f"(max length={f['length']})", [f["name"]])
        if kind == "email" and not _EMAIL.match(value):
            raise ApiError("INVALID_EMAIL_ADDRESS", f"{f['label']}: invalid email address: "
                           f"{value}", [f["name"]])
        if kind in ("picklist", "multipicklist") and f["restrictedPicklist"]:
            allowed = {p["value"] for p in f["picklistValues"] if p["active"]}
            chosen = value.split(";") if kind == "multipicklist" else [value]
            bad = [v for v in chosen if v not in allowed]
            if bad:
                raise ApiError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                               f"{f['label']}: bad value for restricted picklist field: "
                               f"{bad[0]}", [f["name"]])
        return value
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise _type_error(f, value)
        return value
    if isinstance(value, str) and (kind == "int" or kind in _NUMBERS):
        value = _numeric(f, value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise _type_error(f, value)
        value = int(value)
        if f.get("digits") and len(str(abs(value))) > f["digits"]:
            raise _range_error(f, value)
        return value
    if kind in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(f, value)
        whole_digits = f["precision"] - f["scale"]
        if f["precision"] and abs(value) >= 10 ** whole_digits:
            raise _range_error(f, value)
        rounded = round(float(value), f["scale"])
        return int(rounded) if f["scale"] == 0 and rounded.is_integer() else rounded
    if kind == "date":
        if not isinstance(value, str):
            raise _type_error(f, value)
        try:
            return date.fromisoformat(value[:10]).isoformat() if len(value) == 10 else _bad(f, value)
        except ValueError:
            raise _type_error(f, value) from None
    if kind == "datetime":
        if not isinstance(value, str):
            raise _type_error(f, value)
        try:
            return format_datetime(parse_datetime(value))
        except ValueError:
            raise _type_error(f, value) from None
    if kind == "time":
        if not isinstance(value, str) or not _TIME.match(value):
            raise _type_error(f, value)
        return value
    if kind in ("reference", "id"):
        if not isinstance(value, str) or not ids.is_valid(value):
            raise ApiError("MALFORMED_ID", f"{f['label']}: id value of incorrect type: "
                           f"{value}", [f["name"]])
        return ids.to18(value)
    if kind == "base64":
        if not isinstance(value, str):
            raise _type_error(f, value)
        return value
    raise ApiError("INVALID_FIELD_FOR_INSERT_UPDATE",
                   f"Unable to create/update fields: {f['name']}.", [f["name"]])


def _numeric(f: dict, text: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        raise _type_error(f, text) from None
    return int(number) if number.is_integer() and "." not in text else number


def _bad(f: dict, value: object):
    raise _type_error(f, value)


def _range_error(f: dict, value: object) -> ApiError:
    return ApiError("NUMBER_OUTSIDE_VALID_RANGE",
                    f"{f['label']}: value outside of valid range on numeric field: {value}",
                    [f["name"]])
