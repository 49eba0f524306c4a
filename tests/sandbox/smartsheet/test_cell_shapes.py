"""Cell and column shapes from the recorded SDK scenarios and the column-type reference:
checkbox clears, date display values, write responses, hyperlink and formula conflicts,
picklist validation, reserved column types, complex columns below their level."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import ADA, BOB, add_rows, make_sheet

Row = smartsheet.models.Row
Column = smartsheet.models.Column


def _refused(call) -> smartsheet.models.ErrorResult:
    with pytest.raises(ApiError) as excinfo:
        call()
    return excinfo.value.error.result


def _cell(client, sheet_id, row_id, column_id, **params):
    row = client.Passthrough.get(f"/sheets/{sheet_id}/rows/{row_id}",
                                 query_params=params or None).to_dict()
    return next(c for c in row["cells"] if c["columnId"] == column_id)


def test_it_turns_a_cleared_checkbox_into_false(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r", "Done": True}])
    result = admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {
        "id": row_id, "cells": [{"columnId": cols["Done"], "value": ""}]}).to_dict()
    written = next(c for c in result["result"]["cells"] if c["columnId"] == cols["Done"])
    assert written == {"columnId": cols["Done"], "value": False}
    admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {
        "id": row_id, "cells": [{"columnId": cols["Done"], "value": None}]})
    assert _cell(admin, sheet_id, row_id, cols["Done"]) == {"columnId": cols["Done"],
                                                            "value": False}


def test_it_answers_writes_with_the_written_cells_and_cleared_ones_bare(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r", "Amount": 5}])
    result = admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {
        "id": row_id, "cells": [{"columnId": cols["Amount"], "value": ""},
                                {"columnId": cols["Due"], "value": "2026-03-04"}]}).to_dict()
    cells = result["result"]["cells"]
    assert {"columnId": cols["Amount"]} in cells
    assert {"columnId": cols["Due"], "value": "2026-03-04"} in cells
    assert {"columnId": cols["Name"], "value": "r", "displayValue": "r"} in cells


def test_it_gives_date_cells_no_display_value(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r", "Due": "2026-03-04"}])
    assert _cell(admin, sheet_id, row_id, cols["Due"]) == {"columnId": cols["Due"],
                                                           "value": "2026-03-04"}


def test_it_refuses_a_formula_with_a_value_with_1163(admin):
    sheet_id, cols = make_sheet(admin)
    error = _refused(lambda: admin.Passthrough.post(f"/sheets/{sheet_id}/rows", {
        "cells": [{"columnId": cols["Amount"], "formula": "=1+1", "value": "2"}]}))
    assert (error.code, error.status_code) == (1163, 400)
    assert error.message == ("If cell.formula is specified, then value, objectValue, image, "
                             "hyperlink, and linkInFromCell must not be specified.")


def test_it_refuses_a_hyperlink_to_a_url_and_a_sheet_with_1112(admin):
    sheet_id, cols = make_sheet(admin)
    error = _refused(lambda: admin.Passthrough.post(f"/sheets/{sheet_id}/rows", {
        "cells": [{"columnId": cols["Name"], "value": "Google",
                   "hyperlink": {"url": "http://google.com", "sheetId": sheet_id}}]}))
    assert (error.code, error.message) == (
        1112, "hyperlink.url must be null for sheet, report, or Sight hyperlinks.")
    row_id = admin.Passthrough.post(f"/sheets/{sheet_id}/rows", {
        "cells": [{"columnId": cols["Name"], "value": "Sheet",
                   "hyperlink": {"sheetId": sheet_id}}]}).to_dict()["result"]["id"]
    assert _cell(admin, sheet_id, row_id, cols["Name"])["hyperlink"] == {"sheetId": sheet_id}


def test_it_keeps_picklist_values_strict_unless_strict_is_false(admin):
    # smartsheet-python-sdk issue #93: outside the options strict parsing says 1042 even
    # without validation; strict: false stores free text.
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    assert _refused(lambda: admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": cols["Stage"], "value": "Maybe"}]})])).code == 1042
    admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": cols["Stage"], "value": "Maybe", "strict": False}]})])
    assert _cell(admin, sheet_id, row_id, cols["Stage"])["value"] == "Maybe"


def test_it_restricts_a_validated_picklist_to_admin_overrides(sandbox, admin, client_for):
    sheet_id, cols = make_sheet(admin)
    column = admin.Sheets.update_column(sheet_id, cols["Stage"], Column(
        {"validation": True})).result
    assert column.validation is True
    assert admin.Sheets.get_column(sheet_id, cols["Stage"]).validation is True
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    loose = {"columnId": cols["Stage"], "value": "Maybe", "strict": False}
    error = _refused(lambda: admin.Passthrough.put(f"/sheets/{sheet_id}/rows",
                                                   {"id": row_id, "cells": [loose]}))
    assert (error.code, error.status_code) == (5536, 400)
    assert error.message.startswith('The value "Maybe" could not be saved in column "Stage".')
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level="EDITOR")
    error = _refused(lambda: client_for(BOB).Passthrough.put(
        f"/sheets/{sheet_id}/rows", {"id": row_id, "cells": [
            {**loose, "overrideValidation": True}]}))
    assert (error.code, error.status_code) == (1212, 403)
    admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {"id": row_id, "cells": [
        {**loose, "overrideValidation": True}]})
    assert _cell(admin, sheet_id, row_id, cols["Stage"])["value"] == "Maybe"
    again = {**loose, "value": "Later"}
    admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {"id": row_id, "cells": [again]},
                          query_params={"overrideValidation": True})
    assert _cell(admin, sheet_id, row_id, cols["Stage"])["value"] == "Later"


def test_it_allows_validation_only_on_restrictable_types(admin):
    sheet_id, cols = make_sheet(admin)
    error = _refused(lambda: admin.Sheets.update_column(sheet_id, cols["Amount"], Column(
        {"validation": True})))
    assert (error.code, error.message) == (
        1210, "Column validation is not supported for column type 'TEXT_NUMBER'.")
    added = admin.Sheets.add_columns(sheet_id, [Column({
        "title": "Level", "type": "PICKLIST", "options": ["a"], "validation": True,
        "index": 1})]).result[0]
    assert added.validation is True


@pytest.mark.parametrize("ctype", ["DATETIME", "ABSTRACT_DATETIME", "DURATION", "PREDECESSOR"])
def test_it_keeps_system_and_project_column_types_out_of_reach(admin, ctype):
    sheet_id, _ = make_sheet(admin)
    error = _refused(lambda: admin.Passthrough.post(f"/sheets/{sheet_id}/columns",
                                                    {"title": "When", "type": ctype,
                                                     "index": 1}))
    assert (error.code, error.status_code) == (1142, 400)
    assert error.message.startswith(f"Column type {ctype} is reserved")


def test_it_shows_complex_columns_from_their_level_on(admin):
    sheet_id, cols = make_sheet(admin, columns=[
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["x", "y"]},
        {"title": "People", "type": "MULTI_CONTACT_LIST"}])
    admin.Passthrough.post(f"/sheets/{sheet_id}/rows", {"cells": [
        {"columnId": cols["Name"], "value": "r"},
        {"columnId": cols["Tags"], "objectValue": {"objectType": "MULTI_PICKLIST",
                                                   "values": ["x", "y"]}},
        {"columnId": cols["People"], "objectValue": {"objectType": "MULTI_CONTACT",
                                                     "values": [{"email": ADA}]}}]})

    def types(**params):
        sheet = admin.Passthrough.get(f"/sheets/{sheet_id}", query_params={
            "include": "objectValue", **params}).to_dict()
        cells = {c["columnId"]: c for c in sheet["rows"][0]["cells"]}
        return ({c["title"]: (c["type"], c["version"]) for c in sheet["columns"]},
                cells[cols["Tags"]].get("objectValue"))

    plain, tags = types()
    assert plain == {"Name": ("TEXT_NUMBER", 0), "Tags": ("TEXT_NUMBER", 2),
                     "People": ("TEXT_NUMBER", 1)}
    assert tags == "x, y"
    one, _ = types(level=1)
    assert one["People"] == ("MULTI_CONTACT_LIST", 1) and one["Tags"][0] == "TEXT_NUMBER"
    two, tags = types(level=2)
    assert two["Tags"] == ("MULTI_PICKLIST", 2)
    assert tags == {"objectType": "MULTI_PICKLIST", "values": ["x", "y"]}
    sdk_columns = admin.Sheets.get_columns(sheet_id, include_all=True, level=2).data
    assert {c.title: str(c.type) for c in sdk_columns}["Tags"] == "MULTI_PICKLIST"
    assert {c.title: str(c.type) for c in admin.Sheets.get_sheet(sheet_id).columns}[
        "Tags"] == "TEXT_NUMBER"
