"""The clients' results: one per input item, in input order, with the services' error
codes under our names."""

from __future__ import annotations

from connector.clients.results import row_results, save_result


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
