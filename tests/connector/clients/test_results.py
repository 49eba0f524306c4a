"""The clients' results: one per input item, in input order, with the services' error
codes under our names."""

from __future__ import annotations

from connector.clients.salesforce.records import save_result
from connector.clients.smartsheet.rows import row_results


def test_it_maps_partial_success_by_input_index():
    chunk = [{"cells": []}, {"cells": []}, {"cells": []}, {"cells": []}]
    body = {"message": "PARTIAL_SUCCESS", "resultCode": 3,
            "result": [{"id": 11}, {"id": 33}],
            "failedItems": [{"index": 1, "error": {"errorCode": 1042, "message": "bad"}},
                            {"index": 3, "error": {"errorCode": 1036, "message": "col"}}]}

    results = row_results(500, chunk, body)

    assert [(r.index, r.success, r.row_id, r.error_code) for r in results] == [
        (500, True, 11, None), (501, False, None, "1042"), (502, True, 33, None),
        (503, False, None, "1036")]


def test_it_renames_salesforce_status_codes():
    result = save_result(7, {"id": None, "success": False, "errors": [
        {"statusCode": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"]}]})

    assert result.index == 7 and not result.success
    assert result.errors == [{"code": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"],
                              "kind": "duplicate"}]
    assert result.kind == "duplicate"


def test_it_names_a_missing_row_or_column_by_kind_and_keeps_the_code_to_show():
    chunk = [{"id": 1, "cells": []}, {"id": 2, "cells": []}, {"id": 3, "cells": []}]
    body = {"result": [], "failedItems": [
        {"index": 0, "rowId": 1, "error": {"errorCode": 1006, "message": "Not Found."}},
        {"index": 1, "rowId": 2, "error": {"errorCode": 1036, "message": "col"}},
        {"index": 2, "rowId": 3, "error": {"errorCode": 1042, "message": "bad"}}]}

    results = row_results(0, chunk, body)

    assert [(r.kind, r.error_code) for r in results] == [
        ("row_not_found", "1006"), ("column_not_found", "1036"), ("type", "1042")]


def test_it_names_what_a_refused_record_is_about():
    codes = {"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "picklist",
             "REQUIRED_FIELD_MISSING": "required",
             "FIELD_CUSTOM_VALIDATION_EXCEPTION": "validation_rule",
             "INSUFFICIENT_ACCESS_OR_READONLY": "permission",
             "INVALID_FIELD_FOR_INSERT_UPDATE": "permission",
             "DUPLICATES_DETECTED": "duplicate", "STRING_TOO_LONG": "too_long",
             "INVALID_TYPE_ON_FIELD_IN_RECORD": "type", "ENTITY_IS_DELETED": "record_not_found",
             "SOMETHING_NEW": "invalid"}
    for code, kind in codes.items():
        result = save_result(0, {"success": False, "errors": [
            {"statusCode": code, "message": "m", "fields": []}]})
        assert (code, result.kind) == (code, kind)
    assert save_result(0, {"id": "001", "success": True, "errors": []}).kind is None


def test_it_names_what_a_refused_row_is_about():
    messages = [
        (1042, "The value for cell in column 1, Stage, did not conform to the strict "
               "requirements for type PICKLIST."),
        (1042, "The value for cell in column 2, Close, did not conform to the strict "
               "requirements for type DATE."),
        (5536, 'The value "x" could not be saved in column "Stage". This column is '
               "restricted to PICKLIST values only."),
        (1039, "Cannot edit a locked column 3."),
        (1041, "The value for cell in column 4 exceeded the maximum length."),
        (1008, "Unable to parse request."),
    ]
    chunk = [{"id": n, "cells": []} for n in range(len(messages))]
    body = {"result": [], "failedItems": [
        {"index": n, "rowId": n, "error": {"errorCode": code, "message": message}}
        for n, (code, message) in enumerate(messages)]}

    results = row_results(0, chunk, body)

    assert [r.kind for r in results] == ["picklist", "type", "picklist", "permission",
                                         "too_long", "invalid"]
    assert [(r.column_id, r.column_title) for r in results] == [
        (None, None), (None, None), (None, "Stage"), (None, None), (None, None), (None, None)]


def test_it_says_which_column_refused_a_cell_when_smartsheet_names_it():
    message = ("The value for cell in column 5734934932342, Won?, did not conform to the "
               "strict requirements for type PICKLIST.")
    body = {"result": [], "failedItems": [
        {"index": 0, "rowId": 9, "error": {"errorCode": 1042, "message": message}},
        {"index": 1, "rowId": 8, "error": {"errorCode": 1039,
                                           "message": "Cannot edit a locked column 6001."}}]}

    first, second = row_results(0, [{"id": 9}, {"id": 8}], body)

    assert (first.kind, first.column_id) == ("picklist", 5734934932342)
    assert (second.kind, second.column_id) == ("permission", 6001)
