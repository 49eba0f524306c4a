"""SOQL date literals: the whitelisted relative date literals (TODAY, LAST_N_DAYS:7) reach
the query unquoted and as Salesforce spells them; anything else stays a typed date or is
refused — no text passes into the query unescaped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runs.engine.convert import FieldInfo
from runs.engine.soql import FilterError, build_record_query, date_literal, filter_clause
from sandbox.salesforce.soql.grammar import Comparison, parse

CLOSE_DATE = FieldInfo(name="CloseDate", type="date")
CREATED = FieldInfo(name="CreatedDate", type="datetime")


@pytest.mark.parametrize(("value", "expected"), [
    ("TODAY", "TODAY"), ("YESTERDAY", "YESTERDAY"), ("THIS_MONTH", "THIS_MONTH"),
    ("LAST_90_DAYS", "LAST_90_DAYS"), ("LAST_N_DAYS:7", "LAST_N_DAYS:7"),
    ("N_DAYS_AGO:30", "N_DAYS_AGO:30"), (" last_n_days:7 ", "LAST_N_DAYS:7"),
    ("LAST_N_MONTHS:007", "LAST_N_MONTHS:7"),
])
def test_it_recognizes_whitelisted_date_literals(value, expected):
    assert date_literal(value) == expected


@pytest.mark.parametrize("value", [
    "TODAY:3", "LAST_N_DAYS", "LAST_N_DAYS:", "LAST_N_DAYS:0", "LAST_N_DAYS:-1",
    "LAST_N_DAYS:1.5", "LAST_N_DAYS:12345", "LAST_N_DAYS:7 OR Id != null",
    "LAST_N_DAYS:7)", "TODAY OR Name != null", "NOW", "SOMEDAY", "LAST_N_DAYS:٣",
    "LAST_N_DAYS: 7", "2024-01-01",
])
def test_it_rejects_anything_else_as_a_date_literal(value):
    assert date_literal(value) is None


@pytest.mark.parametrize("info", [CLOSE_DATE, CREATED])
@pytest.mark.parametrize(("value", "expected"), [
    ("LAST_N_DAYS:7", "LAST_N_DAYS:7"), ("TODAY", "TODAY"), ("this_month", "THIS_MONTH")])
def test_it_puts_date_literals_unquoted_in_the_filter(info, value, expected):
    clause = filter_clause(info.name, "greater_or_equal", value, info)

    assert clause == f"({info.name} >= {expected})"


def test_it_builds_a_query_the_soql_parser_reads_as_a_date_literal():
    query = build_record_query(object_name="Opportunity", paths=["Name"],
                               filters=[("CloseDate", "equals", "LAST_N_DAYS:7", CLOSE_DATE)])

    where = parse(query).where
    assert isinstance(where, Comparison)
    assert where.values[0].raw == "LAST_N_DAYS:7"


@pytest.mark.parametrize("value", ["SOMEDAY", "LAST_N_DAYS:0", "TODAY OR Name != null",
                                   "LAST_N_DAYS:7 OR Id != null"])
def test_it_refuses_a_date_filter_that_is_neither_a_date_nor_a_literal(value):
    with pytest.raises(FilterError):
        filter_clause("CloseDate", "equals", value, CLOSE_DATE)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_it_never_lets_other_text_into_a_date_filter(value):
    """Whatever the text, the clause is one comparison with one literal, or refused."""
    try:
        clause = filter_clause("CloseDate", "equals", value, CLOSE_DATE)
    except FilterError:
        return
    where = parse(f"SELECT Id FROM Opportunity WHERE {clause}").where
    assert isinstance(where, Comparison) and len(where.values) == 1


@pytest.mark.parametrize(("value", "tz", "expected"), [
    ("2024-05-01T10:00:00", "Europe/Paris", "2024-05-01T08:00:00Z"),  # summer time: +2
    ("2024-01-15T10:00", "Europe/Paris", "2024-01-15T09:00:00Z"),
    ("2024-05-01", "America/New_York", "2024-05-01T04:00:00Z"),  # local midnight
    ("2024-05-01T10:00:00Z", "Europe/Paris", "2024-05-01T10:00:00Z"),  # explicit: kept
    ("2024-05-01T10:00:00+05:00", "UTC", "2024-05-01T05:00:00Z"),
    ("LAST_N_DAYS:7", "Europe/Paris", "LAST_N_DAYS:7"),
    ("not a date", "Europe/Paris", "not a date"),  # literal() refuses it with a message
])
def test_a_datetime_filter_without_offset_means_the_install_time_zone(value, tz, expected):
    from runs.engine.soql import localize_filter_value

    info = FieldInfo(name="LastModifiedDate", type="datetime")
    assert localize_filter_value(value, info, tz) == expected


def test_only_datetime_fields_are_localized():
    from runs.engine.soql import localize_filter_value

    assert localize_filter_value("2024-05-01", FieldInfo(name="CloseDate", type="date"),
                                 "Europe/Paris") == "2024-05-01"
