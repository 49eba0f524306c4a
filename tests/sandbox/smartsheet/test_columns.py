"""Columns: add at an index, update, move, delete; the primary column stays."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import make_sheet

Column = smartsheet.models.Column


def _titles(client, sheet_id):
    return [c.title for c in client.Sheets.get_columns(sheet_id, include_all=True).data]


def test_it_adds_updates_moves_and_deletes_columns(admin):
    sheet_id, cols = make_sheet(admin, columns=[
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "B", "type": "TEXT_NUMBER"}])
    added = admin.Sheets.add_columns(sheet_id, [Column(
        {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["x", "y"], "index": 1})]).result
    assert _titles(admin, sheet_id) == ["Name", "Tags", "B"]
    admin.Sheets.update_column(sheet_id, added[0].id, Column(
        {"title": "Labels", "options": ["x", "y", "z"], "index": 2}))
    assert _titles(admin, sheet_id) == ["Name", "B", "Labels"]
    # A multi-picklist shows its own type and options only from level 2 on.
    labels = admin.Passthrough.get(f"/sheets/{sheet_id}/columns/{added[0].id}",
                                   query_params={"level": 2}).to_dict()
    assert (labels["type"], labels["options"]) == ("MULTI_PICKLIST", ["x", "y", "z"])
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_column(sheet_id, cols["B"], Column({"title": "labels"}))
    assert excinfo.value.error.result.code == 1056
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.delete_column(sheet_id, cols["Name"])
    assert excinfo.value.error.result.code == 1065
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_column(sheet_id, cols["Name"], Column({"type": "DATE"}))
    assert excinfo.value.error.result.code == 1057
    admin.Sheets.delete_column(sheet_id, cols["B"])
    assert _titles(admin, sheet_id) == ["Name", "Labels"]


def test_it_requires_an_index_and_a_valid_type(admin):
    sheet_id, _ = make_sheet(admin)
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.add_columns(sheet_id, [Column({"title": "X", "type": "TEXT_NUMBER"})])
    assert excinfo.value.error.result.code == 1012
    with pytest.raises(ApiError) as excinfo:
        admin.Passthrough.post(f"/sheets/{sheet_id}/columns",
                               {"title": "X", "type": "FORMULA", "index": 0})
    assert excinfo.value.error.result.code == 1031
