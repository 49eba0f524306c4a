"""Row locations and hierarchy: toTop, parentId, siblingId/above, indent/outdent, errors."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import add_rows, make_sheet

Row = smartsheet.models.Row


def _layout(client, sheet_id, cols):
    """[(name, parent name, rowNumber)] in display order."""
    rows = client.Sheets.get_sheet(sheet_id).rows
    names = {r.id: r.cells[0].value for r in rows}
    return [(names[r.id], names.get(r.parent_id), r.row_number) for r in rows]


@pytest.fixture
def tree(admin):
    sheet_id, cols = make_sheet(admin)
    a, b = add_rows(admin, sheet_id, cols, [{"Name": "A"}, {"Name": "B"}])
    a1, a2 = add_rows(admin, sheet_id, cols, [{"Name": "A1"}, {"Name": "A2"}],
                      parent_id=a, to_bottom=True)
    return sheet_id, cols, {"A": a, "B": b, "A1": a1, "A2": a2}


def test_it_places_new_rows(admin, tree):
    sheet_id, cols, ids = tree
    add_rows(admin, sheet_id, cols, [{"Name": "top"}], to_top=True)
    add_rows(admin, sheet_id, cols, [{"Name": "A0"}], parent_id=ids["A"])  # first child
    add_rows(admin, sheet_id, cols, [{"Name": "A1b"}], sibling_id=ids["A1"])
    add_rows(admin, sheet_id, cols, [{"Name": "preB"}], sibling_id=ids["B"], above=True)
    assert _layout(admin, sheet_id, cols) == [
        ("top", None, 1), ("A", None, 2), ("A0", "A", 3), ("A1", "A", 4), ("A1b", "A", 5),
        ("A2", "A", 6), ("preB", None, 7), ("B", None, 8)]
    sheet = admin.Sheets.get_sheet(sheet_id)
    by_name = {r.cells[0].value: r for r in sheet.rows}
    assert by_name["A2"].sibling_id == by_name["A1b"].id and by_name["A0"].sibling_id is None


def test_it_moves_a_row_with_its_children(admin, tree):
    sheet_id, cols, ids = tree
    admin.Sheets.update_rows(sheet_id, [Row({"id": ids["A"], "siblingId": ids["B"]})])
    assert _layout(admin, sheet_id, cols) == [
        ("B", None, 1), ("A", None, 2), ("A1", "A", 3), ("A2", "A", 4)]
    admin.Sheets.update_rows(sheet_id, [Row({"id": ids["A"], "parentId": ids["B"]})])
    assert _layout(admin, sheet_id, cols) == [
        ("B", None, 1), ("A", "B", 2), ("A1", "A", 3), ("A2", "A", 4)]


def test_it_indents_and_outdents(admin, tree):
    sheet_id, cols, ids = tree
    admin.Sheets.update_rows(sheet_id, [Row({"id": ids["B"], "indent": 1})])
    assert _layout(admin, sheet_id, cols)[-1] == ("B", "A", 4)
    admin.Sheets.update_rows(sheet_id, [Row({"id": ids["A1"], "outdent": 1})])
    assert _layout(admin, sheet_id, cols) == [
        ("A", None, 1), ("A1", None, 2), ("A2", "A1", 3), ("B", "A1", 4)]


@pytest.mark.parametrize(("location", "code"), [
    ({"toTop": True, "toBottom": True}, 1062),
    ({"above": True}, 1062),
    ({"parentId": "A", "siblingId": "B"}, 1062),
    ({"indent": 1}, 1062),  # A has no previous sibling
    ({"parentId": 4242}, 1063),
    ({"parentId": "A1"}, 1063),  # into its own subtree
    ({"siblingId": 4242}, 1064),
    ({"siblingId": "A"}, 1064),
])
def test_it_refuses_invalid_locations(admin, tree, location, code):
    sheet_id, cols, ids = tree
    location = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in location.items()}
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_rows(sheet_id, [Row({"id": ids["A"], **location})])
    assert excinfo.value.error.result.code == code
    assert _layout(admin, sheet_id, cols) == [
        ("A", None, 1), ("A1", "A", 2), ("A2", "A", 3), ("B", None, 4)]


def test_it_requires_one_location_for_all_added_rows(admin, tree):
    sheet_id, cols, ids = tree
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.add_rows(sheet_id, [Row({"toTop": True}), Row({"toBottom": True})])
    assert excinfo.value.error.result.code == 1123
