"""A quoted string is data: whatever a client escapes comes back as one literal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sandbox.salesforce.soql import compile_query
from sandbox.salesforce.soql.grammar import parse
from sandbox.salesforce.soql.literals import decode_string, like_regex

from .support import NOW, SCHEMA, MemorySource, make_id

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def client_escape(value: str) -> str:
    """What the connector does before putting a value in quotes."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def like_escape(value: str) -> str:
    return client_escape(value).replace("%", "\\%").replace("_", "\\_")


@given(_TEXT)
def test_it_parses_any_escaped_string_as_one_literal_with_the_original_value(value):
    statement = parse(f"SELECT Id FROM Account WHERE Name = '{client_escape(value)}' LIMIT 1")
    (literal,) = statement.where.values
    assert literal.kind == "STRING"
    assert decode_string(literal.raw) == value
    assert statement.limit.raw == "1"


@given(_TEXT.filter(bool))
def test_it_matches_exactly_the_record_holding_the_escaped_value(value):
    source = MemorySource(Account=[
        {"Id": make_id("Account", 1), "Name": value},
        {"Id": make_id("Account", 2), "Name": value + "x"},
    ])
    for op, escaped in (("=", client_escape(value)), ("LIKE", like_escape(value))):
        query = compile_query(f"SELECT Id FROM Account WHERE Name {op} '{escaped}'", SCHEMA)
        assert [r["Id"] for r in query.run(source, now=NOW).records] == [make_id("Account", 1)]


@given(_TEXT)
def test_it_matches_an_escaped_like_pattern_only_literally(value):
    pattern = like_regex(f"'{like_escape(value)}'")
    assert pattern.fullmatch(value)
    assert not pattern.fullmatch(value + "x")


def test_it_keeps_an_injection_attempt_inside_the_literal():
    attack = "x' OR Name != 'y"
    text = f"SELECT Name FROM Account WHERE Name = '{client_escape(attack)}'"
    assert text.endswith("Name = 'x\\' OR Name != \\'y'")
    source = MemorySource(Account=[
        {"Id": make_id("Account", 1), "Name": attack},
        {"Id": make_id("Account", 2), "Name": "x"},
        {"Id": make_id("Account", 3), "Name": "other"},
    ])
    result = compile_query(text, SCHEMA).run(source, now=NOW)
    assert [r["Name"] for r in result.records] == [attack]


def test_it_decodes_every_documented_escape():
    raw = "'a\\nb\\Nc\\td\\Te\\rf\\bg\\fh\\\"i\\'j\\\\k\\u00e9'"
    assert decode_string(raw) == "a\nb\nc\td\te\rf\bg\fh\"i'j\\k\u00e9"
