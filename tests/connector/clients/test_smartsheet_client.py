"""SmartsheetClient through smartsheet-python-sdk's Passthrough against the sandbox."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connector.clients import ClientError
from tests.connector.conftest import new_sheet, ss_server_calls
from tests.connector.oauth_flows import smartsheet_tokens


def cells(sheet: dict, name: str, done: bool | None = None) -> list[dict]:
    out = [{"columnId": sheet["columns"][0]["id"], "value": name}]
    if done is not None:
        out.append({"columnId": sheet["columns"][1]["id"], "value": done})
    return out


def test_it_reports_the_user_and_lists_sheets(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"list-{unique}")

    me = client.me()
    sheets = client.list_sheets()

    assert me["email"] == "ada@example.com" and me["name"] == "Ada Lovelace"
    assert {"id": sheet["id"], "name": f"list-{unique}", "accessLevel": "OWNER"}.items() <= {
        s["id"]: s for s in sheets}[sheet["id"]].items()


def test_it_reads_a_sheet_as_raw_json_with_filters(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"get-{unique}")
    added = client.add_rows(sheet["id"], [{"toBottom": True, "cells": cells(sheet, f"r{i}", i % 2 == 0)}
                                          for i in range(3)])
    ids = [r.row_id for r in added]
    name_col, done_col = sheet["columns"][0]["id"], sheet["columns"][1]["id"]

    whole = client.get_sheet(sheet["id"])
    only_names = client.get_sheet(sheet["id"], column_ids=[name_col])
    two_rows = client.get_sheet(sheet["id"], row_ids=ids[:2])

    assert isinstance(whole, dict) and [r["id"] for r in whole["rows"]] == ids
    assert whole["rows"][0]["cells"][0]["value"] == "r0"
    assert {c["columnId"] for r in only_names["rows"] for c in r["cells"]} == {name_col}
    assert done_col not in {c["id"] for c in only_names["columns"]}
    assert [r["id"] for r in two_rows["rows"]] == ids[:2]


def test_it_reads_only_rows_modified_since_a_moment(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"since-{unique}")
    ids = [r.row_id for r in client.add_rows(
        sheet["id"], [{"toBottom": True, "cells": cells(sheet, f"r{i}")} for i in range(3)])]
    sandbox.control.clock.advance(120)
    sandbox.smartsheet.edit_cells(sheet_id=sheet["id"], email="ada@example.com",
                                  rows=[{"id": ids[1], "cells": cells(sheet, "edited")}])
    since = sandbox.control.clock.now() - timedelta(seconds=60)

    changed = client.get_sheet(sheet["id"], rows_modified_since=since)

    assert [r["id"] for r in changed["rows"]] == [ids[1]]


def test_it_reads_nothing_but_the_version_when_unchanged(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"ver-{unique}")
    version = client.get_version(sheet["id"])

    unchanged = client.get_sheet(sheet["id"], if_version_after=version)
    client.add_rows(sheet["id"], [{"cells": cells(sheet, "new")}])
    changed = client.get_sheet(sheet["id"], if_version_after=version)

    assert unchanged == {"version": version}
    assert changed["version"] > version and len(changed["rows"]) == 1


def test_it_adds_more_than_500_rows_in_two_calls(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"bulk-{unique}")
    before, counted = ss_server_calls(sandbox), client.counter.smartsheet

    results = client.add_rows(sheet["id"], [{"toBottom": True, "cells": cells(sheet, f"n{i}")}
                                            for i in range(501)])

    assert ss_server_calls(sandbox) - before == client.counter.smartsheet - counted == 2
    assert [r.index for r in results] == list(range(501))
    assert all(r.success and r.row_id for r in results)
    assert results[500].row["cells"][0]["value"] == "n500"
    assert client.get_sheet(sheet["id"])["totalRowCount"] == 501


def test_it_maps_partial_success_to_row_results(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"partial-{unique}")
    rows = [{"toBottom": True, "cells": cells(sheet, "good-0", True)},
            {"toBottom": True, "cells": cells(sheet, "bad", "not a boolean")},
            {"toBottom": True, "cells": cells(sheet, "good-2", False)}]

    results = client.add_rows(sheet["id"], rows)

    assert [r.success for r in results] == [True, False, True]
    assert results[1].error_code == "1042" and "CHECKBOX" in results[1].message
    assert results[1].row_id is None and results[1].row is None
    assert results[0].row["cells"][0]["value"] == "good-0"
    assert results[2].row["cells"][0]["value"] == "good-2"


def test_it_updates_rows_with_partial_success(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"update-{unique}")
    ids = [r.row_id for r in client.add_rows(
        sheet["id"], [{"cells": cells(sheet, f"r{i}")} for i in range(2)])]

    results = client.update_rows(sheet["id"], [
        {"id": ids[0], "cells": cells(sheet, "changed", True)},
        {"id": ids[1], "cells": cells(sheet, "nope", "maybe")},
    ])

    assert [(r.index, r.success, r.row_id) for r in results] == [
        (0, True, ids[0]), (1, False, ids[1])]
    assert results[1].error_code == "1042"
    rows = client.get_sheet(sheet["id"])["rows"]
    assert rows[0]["cells"][0]["value"] == "changed"
    assert rows[1]["cells"][0]["value"] == "r1"


def test_it_deletes_rows_in_chunks_ignoring_missing_ones(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"delete-{unique}")
    ids = [r.row_id for r in client.add_rows(
        sheet["id"], [{"cells": cells(sheet, f"r{i}")} for i in range(250)])]
    before = ss_server_calls(sandbox)

    deleted = client.delete_rows(sheet["id"], ids[:240] + [1])

    assert sorted(deleted) == sorted(ids[:240])
    assert ss_server_calls(sandbox) - before == 2
    assert client.get_sheet(sheet["id"])["totalRowCount"] == 10


def test_it_manages_columns(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"cols-{unique}")

    [added] = client.add_columns(sheet["id"], [
        {"title": "Stage", "type": "PICKLIST", "options": ["New", "Won"], "index": 3}])
    renamed = client.update_column(sheet["id"], added["id"], {"title": "Phase"})

    assert added["title"] == "Stage" and added["type"] == "PICKLIST"
    assert renamed["title"] == "Phase"
    titles = [c["title"] for c in client.get_sheet(sheet["id"])["columns"]]
    assert titles == ["Name", "Done", "Due", "Phase"]


def test_it_lists_columns_without_the_rows(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"list-cols-{unique}")
    client.add_rows(sheet["id"], [{"cells": cells(sheet, f"row {i}")} for i in range(3)])
    before = ss_server_calls(sandbox)

    columns = client.list_columns(sheet["id"])

    assert ss_server_calls(sandbox) - before == 1
    assert [(c["title"], c["type"]) for c in columns] == [
        ("Name", "TEXT_NUMBER"), ("Done", "CHECKBOX"), ("Due", "DATE")]
    assert columns[0]["primary"] is True and all("id" in c for c in columns)
    assert not any("cells" in c for c in columns)


def test_it_reads_cell_history(sandbox, make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"history-{unique}")
    [row] = client.add_rows(sheet["id"], [{"cells": cells(sheet, "first")}])
    sandbox.smartsheet.edit_cells(sheet_id=sheet["id"], email="ada@example.com",
                                  rows=[{"id": row.row_id, "cells": cells(sheet, "second")}])

    history = client.cell_history(sheet["id"], row.row_id, sheet["columns"][0]["id"])

    assert [h["value"] for h in history] == ["second", "first"]
    assert history[0]["modifiedBy"]["email"] == "ada@example.com"


def test_it_reports_a_missing_sheet_as_not_found(make_smartsheet):
    with pytest.raises(ClientError) as caught:
        make_smartsheet().get_sheet(999)

    assert (caught.value.kind, caught.value.code, caught.value.status) == ("not_found", "1006", 404)


def test_it_reports_a_viewer_writing_as_permission(sandbox, make_smartsheet, unique):
    owner = make_smartsheet()
    sheet = new_sheet(owner, f"shared-{unique}")
    sandbox.smartsheet.share(sheet_id=sheet["id"], email="bob@example.com",
                             access_level="VIEWER")
    bob = make_smartsheet(access_token=sandbox.smartsheet.persona_tokens()["bob@example.com"])

    with pytest.raises(ClientError) as caught:
        bob.add_rows(sheet["id"], [{"cells": cells(sheet, "x")}])

    assert caught.value.kind == "permission"
    assert [r.success for r in caught.value.results] == [False]


def test_it_waits_out_the_rate_limit_as_the_server_asks(sandbox, make_smartsheet):
    client = make_smartsheet()
    sandbox.smartsheet.rate_limit(per_minute=2, window_seconds=1.0)
    before = ss_server_calls(sandbox)
    started = time.monotonic()

    answers = [client.me() for _ in range(3)]

    elapsed = time.monotonic() - started
    assert all(a["email"] == "ada@example.com" for a in answers)
    # The third call was refused (429/4003, Retry-After: 1) and retried after the pause.
    assert client.counter.smartsheet == ss_server_calls(sandbox) - before >= 4
    assert elapsed >= 1.0


@pytest.mark.parametrize("fault", ["http_500", "drop", "http_503", "http_429"])
def test_it_retries_injected_faults(sandbox, make_smartsheet, fault):
    client = make_smartsheet()
    sandbox.control.reseed(3)
    sandbox.control.configure("smartsheet", faults={fault: 0.5})
    before = ss_server_calls(sandbox)

    answers = [client.me()["email"] for _ in range(6)]

    assert answers == ["ada@example.com"] * 6
    assert client.counter.smartsheet == ss_server_calls(sandbox) - before > 6


@pytest.mark.parametrize("fault,kind", [("http_500", "transient"), ("drop", "transient"),
                                        ("http_503", "transient"), ("http_429", "rate")])
def test_it_gives_up_on_a_persistent_fault(sandbox, make_smartsheet, fault, kind):
    client = make_smartsheet(max_attempts=3, max_retry_time=0.3)
    sandbox.control.configure("smartsheet", faults={fault: 1.0})
    before = ss_server_calls(sandbox)

    with pytest.raises(ClientError) as caught:
        client.me()

    assert caught.value.kind == kind and caught.value.retryable
    assert client.counter.smartsheet == ss_server_calls(sandbox) - before >= 2


def test_it_refreshes_an_expired_token_with_rotation(sandbox, make_smartsheet, ss_info):
    tokens = smartsheet_tokens(ss_info, "carol@example.com")
    seen = []
    client = make_smartsheet(access_token=tokens.access_token,
                             refresh_token=tokens.refresh_token, on_tokens_refreshed=seen.append)
    sandbox.smartsheet.expire_tokens(token=tokens.access_token)
    before = ss_server_calls(sandbox)

    assert client.me()["email"] == "carol@example.com"

    [fresh] = seen
    assert fresh.access_token != tokens.access_token
    assert fresh.refresh_token != tokens.refresh_token
    assert fresh.expires_at is not None and fresh.expires_at > datetime.now(fresh.expires_at.tzinfo)
    assert client.counter.smartsheet == ss_server_calls(sandbox) - before == 3


def test_it_reports_revoked_when_the_refresh_is_refused(sandbox, make_smartsheet, ss_info):
    tokens = smartsheet_tokens(ss_info, "dan@example.com")
    failures = []
    client = make_smartsheet(access_token=tokens.access_token,
                             refresh_token=tokens.refresh_token, on_auth_failed=failures.append)
    sandbox.smartsheet.revoke(token=tokens.access_token)

    with pytest.raises(ClientError) as caught:
        client.list_sheets()

    error = caught.value
    assert (error.service, error.kind) == ("smartsheet", "revoked")
    assert "reconnect your Smartsheet account" in error.message
    assert failures == [error]
    assert tokens.access_token not in str(error) and tokens.refresh_token not in str(error)


def test_it_asks_to_reconnect_for_a_dead_personal_token(make_smartsheet):
    client = make_smartsheet(access_token="ss-not-a-real-token", refresh_token="")

    with pytest.raises(ClientError) as caught:
        client.me()

    assert (caught.value.kind, caught.value.code) == ("auth", "1002")
    assert "ss-not-a-real-token" not in str(caught.value)


def test_it_manages_webhooks(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = new_sheet(client, f"hook-{unique}")

    hook = client.create_webhook(name=f"hook-{unique}", sheet_id=sheet["id"],
                                 callback_url="https://127.0.0.1:8443/hooks/smartsheet")
    listed = {h["id"] for h in client.list_webhooks()}
    client.delete_webhook(hook["id"])

    assert hook["status"] == "NEW_NOT_VERIFIED" and hook["enabled"] is False
    assert hook["sharedSecret"]
    assert hook["id"] in listed
    assert hook["id"] not in {h["id"] for h in client.list_webhooks()}


class _Subscriber(BaseHTTPRequestHandler):
    """A webhook subscriber on loopback: answers the handshake, keeps the callbacks."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.send_response(200)
        challenge = self.headers.get("Smartsheet-Hook-Challenge")
        if challenge:
            self.send_header("Smartsheet-Hook-Response", challenge)
        else:
            self.received.append(body)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def subscriber():
    _Subscriber.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Subscriber)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Subscriber.received
    server.shutdown()
    server.server_close()


def test_it_names_itself_as_the_change_agent_of_its_writes(make_smartsheet, subscriber, unique):
    url, received = subscriber
    client = make_smartsheet(change_agent=f"sheetforce-{unique}")
    sheet = new_sheet(client, f"agent-{unique}")
    hook = client.create_webhook(name="agent", sheet_id=sheet["id"], callback_url=url)
    enabled = client.update_webhook(hook["id"], {"enabled": True})

    client.add_rows(sheet["id"], [{"cells": cells(sheet, "from us")}])

    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert enabled["status"] == "ENABLED"
    assert received, "no webhook callback arrived"
    agents = {e.get("changeAgent") for e in received[0]["events"]}
    assert agents == {f"sheetforce-{unique}"}


def test_it_stops_adding_rows_when_a_call_outcome_is_unknown(sandbox, make_smartsheet, unique):
    client = make_smartsheet(max_attempts=2)
    sheet = new_sheet(client, f"unknown-{unique}")
    sandbox.control.configure("smartsheet", faults={"http_500": 1.0},
                              fault_path_contains="/rows")

    with pytest.raises(ClientError) as caught:
        client.add_rows(sheet["id"], [{"cells": cells(sheet, f"r{i}")} for i in range(600)])

    assert caught.value.kind == "transient"
    assert [r.success for r in caught.value.results] == [False] * 600
    sandbox.control.configure("smartsheet", faults={})
    assert client.get_sheet(sheet["id"])["totalRowCount"] == 0
