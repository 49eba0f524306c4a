"""SOQL building: values stay literals whatever they contain (checked with the sandbox's
own SOQL parser), filters are typed per field, the query is incremental and ordered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runs.engine.convert import FieldInfo
from runs.engine.soql import (
    FilterError,
    build_lookup_queries,
    build_record_query,
    filter_clause,
    quote,
)
from sandbox.salesforce.soql.grammar import Comparison, parse
from sandbox.salesforce.soql.literals import decode_string, like_regex

TEXT = FieldInfo(name="Name", type="string")
HOSTILE = ["' OR Name != '", "\\", "\\'", "x' AND Id != null) OR (Name = 'y",
           "SELECT Id FROM User", "%_%", "'; DELETE", "é ✓ \u2028", "a\nb\tc", "x" * 10_000]


def _where(query: str):
    statement = parse(query)
    return statement.where


@pytest.mark.parametrize("value", HOSTILE)
def test_it_keeps_every_hostile_value_one_literal(value):
    query = build_record_query(object_name="Account", paths=["Name"],
                               filters=[("Name", "equals", value, TEXT)])
    where = _where(query)
    assert isinstance(where, Comparison)
    assert where.path.text == "Name" and where.op == "="
    assert decode_string(where.values[0].raw) == value


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_it_round_trips_any_text_through_the_parser(value):
    where = _where(f"SELECT Id FROM Account WHERE Name = {quote(value)}")
    assert isinstance(where, Comparison)
    assert decode_string(where.values[0].raw) == value


@given(st.text(max_size=100))
@settings(max_examples=200, deadline=None)
def test_it_matches_like_patterns_literally(value):
    clause = filter_clause("Name", "contains", value, TEXT)
    where = _where(f"SELECT Id FROM Account WHERE {clause}")
    assert where.op == "LIKE"
    pattern = like_regex(where.values[0].raw)
    assert pattern.fullmatch(f"before{value}after")
    if value:  # a shorter text cannot contain the value: wildcards did not leak in
        assert not pattern.fullmatch(value[:-1])


@pytest.mark.parametrize(("operator", "value", "info", "expected"), [
    ("equals", "5", FieldInfo(name="N", type="int"), "(N = 5)"),
    ("greater_than", "2.5", FieldInfo(name="N", type="double"), "(N > 2.5)"),
    ("less_or_equal", "2026-01-31", FieldInfo(name="D", type="date"), "(D <= 2026-01-31)"),
    ("equals", "yes", FieldInfo(name="B", type="boolean"), "(B = true)"),
    ("greater_or_equal", "2026-01-31 10:00", FieldInfo(name="T", type="datetime"),
     "(T >= 2026-01-31T10:00:00Z)"),
    ("is_blank", "", TEXT, "(Name = null)"),
    ("is_not_blank", "", TEXT, "(Name != null)"),
    ("starts_with", "Ac", TEXT, "(Name LIKE 'Ac%')"),
    ("not_contains", "a%b", TEXT, "(NOT Name LIKE '%a\\%b%')"),
    ("not_equals", "x", FieldInfo(name="P", type="picklist"), "(P != 'x')"),
    ("contains", "Red", FieldInfo(name="M", type="multipicklist"), "(M INCLUDES ('Red'))"),
])
def test_it_types_filters_per_field(operator, value, info, expected):
    clause = filter_clause(info.name, operator, value, info)
    assert clause == expected
    parse(f"SELECT Id FROM Account WHERE {clause}")


@pytest.mark.parametrize(("path", "operator", "value", "info"), [
    ("N", "equals", "5 OR Name != null", FieldInfo(name="N", type="int")),
    ("D", "equals", "2026-01-01) OR (Id != null", FieldInfo(name="D", type="date")),
    ("Name = 'x' OR Id", "equals", "x", TEXT),
    ("N", "contains", "1", FieldInfo(name="N", type="int")),
])
def test_it_refuses_values_that_are_not_of_the_field_type(path, operator, value, info):
    with pytest.raises(FilterError):
        filter_clause(path, operator, value, info)


def test_it_builds_an_incremental_ordered_query_with_relationship_paths():
    query = build_record_query(object_name="Account", paths=["Name", "Owner.Name", "Name"],
                               since=datetime(2026, 5, 1, 12, 0, 1, tzinfo=UTC))
    statement = parse(query)
    selected = [p.text for p in statement.fields]
    assert selected.count("Name") == 1 and "Owner.Name" in selected
    assert {"Id", "SystemModstamp", "IsDeleted", "LastModifiedBy.Name"} <= set(selected)
    assert "(SystemModstamp >= 2026-05-01T12:00:01Z)" in query
    assert [o.path.text for o in statement.order] == ["SystemModstamp", "Id"]


def test_it_builds_a_keyset_cursor_that_parses():
    query = build_record_query(object_name="Account", paths=["Name"],
                               after=(datetime(2026, 5, 1, tzinfo=UTC), "001' OR Id != '"))
    where = parse(query).where
    assert where.op == "OR"
    assert decode_string(where.items[1].items[1].values[0].raw) == "001' OR Id != '"


def test_it_chunks_lookup_queries_under_the_length_limit():
    names = [f"Person {i} " + "x" * 100 for i in range(400)]
    queries = build_lookup_queries(object_name="User", field="Name", names=names + names[:5])
    assert len(queries) > 1
    seen = []
    for query in queries:
        assert len(query) <= 16_000
        where = parse(query).where
        assert where.op == "IN"
        seen += [decode_string(v.raw) for v in where.values]
    assert sorted(seen) == sorted(names)
