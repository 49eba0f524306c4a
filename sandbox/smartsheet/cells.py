"""Column types and the parsing of written cell values, as strict as Smartsheet.

A stored cell is a JSON-ready dict ``{columnId, value, displayValue?, hyperlink?}`` that is
never mutated after it is built (writers replace it), so that responses can reference it
without copying. A cell's ``objectValue``, when it differs from ``value``, is kept
beside it and only sent with ``include=objectValue``.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .errors import ApiError

MAX_CELL_CHARS = 4000

#: Column types a client may set. DATETIME exists only on the system columns CREATED_DATE
#: and MODIFIED_DATE; ABSTRACT_DATETIME, DURATION and PREDECESSOR only on dependency-enabled
#: project sheets, which the API cannot set up ("Columns — Column Types").
USER_TYPES = ("TEXT_NUMBER", "DATE", "CHECKBOX", "PICKLIST", "MULTI_PICKLIST",
              "CONTACT_LIST", "MULTI_CONTACT_LIST")
RESERVED_TYPES = ("DATETIME", "ABSTRACT_DATETIME", "DURATION", "PREDECESSOR")
#: Types that may carry ``validation: true`` (the web app's "restrict to ... only"); others
#: are refused with 1210.
VALIDATION_TYPES = ("PICKLIST", "MULTI_PICKLIST", "DATE", "CONTACT_LIST", "MULTI_CONTACT_LIST")
#: systemColumnType -> the only column type it may have
SYSTEM_TYPES = {"AUTO_NUMBER": "TEXT_NUMBER", "CREATED_DATE": "DATETIME",
                "MODIFIED_DATE": "DATETIME", "CREATED_BY": "CONTACT_LIST",
                "MODIFIED_BY": "CONTACT_LIST"}
OPTION_TYPES = ("PICKLIST", "MULTI_PICKLIST", "CONTACT_LIST", "MULTI_CONTACT_LIST")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOOSE_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d %b %Y", "%b %d, %Y")


class ParsedCell:
    """What a write makes of one cell: the stored dict and its objectValue (or None)."""

    __slots__ = ("cell", "object_value")

    def __init__(self, cell: dict, object_value: object = None) -> None:
        self.cell = cell
        self.object_value = object_value


def display_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _strict_error(column: dict, value: object) -> ApiError:
    return ApiError(1042, column["id"], value, column["type"])


def _free_text(column: dict, value: object, override: bool) -> ParsedCell:
    """A value that is not of the column's type, kept as text (``strict: false``) unless the
    column restricts values (``validation: true``) and no admin overrides it. Python SDK
    issue #167 shows the refusal (5536); "Cells — overrideValidation" the override."""
    if column.get("validation") and not override:
        raise ApiError(5536, value, column["title"], column["type"])
    return _text(column["id"], value)


def _text(column_id: int, value: object) -> ParsedCell:
    if isinstance(value, str):
        value = value[:MAX_CELL_CHARS]  # Smartsheet truncates, it does not refuse
        return ParsedCell({"columnId": column_id, "value": value, "displayValue": value})
    if isinstance(value, bool):
        return ParsedCell({"columnId": column_id, "value": value})
    return ParsedCell({"columnId": column_id, "value": value,
                       "displayValue": display_number(value)})


def _loose_number(value: str) -> float | int | None:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in value else number


def parse_value(column: dict, value: object, *, strict: bool,
                users_by_email: dict[str, dict], hyperlink: bool = False,
                override: bool = False) -> ParsedCell:
    """Parse one written (non-empty) value for ``column``; raise ApiError 1042 if strict
    parsing fails. ``strict=False`` converts what it can and keeps the rest as text, unless
    the column has ``validation`` (5536) and ``override`` (overrideValidation) is off.

    Strict parsing refuses a PICKLIST value outside the options even without validation:
    a Smartsheet maintainer confirms it in smartsheet-python-sdk issue #93 ("set
    cell.strict = False" to store other values)."""
    cid = column["id"]
    ctype = column["type"]
    if ctype == "TEXT_NUMBER" or hyperlink:
        if not strict and isinstance(value, str) and not hyperlink:
            number = _loose_number(value)
            if number is not None:
                return _text(cid, number)
        return _text(cid, value)
    if ctype == "CHECKBOX":
        if isinstance(value, bool):
            return ParsedCell({"columnId": cid, "value": value})
        if not strict:
            lowered = str(value).strip().lower()
            if lowered in ("true", "yes", "1", "checked"):
                return ParsedCell({"columnId": cid, "value": True})
            if lowered in ("false", "no", "0", ""):
                return ParsedCell({"columnId": cid, "value": False})
            return _text(cid, value)
        raise _strict_error(column, value)
    if ctype == "DATE":
        # DATE cells carry no displayValue ("Cells — Cell Value Representation").
        if isinstance(value, str) and _DATE_RE.match(value):
            try:
                date.fromisoformat(value)
                return ParsedCell({"columnId": cid, "value": value})
            except ValueError:
                pass
        if not strict and isinstance(value, str):
            for fmt in _LOOSE_DATE_FORMATS:
                try:
                    iso = datetime.strptime(value.strip(), fmt).date().isoformat()
                except ValueError:
                    continue
                return ParsedCell({"columnId": cid, "value": iso})
            return _free_text(column, value, override)
        raise _strict_error(column, value)
    if ctype == "DATETIME":
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and "T" in value:
                return ParsedCell({"columnId": cid, "value": value, "displayValue": value})
        if not strict:
            return _text(cid, value)
        raise _strict_error(column, value)
    if ctype in ("PICKLIST", "MULTI_PICKLIST"):
        options = column.get("options") or []
        text = display_number(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else value
        if text in options:
            if ctype == "MULTI_PICKLIST":
                return ParsedCell({"columnId": cid, "value": text, "displayValue": text},
                                  {"objectType": "MULTI_PICKLIST", "values": [text]})
            return ParsedCell({"columnId": cid, "value": text, "displayValue": text})
        if not strict:
            return _free_text(column, value, override)
        raise _strict_error(column, value)
    if ctype in ("CONTACT_LIST", "MULTI_CONTACT_LIST"):
        if isinstance(value, str) and _EMAIL_RE.match(value.strip()):
            email = value.strip()
            contact = contact_object(email, users_by_email, column)
            display = contact.get("name") or email
            if ctype == "MULTI_CONTACT_LIST":
                return ParsedCell({"columnId": cid, "value": display, "displayValue": display},
                                  {"objectType": "MULTI_CONTACT", "values": [contact]})
            return ParsedCell({"columnId": cid, "value": email, "displayValue": display},
                              contact)
        if not strict:
            return _free_text(column, value, override)
        raise _strict_error(column, value)
    raise _strict_error(column, value)


def contact_object(email: str, users_by_email: dict[str, dict], column: dict) -> dict:
    """A CONTACT objectValue; the name comes from the team or the column's options."""
    user = users_by_email.get(email.lower())
    name = user["name"] if user else None
    if name is None:
        for option in column.get("contactOptions") or []:
            if option.get("email", "").lower() == email.lower():
                name = option.get("name")
    contact = {"objectType": "CONTACT", "email": email}
    if name:
        contact["name"] = name
    return contact


def parse_object_value(column: dict, obj: object, *, strict: bool,
                       users_by_email: dict[str, dict], override: bool = False) -> ParsedCell:
    """Parse an ``objectValue`` write (multi-picklist, multi-contact, contact objects)."""
    cid = column["id"]
    if not isinstance(obj, dict):
        return parse_value(column, obj, strict=strict, users_by_email=users_by_email,
                           override=override)
    kind = obj.get("objectType")
    if kind == "MULTI_PICKLIST" and column["type"] == "MULTI_PICKLIST":
        values = obj.get("values") or []
        options = column.get("options") or []
        outside = [v for v in values if v not in options]
        if outside and strict:
            raise _strict_error(column, values)
        if outside and column.get("validation") and not override:
            raise ApiError(5536, outside[0], column["title"], column["type"])
        display = ", ".join(str(v) for v in values)
        return ParsedCell({"columnId": cid, "value": display, "displayValue": display},
                          {"objectType": "MULTI_PICKLIST", "values": list(values)})
    if kind == "MULTI_CONTACT" and column["type"] == "MULTI_CONTACT_LIST":
        contacts = []
        for item in obj.get("values") or []:
            email = (item or {}).get("email", "")
            if not _EMAIL_RE.match(email):
                raise _strict_error(column, email)
            contacts.append(contact_object(email, users_by_email, column))
        display = ", ".join(c.get("name") or c["email"] for c in contacts)
        return ParsedCell({"columnId": cid, "value": display, "displayValue": display},
                          {"objectType": "MULTI_CONTACT", "values": contacts})
    if kind == "CONTACT" and column["type"] == "CONTACT_LIST":
        return parse_value(column, obj.get("email", ""), strict=True,
                           users_by_email=users_by_email)
    raise ApiError(1031, kind, "objectValue.objectType")
