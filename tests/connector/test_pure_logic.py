"""Pure parts of the clients, on plain data: result mapping, redaction, backoff, CA files."""

from __future__ import annotations

from pathlib import Path

from connector.clients import CallCounter, ClientError, TokenSet
from connector.clients.errors import redact
from connector.clients.salesforce.records import save_result
from connector.clients.smartsheet.rows import row_results
from connector.clients.transport import backoff_delay, ca_bundle_path, parse_retry_after


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


def test_it_names_a_missing_row_or_column_by_kind_and_keeps_the_code_to_show():
    chunk = [{"id": 1, "cells": []}, {"id": 2, "cells": []}, {"id": 3, "cells": []}]
    body = {"result": [], "failedItems": [
        {"index": 0, "rowId": 1, "error": {"errorCode": 1006, "message": "Not Found."}},
        {"index": 1, "rowId": 2, "error": {"errorCode": 1036, "message": "col"}},
        {"index": 2, "rowId": 3, "error": {"errorCode": 1042, "message": "bad"}}]}

    results = row_results(0, chunk, body)

    assert [(r.kind, r.error_code) for r in results] == [
        ("row_not_found", "1006"), ("column_not_found", "1036"), ("invalid", "1042")]


def test_it_renames_salesforce_status_codes():
    result = save_result(7, {"id": None, "success": False, "errors": [
        {"statusCode": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"]}]})

    assert result.index == 7 and not result.success
    assert result.errors == [{"code": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"]}]


def test_it_redacts_known_secrets_and_token_shapes():
    text = redact("token abc123secretvalue and Bearer 00Dxx!AQ.very.long.token leaked",
                  ["abc123secretvalue"])

    assert "abc123secretvalue" not in text
    assert "00Dxx!AQ.very.long.token" not in text
    assert text.count("[redacted]") == 2


def test_it_says_which_errors_are_worth_retrying():
    kinds = {k: ClientError(service="smartsheet", kind=k, message="m").retryable
             for k in ("transient", "rate", "auth", "revoked", "limit", "invalid")}

    assert kinds == {"transient": True, "rate": True, "auth": False, "revoked": False,
                     "limit": False, "invalid": False}


def test_it_honours_retry_after_and_caps_backoff():
    assert backoff_delay(1, base=1.0, retry_after=3.0) == 3.0
    assert backoff_delay(1, base=1.0, retry_after=90.0, cap=30.0) == 30.0
    assert 4.0 <= backoff_delay(3, base=1.0) <= 6.0
    assert parse_retry_after("2") == 2.0 and parse_retry_after("soon") is None


def test_it_writes_pem_text_to_one_file_and_keeps_paths():
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    first, second = ca_bundle_path(pem), ca_bundle_path(pem)

    assert first == second and Path(first).read_text().startswith("-----BEGIN")
    assert ca_bundle_path("/etc/ssl/ca.pem") == "/etc/ssl/ca.pem"
    assert ca_bundle_path(None) is True and ca_bundle_path("  ") is True


def test_it_counts_per_service_and_hides_tokens_in_reprs():
    counter = CallCounter()
    counter.add("salesforce")
    counter.add("smartsheet", 3)

    assert counter.snapshot() == {"salesforce": 1, "smartsheet": 3}
    assert "secret-token" not in repr(TokenSet(access_token="secret-token", refresh_token="r"))
