"""SOQL building: the one record query of a run, lookups, and id look-ups.

Every value reaches the query as a single quoted literal (or a typed number, date or
boolean literal that was validated first): no value can change the query's structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.times import parse_timestamp
from runs.engine.convert import ConversionError, FieldInfo, from_cell
from workflows.dates import date_literal

#: Salesforce's limit is 100,000 characters per query; stay well below it.
MAX_QUERY_CHARS = 16_000
#: Records changed this close before the watermark are read again (shared timestamps).
WATERMARK_OVERLAP = timedelta(seconds=60)
AUDIT_FIELDS = ("Id", "IsDeleted", "SystemModstamp", "LastModifiedById", "LastModifiedBy.Name")

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_NUMERIC = {"int", "double", "currency", "percent"}



class FilterError(ValueError):
    """A Salesforce filter that cannot compile (bad field name, value of the wrong type)."""


def quote(value: str) -> str:
    """``value`` as one SOQL string literal."""
    escaped = (
        value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f")
        .replace('"', '\\"')
    )
    return f"'{escaped}'"


def quote_like(value: str, *, prefix: bool, suffix: bool) -> str:
    """A LIKE pattern matching ``value`` literally, with ``%`` added where asked."""
    body = quote(value)[1:-1].replace("%", "\\%").replace("_", "\\_")
    return "'" + ("%" if prefix else "") + body + ("%" if suffix else "") + "'"


def check_name(path: str) -> str:
    """``path`` if it is a field name or dotted path, else ``FilterError``."""
    if not _NAME.match(path or ""):
        raise FilterError(f"'{path}' is not a field name")
    return path


def soql_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def literal(value: str, info: FieldInfo) -> str:
    """A typed SOQL literal for a filter value on a field of ``info``'s type."""
    kind = info.type
    if kind in _NUMERIC | {"boolean", "date", "datetime"} and not str(value).strip():
        # A blank value converts to None, which has no literal: say so instead of
        # sending the text "None" (a malformed query that fails the whole run).
        raise FilterError(f"Filter on {info.name} needs a value (or use 'is blank')")
    if kind in ("date", "datetime") and (relative := date_literal(value)) is not None:
        return relative
    try:
        if kind in _NUMERIC:
            canonical = from_cell(value, FieldInfo(name=info.name, type="double"))
            if isinstance(canonical, float):
                # repr() may write 1e-10 / 1e+16: not a SOQL number. Plain digits are.
                return format(Decimal(repr(canonical)), "f")
            return str(canonical)
        if kind == "boolean":
            return "true" if from_cell(value, info) else "false"
        if kind == "date":
            return from_cell(value, info)
        if kind == "datetime":
            return from_cell(value, info)
    except ConversionError as exc:
        raise FilterError(f"Filter on {info.name}: {exc}") from None
    return quote(value)


def localize_filter_value(value: str, info: FieldInfo, tz: str) -> str:
    """A date-time filter value without an offset ("2024-05-01T09:00", or a bare date)
    means that moment in the install's time zone, as people type it: give it as UTC.
    Anything else is returned as it is (literal() checks it)."""
    if info.type != "datetime" or date_literal(value) is not None:
        return value
    try:
        moment = parse_timestamp(str(value).strip())
    except ValueError:
        return value
    if moment is None:
        return value
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(tz or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            return value
    return soql_datetime(moment)


def filter_clause(path: str, operator: str, value: str, info: FieldInfo) -> str:
    """One WHERE condition, parenthesized."""
    check_name(path)
    text_like = info.type not in _NUMERIC | {"boolean", "date", "datetime"}
    if operator == "is_blank":
        return f"({path} = null)"
    if operator == "is_not_blank":
        return f"({path} != null)"
    if operator in ("is_checked", "is_not_checked"):
        return f"({path} = {'true' if operator == 'is_checked' else 'false'})"
    if operator in ("contains", "not_contains", "starts_with"):
        if not text_like:
            raise FilterError(f"'{operator}' needs a text field; {path} is {info.type}")
        if info.type == "multipicklist":
            pattern = quote(value)
            clause = f"{path} INCLUDES ({pattern})"
            return f"(NOT {clause})" if operator == "not_contains" else f"({clause})"
        pattern = quote_like(value, prefix=operator != "starts_with", suffix=True)
        clause = f"{path} LIKE {pattern}"
        return f"(NOT {clause})" if operator == "not_contains" else f"({clause})"
    ops = {"equals": "=", "not_equals": "!=", "greater_than": ">", "less_than": "<",
           "greater_or_equal": ">=", "less_or_equal": "<="}
    if operator not in ops:
        raise FilterError(f"Unknown filter operator '{operator}'")
    if info.type == "boolean" and ops[operator] not in ("=", "!="):
        raise FilterError(f"'{operator}' cannot compare {path}, a checkbox")
    if value == "" and ops[operator] not in ("=", "!="):
        # Salesforce reads '' as null, and null takes only = and != (MALFORMED_QUERY).
        raise FilterError(f"Filter on {info.name} needs a value to compare with")
    return f"({path} {ops[operator]} {literal(value, info)})"


def record_fields(paths: Iterable[str]) -> list[str]:
    """The SELECT list: the audit fields first, then ``paths`` once each."""
    seen: dict[str, None] = {}
    for path in (*AUDIT_FIELDS, *paths):
        if check_name(path).lower() not in {p.lower() for p in seen}:
            seen[path] = None
    return list(seen)


def build_record_query(
    *,
    object_name: str,
    paths: Iterable[str],
    filters: Iterable[tuple[str, str, str, FieldInfo]] = (),
    since: datetime | None = None,
    after: tuple[datetime, str] | None = None,
    ids: Iterable[str] = (),
) -> str:
    """The run's record query: fields, filters, incremental bound, stable order.

    ``filters`` are ``(path, operator, value, info)``; ``since`` is the lower bound
    (inclusive: records sharing its second are read again); ``after`` is a keyset cursor ``(stamp, Id)``: only records
    strictly after it in ``SystemModstamp, Id`` order; ``ids`` restricts to those records.
    """
    check_name(object_name)
    clauses = [filter_clause(p, op, v, info) for p, op, v, info in filters]
    if since is not None:
        clauses.append(f"(SystemModstamp >= {soql_datetime(since)})")
    if after is not None:
        stamp = soql_datetime(after[0])
        clauses.append(f"((SystemModstamp > {stamp}) OR "
                       f"(SystemModstamp = {stamp} AND Id > {quote(after[1])}))")
    id_list = list(ids)
    if id_list:
        clauses.append(f"(Id IN ({', '.join(quote(i) for i in id_list)}))")
    query = f"SELECT {', '.join(record_fields(paths))} FROM {object_name}"  # noqa: S608 (names checked, values quoted)
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    return query + " ORDER BY SystemModstamp, Id"


def build_in_queries(
    *, object_name: str, select: Iterable[str], field: str, values: Iterable[str],
    extra_where: str = "",
) -> list[str]:
    """``SELECT select FROM object WHERE field IN (...)``, chunked under the length limit."""
    check_name(object_name)
    check_name(field)
    head = f"SELECT {', '.join(check_name(s) for s in select)} FROM {object_name} WHERE "  # noqa: S608 (names checked)
    if extra_where:
        head += f"{extra_where} AND "
    head += f"{field} IN ("
    queries, chunk, size = [], [], len(head) + 1
    for value in sorted(set(values)):
        item = quote(value)
        if chunk and size + len(item) + 2 > MAX_QUERY_CHARS:
            queries.append(head + ", ".join(chunk) + ")")
            chunk, size = [], len(head) + 1
        chunk.append(item)
        size += len(item) + 2
    if chunk:
        queries.append(head + ", ".join(chunk) + ")")
    return queries


def build_lookup_queries(*, object_name: str, field: str, names: Iterable[str]) -> list[str]:
    """One query (or a few, for very many names) resolving ``names`` to ids."""
    return build_in_queries(object_name=object_name, select=("Id", field), field=field,
                            values=names)


def build_select_query(
    *, object_name: str, fields: Iterable[str],
    filters: Iterable[tuple[str, str, str, FieldInfo]] = (), order_by: str = "Id",
) -> str:
    """``SELECT fields FROM object WHERE <filters> ORDER BY order_by``: the workflow's
    Salesforce filters compiled exactly as the run's record query compiles them (reports
    read the same records the sync does)."""
    check_name(object_name)
    check_name(order_by)
    clauses = [filter_clause(p, op, v, info) for p, op, v, info in filters]
    query = f"SELECT {', '.join(check_name(f) for f in fields)} FROM {object_name}"  # noqa: S608 (names checked, values quoted)
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    return query + f" ORDER BY {order_by}"
