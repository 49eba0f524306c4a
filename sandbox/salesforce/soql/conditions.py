"""WHERE and ORDER BY, compiled once per query into closures over plain records.

Every check Salesforce makes at compile time happens in :func:`compile_where`: field
types against literal kinds, operators a type can take, filterable/sortable flags,
escapes. What remains at run time depends only on ``now`` (relative date literals):
``compile_where`` returns a *binder* ``now -> predicate(record, ctx) -> bool`` so the
ranges are computed once per run, not per record.

Null semantics follow SOQL, not SQL: ``!=``, ``NOT IN`` and EXCLUDES match records whose
field is null; every other operator never does. Text compares case-insensitively; ids
compare by their case-sensitive 15-character form, so 15- and 18-character ids match.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .errors import (
    INVALID_FIELD,
    INVALID_QUERY_FILTER_OPERATOR,
    MALFORMED_QUERY,
    SoqlError,
    located,
)
from .fields import ResolvedPath, RunContext, Schema
from .grammar import BoolOp, Comparison, Literal, OrderItem
from .literals import (
    RELATIVE_N,
    RELATIVE_PLAIN,
    LiteralError,
    datetime_key,
    day_start,
    decode_string,
    like_regex,
    parse_date,
    parse_datetime,
    parse_number,
    relative_range,
)

Predicate = Callable[[dict, RunContext], bool]
Binder = Callable[[datetime], Predicate]

_TEXT = {"string", "textarea", "picklist", "combobox", "email", "phone", "url",
         "encryptedstring"}
_NUMBER = {"int", "double", "currency", "percent", "long"}
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
             "=": operator.eq}
#: How Salesforce names a type in "must be of type X" messages.
_TYPE_WORDS = {"int": "integer", "double": "double", "currency": "currency",
               "percent": "percent", "long": "long", "date": "date", "datetime": "dateTime",
               "boolean": "boolean"}


def category(field_type: str) -> str:
    if field_type in _TEXT:
        return "text"
    if field_type in ("id", "reference"):
        return "id"
    if field_type in _NUMBER:
        return "number"
    if field_type in ("boolean", "date", "datetime", "multipicklist"):
        return field_type
    return "unsupported"


def _normaliser(kind: str) -> Callable[[Any], Any] | None:
    """Record value → comparable form (None: compare as is)."""
    return {"text": str.lower, "id": _id15, "datetime": datetime_key,
            "multipicklist": _term_set}.get(kind)


def _id15(value: str) -> str:
    return value[:15]


def _term_set(value: str) -> frozenset[str]:
    return frozenset(term.strip().lower() for term in value.split(";") if term.strip())


class _Compiler:
    def __init__(self, text: str, schema: Schema, object_name: str) -> None:
        self.text = text
        self.schema = schema
        self.object_name = object_name

    def fail(self, code: str, where: Any, reason: str) -> SoqlError:
        """An error located at ``where`` (anything with ``line`` and ``column``)."""
        return SoqlError(code, located(self.text, where.line, where.column, reason))

    # --- boolean structure ---------------------------------------------------------------

    def node(self, node: Comparison | BoolOp) -> Binder:
        if isinstance(node, Comparison):
            return self.comparison(node)
        binders = [self.node(item) for item in node.items]
        if node.op == "NOT":
            (inner,) = binders

            def bind_not(now: datetime) -> Predicate:
                predicate = inner(now)
                return lambda record, ctx: not predicate(record, ctx)
            return bind_not
        if node.op == "AND":
            def bind_and(now: datetime) -> Predicate:
                predicates = [binder(now) for binder in binders]

                def all_of(record: dict, ctx: RunContext) -> bool:
                    return all(predicate(record, ctx) for predicate in predicates)
                return all_of
            return bind_and

        def bind_or(now: datetime) -> Predicate:
            predicates = [binder(now) for binder in binders]

            def any_of(record: dict, ctx: RunContext) -> bool:
                return any(predicate(record, ctx) for predicate in predicates)
            return any_of
        return bind_or

    # --- one comparison --------------------------------------------------------------------

    def comparison(self, node: Comparison) -> Binder:
        path = self.schema.resolve(self.text, self.object_name, node.path)
        if not path.describe.get("filterable", True):
            raise self.fail(INVALID_FIELD, node.path,
                            f"field '{path.field_name}' can not be filtered in a query call")
        kind = category(path.type)
        if kind == "unsupported":
            raise self.fail(INVALID_FIELD, node.path,
                            f"field '{path.field_name}' can not be filtered in a query call")
        get = _blank_as_null(path.get) if kind == "text" else path.get
        op = node.op
        self.check_operator(node, path, kind)
        if op == "LIKE":
            return self.like(node, path, get)
        if op in ("INCLUDES", "EXCLUDES"):
            return self.includes(node, path, get)
        if op in ("IN", "NOT IN"):
            return self.in_list(node, path, kind, get)
        (literal,) = node.values
        if literal.kind == "STRING" and kind == "text" and literal.raw == "''":
            # Salesforce stores no empty strings, so '' filters like NULL.
            literal = Literal("NULL", "null", literal.line, literal.column)
        if literal.kind == "NULL":
            if op not in ("=", "!="):
                raise self.fail(MALFORMED_QUERY, literal,
                                f"invalid operator {op} with null value")
            wanted = op == "="
            return _constant(lambda record, ctx: (get(record, ctx) is None) == wanted)
        if literal.kind in ("NAME", "N_DATE") and kind in ("date", "datetime"):
            return self.relative(node, path, kind, get, literal)
        value = self.value(path, kind, literal)
        norm = _normaliser(kind)
        if op == "!=":
            if norm is None:
                return _constant(lambda r, c: (v := get(r, c)) is None or v != value)
            return _constant(lambda r, c: (v := get(r, c)) is None or norm(v) != value)
        test = _ORDERING[op]
        if not path.hops and kind in ("datetime", "date", "number"):
            # The incremental read's hot path (SystemModstamp >= ...): no getter call, and
            # canonical datetimes compare as stored.
            name = path.field_name
            if kind == "datetime":
                return _constant(lambda r, c: (v := r.get(name)) is not None and test(
                    v if len(v) == 28 and v[23:] == "+0000" else datetime_key(v), value))
            return _constant(lambda r, c: (v := r.get(name)) is not None and test(v, value))
        if norm is None:
            return _constant(lambda r, c: (v := get(r, c)) is not None and test(v, value))
        return _constant(lambda r, c: (v := get(r, c)) is not None and test(norm(v), value))

    def check_operator(self, node: Comparison, path: ResolvedPath, kind: str) -> None:
        op, name = node.op, path.field_name
        if op in ("INCLUDES", "EXCLUDES"):
            if kind != "multipicklist":
                raise self.fail(INVALID_QUERY_FILTER_OPERATOR, node,
                                "includes or excludes operator only valid on multipicklist field")
            return
        allowed = {
            "text": {"=", "!=", "<", "<=", ">", ">=", "LIKE", "IN", "NOT IN"},
            "id": {"=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"},
            "number": {"=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"},
            "date": {"=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"},
            "datetime": {"=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"},
            "boolean": {"=", "!="},
            "multipicklist": {"=", "!="},
        }[kind]
        if op not in allowed:
            raise self.fail(INVALID_QUERY_FILTER_OPERATOR, node,
                            f"invalid operator on {path.type} field: {name} {op}")

    def value(self, path: ResolvedPath, kind: str, literal: Literal) -> Any:
        """A literal converted to the comparable form of the field's type, or an error."""
        expected = {"text": "STRING", "id": "STRING", "multipicklist": "STRING",
                    "number": "NUMBER", "date": "DATE", "datetime": "DATETIME"}.get(kind)
        if kind == "boolean":
            if literal.kind not in ("TRUE", "FALSE"):
                raise self.type_error(path, literal, quoted=False)
            return literal.kind == "TRUE"
        if literal.kind != expected:
            raise self.type_error(path, literal, quoted=expected == "STRING")
        try:
            if kind == "text":
                return decode_string(literal.raw).lower()
            if kind == "multipicklist":
                return _term_set(decode_string(literal.raw))
            if kind == "id":
                decoded = decode_string(literal.raw)
                if len(decoded) not in (15, 18) or not decoded.isascii() or not decoded.isalnum():
                    raise self.fail(INVALID_QUERY_FILTER_OPERATOR, literal,
                                    f"invalid ID field: {decoded}")
                return decoded[:15]
            if kind == "number":
                return parse_number(literal.raw)
            if kind == "date":
                return parse_date(literal.raw)
            return parse_datetime(literal.raw)
        except LiteralError as error:
            raise self.fail(MALFORMED_QUERY, literal, str(error)) from None

    def type_error(self, path: ResolvedPath, literal: Literal, *, quoted: bool) -> SoqlError:
        if literal.kind == "NAME" and literal.raw.upper() not in RELATIVE_PLAIN:
            return self.fail(MALFORMED_QUERY, literal, f"unexpected token: '{literal.raw}'")
        word = "string" if quoted else _TYPE_WORDS.get(path.type, path.type)
        enclosed = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        return self.fail(INVALID_FIELD, literal,
                         f"value of filter criterion for field '{path.field_name}' must be "
                         f"of type {word} and {enclosed}")

    def relative(self, node: Comparison, path: ResolvedPath, kind: str, get: Any,
                 literal: Literal) -> Binder:
        name, _, number = literal.raw.partition(":")
        name = name.upper()
        valid = name in RELATIVE_N if number else name in RELATIVE_PLAIN
        if not valid:
            raise self.fail(MALFORMED_QUERY, literal, f"unexpected token: '{literal.raw}'")
        n = int(number) if number else None
        op = node.op
        as_bound = day_start if kind == "datetime" else (lambda day: day.isoformat())
        norm = datetime_key if kind == "datetime" else (lambda v: v)

        def bind(now: datetime) -> Predicate:
            first, after = relative_range(name, n, now.date())
            start, end = as_bound(first), as_bound(after)
            if op == "!=":
                return lambda r, c: (v := get(r, c)) is None or not start <= norm(v) < end
            inside = {
                "=": lambda v: start <= v < end, "<": lambda v: v < start,
                "<=": lambda v: v < end, ">": lambda v: v >= end, ">=": lambda v: v >= start,
            }[op]
            return lambda r, c: (v := get(r, c)) is not None and inside(norm(v))
        return bind

    def like(self, node: Comparison, path: ResolvedPath, get: Any) -> Binder:
        (literal,) = node.values
        if literal.kind != "STRING":
            raise self.type_error(path, literal, quoted=True)
        try:
            pattern = like_regex(literal.raw)
        except LiteralError as error:
            raise self.fail(MALFORMED_QUERY, literal, str(error)) from None
        match = pattern.fullmatch
        return _constant(lambda r, c: (v := get(r, c)) is not None and match(v) is not None)

    def includes(self, node: Comparison, path: ResolvedPath, get: Any) -> Binder:
        wanted = []
        for literal in node.values:
            if literal.kind != "STRING":
                raise self.type_error(path, literal, quoted=True)
            try:
                wanted.append(_term_set(decode_string(literal.raw)))
            except LiteralError as error:
                raise self.fail(MALFORMED_QUERY, literal, str(error)) from None
        # INCLUDES('a;b', 'c'): (a AND b) OR c.
        if node.op == "INCLUDES":
            return _constant(lambda r, c: (v := get(r, c)) is not None
                             and any(terms <= _term_set(v) for terms in wanted))
        return _constant(lambda r, c: (v := get(r, c)) is None
                         or not any(terms <= _term_set(v) for terms in wanted))

    def in_list(self, node: Comparison, path: ResolvedPath, kind: str, get: Any) -> Binder:
        members = set()
        with_null = False
        for literal in node.values:
            if literal.kind == "NULL":
                with_null = True
            else:
                members.add(self.value(path, kind, literal))
        norm = _normaliser(kind) or (lambda v: v)
        if node.op == "IN":
            return _constant(lambda r, c: with_null if (v := get(r, c)) is None
                             else norm(v) in members)
        return _constant(lambda r, c: not with_null if (v := get(r, c)) is None
                         else norm(v) not in members)


def _blank_as_null(get: Any) -> Any:
    """Salesforce keeps no empty strings: a stored '' reads as null."""
    return lambda record, ctx: get(record, ctx) or None


def _constant(predicate: Predicate) -> Binder:
    """A binder for a predicate that does not depend on ``now``."""
    return lambda now: predicate


def compile_where(text: str, schema: Schema, object_name: str,
                  node: Comparison | BoolOp) -> Binder:
    """Check ``node`` against the schema and return ``now -> predicate(record, ctx)``."""
    return _Compiler(text, schema, object_name).node(node)


def compile_order(text: str, schema: Schema, object_name: str, items: list[OrderItem]
                  ) -> Callable[[list[dict], RunContext], list[dict]] | None:
    """A function returning the rows sorted by ``items`` (None without ORDER BY).

    One stable pass per item, last item first. A pass computes each row's key once,
    sorts the non-null rows by plain values (fast C comparisons, no callbacks per pair)
    and puts the null rows, in their current order, first or last: the same order as a
    stable sort on ``(null flag, value)``. Default NULLS FIRST in both directions, as
    Salesforce.
    """
    if not items:
        return None
    passes = []
    for item in items:
        path = schema.resolve(text, object_name, item.path)
        if not path.describe.get("sortable", True):
            raise SoqlError(INVALID_FIELD, located(
                text, item.path.line, item.path.column,
                f"field '{path.field_name}' can not be sorted in a query call"))
        kind = category(path.type)
        # Ids sort by their exact (case-sensitive) text, other text case-insensitively.
        norm = {"text": str.lower, "datetime": datetime_key,
                "multipicklist": str.lower}.get(kind)
        passes.append((_column(path, norm), item.descending, item.nulls_last))

    def sort(rows: list[dict], ctx: RunContext) -> list[dict]:
        for column, descending, nulls_last in reversed(passes):
            keys = column(rows, ctx)
            present = [i for i, key in enumerate(keys) if key is not None]
            absent = [i for i, key in enumerate(keys) if key is None]
            present.sort(key=keys.__getitem__, reverse=descending)
            order = present + absent if nulls_last else absent + present
            rows = [rows[i] for i in order]
        return rows
    return sort


def _column(path: ResolvedPath, norm: Any) -> Callable[[list[dict], RunContext], list]:
    """Sort keys of one ORDER BY item for all rows, in row order (None for null)."""
    name, get = path.field_name, path.get
    own = not path.hops

    def column(rows: list[dict], ctx: RunContext) -> list:
        values = [r.get(name) for r in rows] if own else [get(r, ctx) for r in rows]
        if norm is None:
            return values
        # '' is null: Salesforce stores no empty strings.
        if norm is datetime_key:
            return [v if v and len(v) == 28 and v[23:] == "+0000" else (norm(v) if v else None)
                    for v in values]
        return [norm(v) if v else None for v in values]
    return column
