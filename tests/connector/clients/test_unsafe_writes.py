"""Creates are never repeated when they may have been applied.

The sandbox's ``http_500_after`` / ``drop_after`` faults let the emulator apply the
request, then lose the answer (500, or the connection closed): a retry would create the
records or rows a second time. Faults that strike before the work (503, 429, a refused
connection) are still retried, and so are updates (idempotent).
"""

from __future__ import annotations

import pytest

from connector.clients import ClientError
from tests.connector.conftest import new_sheet


def _accounts(sandbox, make_salesforce, name_prefix: str) -> list[dict]:
    return make_salesforce().query_all(
        f"SELECT Id, Name FROM Account WHERE Name LIKE '{name_prefix}%'")


# -- Salesforce ---------------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["http_500_after", "drop_after"])
def test_a_salesforce_create_whose_answer_was_lost_is_not_repeated(
        sandbox, make_salesforce, unique, fault):
    client = make_salesforce(max_attempts=4, max_parallel=1)
    sandbox.control.configure("salesforce", faults={fault: 1.0},
                              fault_path_contains="composite/sobjects")

    with pytest.raises(ClientError) as caught:
        client.create("Account", [{"Name": f"lost-{unique}-{i}"} for i in range(3)])

    assert caught.value.kind == "transient" and caught.value.outcome_unknown
    assert [r.success for r in caught.value.results] == [False] * 3
    assert client.counter.salesforce == 1  # one call, no retry
    sandbox.control.configure("salesforce", faults={})
    # The emulator did apply it: exactly once.
    assert len(_accounts(sandbox, make_salesforce, f"lost-{unique}-")) == 3


@pytest.mark.parametrize("fault", ["http_503", "http_429"])
def test_a_salesforce_create_refused_before_the_work_is_retried(
        sandbox, make_salesforce, unique, fault):
    client = make_salesforce(max_attempts=3, max_parallel=1)
    sandbox.control.configure("salesforce", faults={fault: 1.0},
                              fault_path_contains="composite/sobjects")

    with pytest.raises(ClientError) as caught:
        client.create("Account", [{"Name": f"refused-{unique}"}])

    assert not caught.value.outcome_unknown
    assert client.counter.salesforce == 3
    sandbox.control.configure("salesforce", faults={})
    assert _accounts(sandbox, make_salesforce, f"refused-{unique}") == []


def test_a_salesforce_create_that_cannot_connect_is_retried(make_salesforce, sf_info):
    client = make_salesforce(instance_url="https://127.0.0.1:9", max_attempts=3)

    with pytest.raises(ClientError) as caught:
        client.create("Account", [{"Name": "never-sent"}])

    assert caught.value.kind == "transient" and not caught.value.outcome_unknown
    assert client.counter.salesforce == 3


def test_a_salesforce_update_whose_answer_was_lost_is_retried(
        sandbox, make_salesforce, unique):
    ids = sandbox.salesforce.insert("Account", [{"Name": f"upd-{unique}"}])
    client = make_salesforce(max_attempts=3)
    sandbox.control.configure("salesforce", faults={"http_500_after": 1.0},
                              fault_path_contains="composite/sobjects")

    results = client.update("Account", [{"Id": ids[0], "Phone": "555"}])

    assert [r.success for r in results] == [False]  # a per-record failure, no stop
    assert client.counter.salesforce == 3  # PATCH is idempotent: retried


# -- Smartsheet ---------------------------------------------------------------------------
def _rows(sheet: dict, prefix: str, n: int) -> list[dict]:
    return [{"toBottom": True,
             "cells": [{"columnId": sheet["columns"][0]["id"], "value": f"{prefix}{i}"}]}
            for i in range(n)]


@pytest.mark.parametrize("fault", ["http_500_after", "drop_after"])
def test_smartsheet_rows_whose_answer_was_lost_are_not_added_again(
        sandbox, make_smartsheet, unique, fault):
    client = make_smartsheet(max_attempts=4)
    sheet = new_sheet(client, f"lost-{unique}")
    sandbox.control.configure("smartsheet", faults={fault: 1.0}, fault_path_contains="/rows")
    client.counter.smartsheet = 0

    with pytest.raises(ClientError) as caught:
        client.add_rows(sheet["id"], _rows(sheet, "r", 600))

    assert caught.value.kind == "transient" and caught.value.outcome_unknown
    assert [r.success for r in caught.value.results] == [False] * 600
    assert client.counter.smartsheet == 1  # one call, no retry, the second chunk unsent
    sandbox.control.configure("smartsheet", faults={})
    assert client.get_sheet(sheet["id"])["totalRowCount"] == 500  # applied once


def test_smartsheet_rows_refused_in_maintenance_are_retried(sandbox, make_smartsheet, unique):
    client = make_smartsheet(max_attempts=2, max_retry_time=0.3)
    sheet = new_sheet(client, f"maint-{unique}")
    sandbox.control.configure("smartsheet", faults={"http_503": 1.0},
                              fault_path_contains="/rows")
    client.counter.smartsheet = 0

    with pytest.raises(ClientError) as caught:
        client.add_rows(sheet["id"], _rows(sheet, "r", 2))

    assert not caught.value.outcome_unknown
    assert client.counter.smartsheet > 1  # the SDK retried 4001
    sandbox.control.configure("smartsheet", faults={})
    assert client.get_sheet(sheet["id"])["totalRowCount"] == 0


def test_a_smartsheet_sheet_whose_answer_was_lost_is_created_once(
        sandbox, make_smartsheet, unique):
    client = make_smartsheet(max_attempts=4)
    sandbox.control.configure("smartsheet", faults={"http_500_after": 1.0},
                              fault_path_contains="/sheets")
    client.counter.smartsheet = 0

    with pytest.raises(ClientError) as caught:
        new_sheet(client, f"once-{unique}")

    assert caught.value.outcome_unknown and client.counter.smartsheet == 1
    sandbox.control.configure("smartsheet", faults={})
    assert [s["name"] for s in client.list_sheets()].count(f"once-{unique}") == 1


def test_smartsheet_row_updates_whose_answer_was_lost_are_retried(
        sandbox, make_smartsheet, unique):
    client = make_smartsheet(max_attempts=3)
    sheet = new_sheet(client, f"upd-{unique}")
    row_id = client.add_rows(sheet["id"], _rows(sheet, "r", 1))[0].row_id
    sandbox.control.configure("smartsheet", faults={"http_500_after": 1.0},
                              fault_path_contains="/rows")
    client.counter.smartsheet = 0

    results = client.update_rows(sheet["id"], [
        {"id": row_id, "cells": [{"columnId": sheet["columns"][0]["id"], "value": "x"}]}])

    assert [r.success for r in results] == [False]
    assert client.counter.smartsheet == 3  # PUT is idempotent: retried
