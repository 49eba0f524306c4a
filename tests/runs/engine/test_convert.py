"""Conversions for every field type, both ways; normalization so the engine's own writes
never read back as changes; conversion failures as ConversionError."""

from __future__ import annotations

import pytest

from runs.engine.convert import (
    ConversionError,
    FieldInfo,
    column_for,
    from_cell,
    normalize_cell,
    sf_canonical,
    to_cell,
)


def f(kind: str, **kw) -> FieldInfo:
    return FieldInfo(name="F", type=kind, **kw)


@pytest.mark.parametrize(("info", "salesforce", "cell"), [
    (f("string", length=80), "Acme", "Acme"),
    (f("textarea"), "line 1\nline 2", "line 1\nline 2"),
    (f("email"), "a@example.com", "a@example.com"),
    (f("phone"), "+1 555", "+1 555"),
    (f("url"), "https://x.test", "https://x.test"),
    (f("picklist", picklist=("Hot", "Cold"), restricted=True), "Hot", "Hot"),
    (f("multipicklist"), "b;a", "a;b"),
    (f("boolean"), True, True),
    (f("boolean"), False, False),
    (f("int"), 42, 42),
    (f("double", scale=2), 5.5, 5.5),
    (f("currency", precision=18, scale=2), 1234.5, 1234.5),
    (f("currency", precision=18, scale=0), 1000.0, 1000),
    (f("percent", precision=3, scale=0), 45, 45),
    (f("date"), "2026-05-20", "2026-05-20"),
    (f("reference"), "0015g000000001AAAA", "0015g000000001AAAA"),
    (f("id"), "0015g000000001AAAA", "0015g000000001AAAA"),
    (f("long"), 9_007_199_254_740_993, 9_007_199_254_740_993),
    (f("time"), "10:30:00.000Z", "10:30"),
    (f("time"), "23:59:59.000Z", "23:59:59"),
    (f("string"), None, None),
])
def test_it_round_trips_each_type(info, salesforce, cell):
    canonical = sf_canonical(salesforce, info)
    written = to_cell(canonical, info)
    assert normalize_cell(written) == cell
    assert from_cell(written, info) == canonical


def test_it_shows_datetimes_in_the_install_time_zone():
    info = f("datetime")
    canonical = sf_canonical("2026-05-20T20:49:32.000+0000", info)
    assert canonical == "2026-05-20T20:49:32Z"
    assert to_cell(canonical, info, tz="Europe/Paris") == "2026-05-20 22:49"
    assert from_cell("2026-05-20 22:49", info, tz="Europe/Paris") == "2026-05-20T20:49:00Z"
    assert from_cell("2026-05-20T20:49:32Z", info, tz="Europe/Paris") == canonical


@pytest.mark.parametrize(("info", "cell", "expected"), [
    (f("int"), "12", 12),
    (f("int"), 12.0, 12),
    (f("double", scale=2), "1,234.567", 1234.57),
    (f("currency", scale=2), "$10", 10),
    (f("percent", scale=1), "12.5%", 12.5),
    (f("boolean"), "yes", True),
    (f("boolean"), None, False),
    (f("boolean"), "", False),
    (f("date"), "05/20/2026", "2026-05-20"),
    (f("multipicklist"), "b; a;;a", "a;b"),
    (f("long"), "1,000", 1000),
    (f("time"), "9:30 AM", "09:30:00.000Z"),
    (f("time"), "14:05", "14:05:00.000Z"),
    (f("string"), 5, "5"),
    (f("string"), 5.0, "5"),
    (f("string"), "", None),
])
def test_it_reads_what_people_type(info, cell, expected):
    assert from_cell(cell, info) == expected


@pytest.mark.parametrize(("info", "cell", "needle"), [
    (f("int"), "many", "not a number"),
    (f("int"), "1.5", "whole number"),
    (f("int", digits=3), 12345, "too many digits"),
    (f("double"), "abc", "not a number"),
    (f("boolean"), "maybe", "checkbox"),
    (f("date"), "tomorrow", "not a date"),
    (f("date"), "2026-01-01) OR (Id != null", "not a date"),
    (f("datetime"), "soon", "not a date and time"),
    (f("string", length=3), "abcd", "at most 3"),
    (f("picklist", picklist=("Hot",), restricted=True), "Warm", "allowed values"),
    (f("multipicklist", picklist=("A",), restricted=True), "A;B", "allowed values"),
    (f("email"), "nobody", "email"),
    (f("long"), "1.5", "whole number"),
    (f("time"), "noonish", "not a time of day"),
])
def test_it_raises_a_clear_conversion_error(info, cell, needle):
    with pytest.raises(ConversionError, match=needle):
        from_cell(cell, info)


@pytest.mark.parametrize(("a", "b"), [(5, 5.0), ("", None), (None, None), (1.1, 1.1000000000001)])
def test_it_normalizes_equal_values_alike(a, b):
    assert normalize_cell(a) == normalize_cell(b)


@pytest.mark.parametrize(("info", "column"), [
    (f("picklist", picklist=("Hot", "Cold")), {"type": "PICKLIST", "options": ["Hot", "Cold"]}),
    (f("boolean"), {"type": "CHECKBOX"}),
    (f("date"), {"type": "DATE"}),
    (f("currency"), {"type": "TEXT_NUMBER"}),
    (f("datetime"), {"type": "TEXT_NUMBER"}),  # DATETIME is for system columns only
    (f("multipicklist", picklist=("A", "B")), {"type": "MULTI_PICKLIST", "options": ["A", "B"]}),
])
def test_it_picks_the_column_type_of_a_new_column(info, column):
    assert column_for(info, "Title") == {"title": "Title", **column}


def test_it_keeps_only_active_picklist_values_from_the_describe():
    info = FieldInfo.from_describe({"name": "Rating", "type": "picklist", "picklistValues": [
        {"value": "Hot", "active": True}, {"value": "Old", "active": False}]})
    assert info.picklist == ("Hot",)
    assert FieldInfo.from_dict(info.as_dict()) == info


def test_it_reports_a_number_too_large_for_the_field_as_a_conversion_error():
    from runs.engine.convert import ConversionError, _number

    with pytest.raises(ConversionError, match="too large"):
        _number(1e30, 2)
    assert _number(1e20, 2) == 10**20


@pytest.mark.parametrize(("cell", "column_type", "options", "validation", "refused"), [
    ("anything", "TEXT_NUMBER", (), False, False), (None, "CHECKBOX", (), False, False),
    (True, "CHECKBOX", (), False, False), ("yes", "CHECKBOX", (), False, True),
    ("2026-05-20", "DATE", (), False, False), ("2026-05-20 10:00", "DATE", (), False, True),
    ("2026-02-30", "DATE", (), False, True),
    # Dropdowns and contact columns are written loosely: any text lands...
    ("Mining", "PICKLIST", ("Energy",), False, False),
    ("Ada", "CONTACT_LIST", (), False, False),
    # ...unless the column restricts values to its options.
    ("Energy", "PICKLIST", ("Energy",), True, False),
    ("Mining", "PICKLIST", ("Energy",), True, True), (5, "PICKLIST", ("5",), True, False),
    ("A;Z", "MULTI_PICKLIST", ("A", "B"), True, True),
    ("Ada", "MULTI_CONTACT_LIST", (), False, True),
    ("x", "DURATION", (), False, True), ("", "DATE", (), False, False),
])
def test_it_knows_which_cells_a_column_refuses(cell, column_type, options, validation,
                                               refused):
    from runs.engine.columns import ColumnFacts, cell_refusal

    column = ColumnFacts(id=1, type=column_type, options=options, validation=validation)
    assert bool(cell_refusal(cell, column)) is refused


def test_a_column_smartsheet_computes_refuses_every_value():
    from runs.engine.columns import ColumnFacts, cell_refusal

    assert cell_refusal("x", ColumnFacts(id=1, formula=True))
    assert cell_refusal("x", ColumnFacts(id=1, system="AUTO_NUMBER"))
    assert cell_refusal("x", None) == ""  # a column not known yet


def test_an_email_needs_a_domain_as_salesforce_says():
    info = FieldInfo(name="Email", type="email")
    assert from_cell("ada@example.com", info) == "ada@example.com"
    with pytest.raises(ConversionError):
        from_cell("ada@example", info)
