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
    assert result.errors == [{"code": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"]}]


def test_it_names_a_missing_row_or_column_by_kind_and_keeps_the_code_to_show():
    chunk = [{"id": 1, "cells": []}, {"id": 2, "cells": []}, {"id": 3, "cells": []}]
    body = {"result": [], "failedItems": [
        {"index": 0, "rowId": 1, "error": {"errorCode": 1006, "message": "Not Found."}},
        {"index": 1, "rowId": 2, "error": {"errorCode": 1036, "message": "col"}},
        {"index": 2, "rowId": 3, "error": {"errorCode": 1042, "message": "bad"}}]}

    results = row_results(0, chunk, body)

    assert [(r.kind, r.error_code) for r in results] == [
        ("row_not_found", "1006"), ("column_not_found", "1036"), ("invalid", "1042")]
