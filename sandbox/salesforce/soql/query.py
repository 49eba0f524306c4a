"""A compiled query and its run over a record source.

A run is: all records of the FROM object (live ones, or all with ``include_deleted``) →
WHERE predicate → stable sort, one pass per ORDER BY item from the last → OFFSET/LIMIT →
records in the REST shape, parents nested, only the selected fields in select order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .conditions import Binder, compile_order, compile_where
from .errors import (
    INVALID_FIELD,
    MALFORMED_QUERY,
    NUMBER_OUTSIDE_VALID_RANGE,
    SoqlError,
    located,
)
from .fields import ResolvedPath, RunContext, Schema, read_field
from .grammar import Literal, parse

MAX_OFFSET = 2000


class RecordSource(Protocol):
    """What a run reads from: the emulator's store."""

    def records(self, object_name: str) -> Iterable[dict]:
        """Every stored record of the object, deleted ones included (``IsDeleted``)."""

    def get_by_id(self, record_id: str) -> tuple[str, dict] | None:
        """``(object name, record)`` for any id, or None."""


@dataclass
class QueryResult:
    """``total_size`` is the REST ``totalSize``: rows returned after OFFSET/LIMIT, or the
    count for ``COUNT()`` (then ``records`` is empty)."""

    total_size: int
    records: list[dict]


@dataclass
class _Shape:
    """The nested output layout of the selected fields of one (parent) object."""

    on_name_object: bool = False
    #: ("field", name) or ("parent", relationship name, reference field, _Shape)
    entries: list[tuple] = field(default_factory=list)

    def child(self, relationship_name: str, reference: str, polymorphic: bool) -> _Shape:
        for entry in self.entries:
            if entry[0] == "parent" and entry[1] == relationship_name:
                return entry[3]
        shape = _Shape(on_name_object=polymorphic)
        self.entries.append(("parent", relationship_name, reference, shape))
        return shape


class Query:
    """A query checked against the schema; :meth:`run` may be called any number of times.

    ``fields`` are the canonical selected paths (empty for ``COUNT()`` and ``COUNT(f)``).
    ``COUNT(f)`` answers like Salesforce's aggregate query: one ``AggregateResult``
    record with ``expr0``, the number of matching rows where ``f`` is not null.
    """

    def __init__(self, *, object_name: str, is_count: bool, fields: list[str],
                 count_path: ResolvedPath | None, shape: _Shape, where: Binder | None,
                 order: Callable[[list[dict], RunContext], list[dict]] | None, limit: int | None, offset: int,
                 schema: Schema) -> None:
        self.object_name = object_name
        self.is_count = is_count
        self.fields = fields
        self._count_path = count_path
        self._render = _renderer(shape, schema)
        self._where = where
        self._order = order
        self._limit = limit
        self._offset = offset
        self._schema = schema

    def run(self, source: RecordSource, *, now: datetime, include_deleted: bool = False,
            api_version: str = "59.0") -> QueryResult:
        """Evaluate against ``source`` as of ``now`` (aware, UTC: relative date literals)."""
        ctx = RunContext(source)
        rows: Iterable[dict] = source.records(self.object_name)
        if not include_deleted:
            rows = (record for record in rows if not record.get("IsDeleted"))
        if self._where is not None:
            predicate = self._where(now)
            rows = [record for record in rows if predicate(record, ctx)]
        else:
            rows = list(rows)
        if self._order is not None:
            rows = self._order(rows, ctx)
        end = None if self._limit is None else self._offset + self._limit
        rows = rows[self._offset:end]
        if self.is_count:
            return QueryResult(len(rows), [])
        if self._count_path is not None:
            get = self._count_path.get
            count = sum(1 for record in rows if get(record, ctx) is not None)
            return QueryResult(1, [{"attributes": {"type": "AggregateResult"}, "expr0": count}])
        prefix = f"/services/data/v{api_version}/sobjects/"
        render, name = self._render, self.object_name
        return QueryResult(len(rows), [render(name, record, ctx, prefix) for record in rows])


def _renderer(shape: _Shape, schema: Schema) -> Callable[[str, dict, RunContext, str], dict]:
    """A function rendering one record of ``shape`` in the REST shape, compiled once so
    that the common case (own fields only) is a tight loop of ``dict.get``."""
    if not shape.on_name_object and all(entry[0] == "field" for entry in shape.entries):
        names = [entry[1] for entry in shape.entries]

        def render_plain(object_name: str, record: dict, ctx: RunContext, prefix: str) -> dict:
            out: dict[str, Any] = {"attributes": {
                "type": object_name, "url": f"{prefix}{object_name}/{record['Id']}"}}
            for name in names:
                out[name] = record.get(name)
            return out
        return render_plain
    parts: list[tuple[str, Callable]] = []
    for entry in shape.entries:
        if entry[0] == "field":
            parts.append((entry[1], _field_reader(schema, entry[1], shape.on_name_object)))
        else:
            parts.append((entry[1], _parent_reader(entry[2], _renderer(entry[3], schema))))

    def render(object_name: str, record: dict, ctx: RunContext, prefix: str) -> dict:
        out: dict[str, Any] = {"attributes": {
            "type": object_name, "url": f"{prefix}{object_name}/{record['Id']}"}}
        for key, read in parts:
            out[key] = read(object_name, record, ctx, prefix)
        return out
    return render


def _field_reader(schema: Schema, name: str, on_name_object: bool) -> Callable:
    def read(object_name: str, record: dict, ctx: RunContext, prefix: str) -> Any:
        return read_field(schema, object_name, record, name, on_name_object)
    return read


def _parent_reader(reference: str, render_parent: Callable) -> Callable:
    def read(object_name: str, record: dict, ctx: RunContext, prefix: str) -> dict | None:
        parent_id = record.get(reference)
        found = ctx.parent(parent_id) if parent_id else None
        return None if found is None else render_parent(found[0], found[1], ctx, prefix)
    return read


def compile_query(text: str, schema: Mapping[str, dict]) -> Query:
    """Parse and check ``text`` against ``schema`` (object name → describe dict).

    Raises :class:`~.errors.SoqlError` with Salesforce's error code and message shape:
    MALFORMED_QUERY (syntax, bad literal or escape, unsupported clause such as a
    subquery), INVALID_TYPE (unknown object), INVALID_FIELD (unknown field or
    relationship, field selected twice, literal of the wrong type, field not
    filterable/sortable),
    INVALID_QUERY_FILTER_OPERATOR (operator the type cannot take, malformed id),
    NUMBER_OUTSIDE_VALID_RANGE (OFFSET over 2,000).
    """
    statement = parse(text)
    index = Schema(schema)
    object_name = index.object_name(
        text, statement.object_name, statement.object_line, statement.object_column
    )
    shape = _Shape()
    fields: list[str] = []
    count_path = None
    if isinstance(statement.count, str):
        pass
    elif statement.count is not None:
        count_path = index.resolve(text, object_name, statement.count)
    for path in statement.fields:
        resolved = index.resolve(text, object_name, path)
        if resolved.canonical.lower() in {f.lower() for f in fields}:
            # The SOQL reference documents INVALID_FIELD for a field selected twice.
            raise SoqlError(INVALID_FIELD, located(
                text, path.line, path.column, f"duplicate field selected: {resolved.canonical}"))
        fields.append(resolved.canonical)
        node = shape
        for hop in resolved.hops:
            node = node.child(hop.relationship_name, hop.field_name, hop.polymorphic)
        node.entries.append(("field", resolved.field_name))
    where = None
    if statement.where is not None:
        where = compile_where(text, index, object_name, statement.where)
    order = compile_order(text, index, object_name, statement.order)
    limit = _count_literal(text, statement.limit)
    offset = _count_literal(text, statement.offset) or 0
    if offset > MAX_OFFSET:
        assert statement.offset is not None
        raise SoqlError(NUMBER_OUTSIDE_VALID_RANGE, located(
            text, statement.offset.line, statement.offset.column,
            f"Maximum SOQL offset allowed is {MAX_OFFSET}"))
    return Query(object_name=object_name, is_count=statement.count == "all", fields=fields,
                 count_path=count_path, shape=shape, where=where, order=order, limit=limit,
                 offset=offset, schema=index)


def _count_literal(text: str, literal: Literal | None) -> int | None:
    """A LIMIT/OFFSET value: a non-negative integer."""
    if literal is None:
        return None
    if not literal.raw.isdigit():
        raise SoqlError(MALFORMED_QUERY, located(
            text, literal.line, literal.column, f"unexpected token: '{literal.raw}'"))
    return int(literal.raw)
