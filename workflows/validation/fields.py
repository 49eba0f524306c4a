"""Salesforce field paths, read-only rules and filter operators, on plain describe data.

Everything here is a pure function of describe dictionaries (as the Salesforce REST API
returns them) and Smartsheet column dictionaries, so the rules are tested on plain data
and shared by the wizard (which shows *why* a field is locked) and the services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import NumberError, parse_decimal
from core.times import parse_timestamp
from workflows.dates import date_literal
from workflows.models import FilterOperator

#: Looks up an object's describe by name; ``None`` when the object does not exist.
DescribeFn = Callable[[str], "dict | None"]

#: SOQL allows five levels of parent relationships in a path.
MAX_PATH_DEPTH = 5

TEXT_OPERATORS = frozenset({
    FilterOperator.EQUALS, FilterOperator.NOT_EQUALS, FilterOperator.CONTAINS,
    FilterOperator.NOT_CONTAINS, FilterOperator.STARTS_WITH, FilterOperator.IS_BLANK,
    FilterOperator.IS_NOT_BLANK,
})
ORDERED_OPERATORS = frozenset({
    FilterOperator.EQUALS, FilterOperator.NOT_EQUALS, FilterOperator.GREATER_THAN,
    FilterOperator.LESS_THAN, FilterOperator.GREATER_OR_EQUAL, FilterOperator.LESS_OR_EQUAL,
    FilterOperator.IS_BLANK, FilterOperator.IS_NOT_BLANK,
})
BOOLEAN_OPERATORS = frozenset({
    FilterOperator.EQUALS, FilterOperator.NOT_EQUALS, FilterOperator.IS_CHECKED,
    FilterOperator.IS_NOT_CHECKED,
})

NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})
DATE_TYPES = frozenset({"date"})
DATETIME_TYPES = frozenset({"datetime"})
TIME_TYPES = frozenset({"time"})
#: Compound and binary fields cannot appear in a SOQL WHERE clause.
UNFILTERABLE_TYPES = frozenset({"base64", "address", "location", "anyType"})

#: SOQL date literals such as TODAY, LAST_N_DAYS:30, THIS_FISCAL_QUARTER.


@dataclass(frozen=True)
class ResolvedField:
    """A field path resolved against the describes."""

    #: The path spelled as the describes spell it (``Account.Name``).
    path: str
    #: The describe entry of the last field.
    field: dict
    #: The object the last field lives on.
    object_name: str
    #: True when the path crosses a relationship (``Account.Name``): never writable.
    via_relationship: bool


class PathError(ValueError):
    """A field path that does not resolve; the message says which part is unknown."""


def _find(fields: list[dict], key: str, name: str) -> dict | None:
    wanted = name.lower()
    for f in fields:
        if (f.get(key) or "").lower() == wanted:
            return f
    return None


def resolve_path(describe: DescribeFn, object_name: str, path: str) -> ResolvedField:
    """Resolve ``Field`` or ``Relationship.….Field`` from ``object_name``.

    Salesforce names are case-insensitive; the result uses the describe's spelling.
    Polymorphic relationships (``Owner``, ``What``) resolve through their first target.
    Raises :class:`PathError`.
    """
    parts = [p.strip() for p in (path or "").split(".")]
    if not path or any(not p for p in parts):
        raise PathError(_("Choose a Salesforce field."))
    if len(parts) > MAX_PATH_DEPTH + 1:
        raise PathError(_("'%(path)s' goes through more than %(count)s relationships.")
                        % {"path": path, "count": MAX_PATH_DEPTH})
    current = object_name
    spelled: list[str] = []
    for part in parts[:-1]:
        info = describe(current)
        if info is None:
            raise PathError(_("'%(object)s' is not a Salesforce object you can read.")
                            % {"object": current})
        rel = _find(info.get("fields", []), "relationshipName", part)
        if rel is None or not rel.get("referenceTo"):
            raise PathError(_("'%(object)s' has no relationship '%(name)s' (in '%(path)s').")
                            % {"object": current, "name": part, "path": path})
        spelled.append(rel["relationshipName"])
        current = rel["referenceTo"][0]
    info = describe(current)
    if info is None:
        raise PathError(_("'%(object)s' is not a Salesforce object you can read.")
                            % {"object": current})
    found = _find(info.get("fields", []), "name", parts[-1])
    if found is None:
        values = {"object": current, "field": parts[-1], "path": path}
        if len(parts) > 1:
            raise PathError(_("'%(object)s' has no field '%(field)s' (in '%(path)s').") % values)
        raise PathError(_("'%(object)s' has no field '%(field)s'.") % values)
    spelled.append(found["name"])
    return ResolvedField(
        path=".".join(spelled), field=found, object_name=current,
        via_relationship=len(parts) > 1,
    )


#: Why a raw reference can only flow to Smartsheet (shown by the wizard and the API).
RAW_REFERENCE_REASON = gettext_lazy(
    "it holds a record id: to change it from the sheet, look it up by a field of the "
    "related record (its name, an email)")


def read_only_reason(resolved: ResolvedField, *, lookup: bool = False) -> str:
    """Why a field can never be written to Salesforce (from the sheet), or "" when it can.

    The describe is the caller's own (through their connection), so field-level security
    already shows as ``updateable``/``createable`` false. A reference field (``OwnerId``)
    is written only through "lookup by" (``lookup``): an id typed in a cell is a mistake
    waiting to happen, a name is what people type.
    """
    f = resolved.field
    if resolved.via_relationship:
        return _("it is a field of a related record")
    if f.get("type") == "id":
        return _("it is the record Id")
    if f.get("calculated"):
        return _("it is a formula field")
    if f.get("autoNumber"):
        return _("it is an auto-number field")
    if not f.get("updateable") and not f.get("createable"):
        return _("Salesforce does not let you edit it")
    if f.get("type") == "reference" and not lookup:
        return RAW_REFERENCE_REASON
    return ""


def column_read_only_reason(column: dict | None) -> str:
    """Why Smartsheet never lets a sync write this column, or "" when it can: its cells
    are computed (a column formula, or a system column such as Created Date). A mapping
    to it flows to Salesforce only; the wizard shows the reason."""
    if not column:
        return ""
    if column.get("formula"):
        return _("it is computed by a column formula")
    if column.get("systemColumnType"):
        return _("Smartsheet fills it in (a system column)")
    return ""


def field_operators(field: dict) -> frozenset[str]:
    """Filter operators a Salesforce field accepts (empty: it cannot be filtered on)."""
    ftype = field.get("type", "string")
    if field.get("filterable") is False or ftype in UNFILTERABLE_TYPES:
        return frozenset()
    if ftype == "boolean":
        return BOOLEAN_OPERATORS
    if ftype in NUMBER_TYPES | DATE_TYPES | DATETIME_TYPES | TIME_TYPES:
        return ORDERED_OPERATORS
    return TEXT_OPERATORS


def column_operators(column_type: str) -> frozenset[str]:
    """Filter operators a Smartsheet column type accepts."""
    if column_type == "CHECKBOX":
        return BOOLEAN_OPERATORS
    if column_type in ("DATE", "DATETIME", "ABSTRACT_DATETIME"):
        return ORDERED_OPERATORS
    if column_type == "TEXT_NUMBER":
        return TEXT_OPERATORS | ORDERED_OPERATORS
    return TEXT_OPERATORS


def column_type_for_field(field: dict) -> str:
    """The Smartsheet column type a new column for this Salesforce field gets. A
    date-time gets a text column (``YYYY-MM-DD HH:MM`` in the install's time zone):
    DATETIME is a type of Smartsheet's system columns only and cannot be created."""
    ftype = field.get("type", "string")
    if ftype == "boolean":
        return "CHECKBOX"
    if ftype == "date":
        return "DATE"
    if ftype == "picklist":
        return "PICKLIST"
    if ftype == "multipicklist":
        return "MULTI_PICKLIST"
    return "TEXT_NUMBER"


def _number_problem(value: str) -> str:
    """Why ``value`` is not a usable number ("" when it is)."""
    try:
        parse_decimal(value)
    except NumberError as exc:
        return _("it is too large") if exc.kind == "range" else _("it is not a number")
    return ""


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    try:
        return parse_timestamp(value) is not None
    except ValueError:
        return False


def _is_time(value: str) -> bool:
    try:
        time.fromisoformat(value.replace("Z", ""))
    except ValueError:
        return False
    return True


BOOLEAN_VALUES = ("true", "false")


def _shown(value: str) -> str:
    """A value as quoted back in a message: long ones cut short."""
    return value if len(value) <= 40 else value[:37] + "…"


def field_value_problem(field: dict, operator: str, value: str) -> str:
    """Why ``value`` is not valid for a Salesforce filter on ``field``, or "".

    Only called for operators that take a value.
    """
    ftype = field.get("type", "string")
    label = field.get("label") or field.get("name")
    if ftype == "boolean":
        if value.strip().lower() not in BOOLEAN_VALUES:
            return _("%(field)s is a checkbox: the value must be true or false.") % {"field": label}
    elif ftype in NUMBER_TYPES:
        if problem := _number_problem(value):
            return _("%(field)s is a number: '%(value)s' cannot be used (%(problem)s).") % {
                "field": label, "value": _shown(value), "problem": problem}
    elif ftype in DATE_TYPES:
        if not (_is_date(value) or date_literal(value)):
            return _("%(field)s is a date: use YYYY-MM-DD (or a date literal such as TODAY).") % {
                "field": label}
    elif ftype in DATETIME_TYPES:
        if not (_is_date(value) or _is_datetime(value) or date_literal(value)):
            return _("%(field)s is a date and time: use YYYY-MM-DD, an ISO 8601 date and time, "
                     "or a date literal such as LAST_N_DAYS:7.") % {"field": label}
    elif ftype in TIME_TYPES:
        if not _is_time(value):
            return _("%(field)s is a time: use HH:MM or HH:MM:SS.") % {"field": label}
    elif ftype == "picklist" and operator in (FilterOperator.EQUALS, FilterOperator.NOT_EQUALS):
        values = [p["value"] for p in field.get("picklistValues") or [] if p.get("active", True)]
        if values and value not in values:
            shown = ", ".join(values[:20]) + (", …" if len(values) > 20 else "")
            return _("'%(value)s' is not a value of %(field)s. Choose one of: %(values)s.") % {
                "value": value, "field": label, "values": shown}
    return ""


def column_value_problem(column: dict, operator: str, value: str) -> str:
    """Why ``value`` is not valid for a Smartsheet filter on ``column``, or ""."""
    ctype = column.get("type", "TEXT_NUMBER")
    title = column.get("title", "")
    if ctype == "CHECKBOX":
        if value.strip().lower() not in BOOLEAN_VALUES:
            return _("'%(column)s' is a checkbox column: the value must be true or false.") % {
                "column": title}
    elif ctype in ("DATE", "DATETIME", "ABSTRACT_DATETIME"):
        if not _is_date(value):
            return _("'%(column)s' is a date column: use YYYY-MM-DD.") % {"column": title}
    elif ctype == "TEXT_NUMBER" and operator in (
        FilterOperator.GREATER_THAN, FilterOperator.LESS_THAN,
        FilterOperator.GREATER_OR_EQUAL, FilterOperator.LESS_OR_EQUAL,
    ) and (problem := _number_problem(value)):
        return _("'%(column)s': comparing needs a number, and '%(value)s' cannot be one "
                 "(%(problem)s).") % {"column": title, "value": _shown(value), "problem": problem}
    return ""
