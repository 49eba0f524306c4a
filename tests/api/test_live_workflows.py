"""Connections, metadata and workflow create/update through the real clients and the sandbox."""

from __future__ import annotations

import pytest

from connector.models import Connection
from runs.models import Run
from tests.api.openapi import assert_matches_schema
from workflows.models import Workflow


@pytest.fixture
def alice_live(people, live_install, connect):
    connect(people["alice"], live_install)
    return people["alice"]


def _draft(install, sheet, **overrides) -> dict:
    body = {
        "name": "Energy accounts", "install": install.pk, "direction": "bidirectional",
        "salesforce_object": "Account", "sheet_id": sheet["id"],
        "mappings": [
            {"salesforce_field": "Name", "column": "Account", "direction": "both"},
            {"salesforce_field": "Industry", "column": "Industry", "direction": "to_smartsheet"},
            {"salesforce_field": "AnnualRevenue", "column": "Revenue"},
            {"salesforce_field": "Owner.Email", "column": "Owner email", "new_column": True,
             "direction": "to_smartsheet"},
        ],
        "salesforce_filters": [{"field": "Industry", "operator": "equals", "value": "Energy"}],
        "smartsheet_filters": [{"column": "Active", "operator": "equals", "value": "true"}],
        "row_groups": [{"field": "Industry"}, {"value": "All accounts"}],
    }
    body.update(overrides)
    return body


def test_it_connects_and_shows_identity_never_tokens(people, live_install, client_for, sandbox):
    client = client_for(people["alice"])
    info = sandbox.info["smartsheet"]
    response = client.post("/api/v1/connections/", {
        "install": live_install.pk, "service": "smartsheet", "access_token": info["access_token"],
    }, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["identity"] == "ada@example.com"
    assert info["access_token"] not in response.content.decode()
    assert "access_token" not in body and "refresh_token" not in body
    listed = client.get("/api/v1/connections/").json()["results"]
    assert [c["service"] for c in listed] == ["smartsheet"]


def test_it_refuses_a_bad_token_with_a_message(people, live_install, client_for):
    response = client_for(people["alice"]).post("/api/v1/connections/", {
        "install": live_install.pk, "service": "salesforce", "access_token": "not-a-token",
    }, format="json")
    assert response.status_code == 400, response.content
    assert_matches_schema(response)
    assert response.json()["errors"]["access_token"]
    assert not Connection.objects.filter(user=people["alice"]).exists()


def test_it_lists_metadata_through_the_callers_connections(alice_live, live_install, sheet,
                                                           client_for):
    client = client_for(alice_live)
    base = f"/api/v1/installs/{live_install.pk}"
    objects = client.get(f"{base}/salesforce/objects/")
    assert objects.status_code == 200, objects.content
    assert_matches_schema(objects)
    assert "Account" in {o["name"] for o in objects.json()}

    fields = client.get(f"{base}/salesforce/objects/Account/fields/")
    assert fields.status_code == 200
    assert_matches_schema(fields)
    by_name = {f["name"]: f for f in fields.json()}
    assert by_name["Id"]["read_only_reason"] == "it is the record Id"
    assert by_name["Name"]["read_only_reason"] == ""
    assert by_name["OwnerId"]["reference_to"] == ["User"]
    assert "Hot" in {p["value"] for p in by_name["Rating"]["picklist_values"]}

    sheets = client.get(f"{base}/smartsheet/sheets/")
    assert sheets.status_code == 200
    assert_matches_schema(sheets)
    assert sheet["id"] in {s["id"] for s in sheets.json()}

    columns = client.get(f"{base}/smartsheet/sheets/{sheet['id']}/columns/")
    assert columns.status_code == 200, columns.content
    assert_matches_schema(columns)
    cols = {c["title"]: c for c in columns.json()}
    assert cols["Account"]["primary"] is True
    assert cols["Active"]["type"] == "CHECKBOX"
    assert "is_checked" in cols["Active"]["filter_operators"]


def test_it_answers_404_for_an_unknown_sheet(alice_live, live_install, client_for):
    response = client_for(alice_live).get(
        f"/api/v1/installs/{live_install.pk}/smartsheet/sheets/987654321/columns/")
    assert response.status_code == 404
    assert_matches_schema(response)


def test_it_creates_a_workflow_and_requests_its_first_run(alice_live, live_install, sheet,
                                                         client_for):
    response = client_for(alice_live).post("/api/v1/workflows/", _draft(live_install, sheet),
                                           format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["sheet_name"] == sheet["name"]
    assert body["owner"] == alice_live.pk
    assert [m["column"] for m in body["mappings"]] == ["Account", "Industry", "Revenue",
                                                       "Owner email"]
    assert body["mappings"][2]["direction"] == "both"  # defaulted from the workflow
    assert body["mappings"][0]["column_id"] is not None
    assert body["mappings"][3]["column_id"] is None  # the first run adds it
    assert body["row_groups"] == [{"field": "Industry"}, {"value": "All accounts"}]
    assert body["smartsheet_filters"] == [{"column": "Active", "operator": "equals",
                                           "value": "true"}]
    run = Run.objects.get(workflow_id=body["id"])
    assert run.trigger == "created" and run.status == "queued"
    assert body["last_run"]["id"] == run.pk


@pytest.mark.parametrize(("change", "field", "fragment"), [
    ({"mappings": [{"salesforce_field": "Nmae", "column": "Account"}]},
     "mappings", "'Account' has no field 'Nmae'"),
    ({"mappings": [{"salesforce_field": "Owner.Email", "column": "Account", "direction": "both"}]},
     "mappings", "Row 1: 'Owner.Email' is read-only: it can only flow to Smartsheet."),
    ({"mappings": [{"salesforce_field": "Name", "column": "Account"},
                   {"salesforce_field": "Industry", "column": "account"}]},
     "mappings", "Row 2: the column 'account' is already mapped in row 1"),
    ({"mappings": [{"salesforce_field": "Name", "column": "Nope"}]},
     "mappings", "has no column 'Nope'"),
    ({"salesforce_filters": [{"field": "AnnualRevenue", "operator": "contains", "value": "1"}]},
     "salesforce_filters", "does not apply"),
    ({"smartsheet_filters": [{"column": "Active", "operator": "equals", "value": "maybe"}]},
     "smartsheet_filters", "true or false"),
    ({"sheet_id": None, "new_sheet_name": ""}, "sheet_id", "Choose a sheet"),
    ({"salesforce_object": "Acount"}, "salesforce_object", "'Acount' is not a Salesforce object"),
])
def test_it_rejects_an_invalid_draft_with_messages_per_field(alice_live, live_install, sheet,
                                                            client_for, change, field,
                                                            fragment):
    response = client_for(alice_live).post("/api/v1/workflows/",
                                           _draft(live_install, sheet, **change), format="json")
    assert response.status_code == 400, response.content
    assert_matches_schema(response)
    messages = response.json()["errors"][field]
    assert any(fragment in m for m in messages), messages
    assert not Workflow.objects.exists()


def test_it_creates_the_new_sheet_only_after_validation(alice_live, live_install, client_for,
                                                       sandbox):
    from connector.services import smartsheet_client_for

    client = client_for(alice_live)
    before = {s["name"] for s in smartsheet_client_for(user=alice_live,
                                                        install=live_install).list_sheets()}
    bad = {"name": "W", "install": live_install.pk, "direction": "to_smartsheet",
           "salesforce_object": "Account", "new_sheet_name": "Never made",
           "mappings": [{"salesforce_field": "Bogus", "column": "X"}]}
    assert client.post("/api/v1/workflows/", bad, format="json").status_code == 400
    good = {**bad, "new_sheet_name": "Made by API",
            "mappings": [{"salesforce_field": "Industry", "column": "Industry"},
                         {"salesforce_field": "Name", "column": "Account name"}]}
    response = client.post("/api/v1/workflows/", good, format="json")
    assert response.status_code == 201, response.content
    after = smartsheet_client_for(user=alice_live, install=live_install).list_sheets()
    names = {s["name"] for s in after}
    assert "Never made" not in names and "Made by API" in names - before
    made = next(s for s in after if s["name"] == "Made by API")
    body = response.json()
    assert body["sheet_id"] == made["id"]
    columns = client.get(
        f"/api/v1/installs/{live_install.pk}/smartsheet/sheets/{made['id']}/columns/").json()
    # Industry is a picklist (not a text column): the first mapped text field is primary.
    assert [(c["title"], c["primary"]) for c in columns] == [("Account name", True)]
    mappings = {m["column"]: m for m in body["mappings"]}
    assert mappings["Account name"]["column_id"] == columns[0]["id"]
    assert mappings["Industry"]["new_column"] is True


def test_it_refuses_to_change_sheet_object_or_direction(alice_live, live_install, sheet,
                                                       client_for):
    client = client_for(alice_live)
    created = client.post("/api/v1/workflows/", _draft(live_install, sheet), format="json").json()
    url = f"/api/v1/workflows/{created['id']}/"
    for change in ({"direction": "to_salesforce"}, {"sheet_id": sheet["id"] + 1},
                   {"salesforce_object": "Contact"}):
        response = client.patch(url, change, format="json")
        assert response.status_code == 400, response.content
        assert_matches_schema(response)
        assert list(response.json()["errors"]) == list(change)
    same = client.patch(url, {"direction": "bidirectional", "name": "Still fine"}, format="json")
    assert same.status_code == 200, same.content
    workflow = Workflow.objects.get(pk=created["id"])
    assert (workflow.direction, workflow.sheet_id, workflow.salesforce_object, workflow.name) == (
        "bidirectional", sheet["id"], "Account", "Still fine")


def test_it_updates_mappings_after_live_validation(alice_live, live_install, sheet, client_for):
    client = client_for(alice_live)
    created = client.post("/api/v1/workflows/", _draft(live_install, sheet), format="json").json()
    url = f"/api/v1/workflows/{created['id']}/"
    bad = client.patch(url, {"mappings": [{"salesforce_field": "Name", "column": "Ghost"}]},
                       format="json")
    assert bad.status_code == 400
    assert len(Workflow.objects.get(pk=created["id"]).mappings.all()) == 4
    good = client.patch(url, {"mappings": [{"salesforce_field": "Name", "column": "Account"}],
                              "smartsheet_filters": [], "row_groups": []}, format="json")
    assert good.status_code == 200, good.content
    assert_matches_schema(good)
    assert [m["column"] for m in good.json()["mappings"]] == ["Account"]
    assert good.json()["row_groups"] == []


def test_it_previews_without_writing(alice_live, live_install, sheet, client_for, sandbox):
    import uuid

    from connector.services import smartsheet_client_for

    prefix = f"preview-{uuid.uuid4().hex[:8]}"
    sandbox.salesforce.insert("Account", [{"Name": f"{prefix}-{i}"} for i in range(3)])
    client = client_for(alice_live)
    created = client.post("/api/v1/workflows/", _draft(
        live_install, sheet, direction="to_smartsheet", start_first_run=False,
        mappings=[{"salesforce_field": "Name", "column": "Account"}],
        salesforce_filters=[{"field": "Name", "operator": "starts_with", "value": prefix}],
        smartsheet_filters=[], row_groups=[]), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["last_run"] is None
    smartsheet = smartsheet_client_for(user=alice_live, install=live_install)
    version = smartsheet.get_version(sheet["id"])
    response = client.post(f"/api/v1/workflows/{created.json()['id']}/preview/")
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["smartsheet"]["rows_to_add"] == 3
    assert body["salesforce"] == {"records_to_create": 0, "records_to_update": 0}
    assert smartsheet.get_version(sheet["id"]) == version
    assert not Run.objects.exists()


def test_it_runs_a_workflow_on_request(alice_live, live_install, sheet, client_for):
    client = client_for(alice_live)
    created = client.post("/api/v1/workflows/", _draft(live_install, sheet, start_first_run=False),
                          format="json").json()
    response = client.post(f"/api/v1/workflows/{created['id']}/run/")
    assert response.status_code == 202, response.content
    assert_matches_schema(response)
    run = Run.objects.get(pk=response.json()["run"])
    assert (run.trigger, run.status, response.json()["status"]) == ("api", "queued", "queued")
    again = client.post(f"/api/v1/workflows/{created['id']}/run/")
    assert again.json()["run"] == run.pk  # coalesced with the queued run
    client.patch(f"/api/v1/workflows/{created['id']}/", {"enabled": False}, format="json")
    refused = client.post(f"/api/v1/workflows/{created['id']}/run/")
    assert refused.status_code == 409
    assert_matches_schema(refused)


def test_it_previews_an_unsaved_draft(alice_live, live_install, sheet, client_for, sandbox):
    import uuid

    prefix = f"draft-{uuid.uuid4().hex[:8]}"
    sandbox.salesforce.insert("Account", [{"Name": f"{prefix}-{i}"} for i in range(2)])
    client = client_for(alice_live)
    body = _draft(live_install, sheet, direction="to_smartsheet",
                  mappings=[{"salesforce_field": "Name", "column": "Account"}],
                  salesforce_filters=[{"field": "Name", "operator": "starts_with",
                                       "value": prefix}],
                  smartsheet_filters=[], row_groups=[])
    response = client.post("/api/v1/workflows/preview/", body, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    assert response.json()["smartsheet"]["rows_to_add"] == 2
    assert not Workflow.objects.exists()
    bad = client.post("/api/v1/workflows/preview/", {**body, "mappings": [
        {"salesforce_field": "Nope", "column": "Account"}]}, format="json")
    assert bad.status_code == 400 and "mappings" in bad.json()["errors"]


def test_a_patch_that_changes_what_syncs_queues_a_run_and_a_rename_does_not(
        alice_live, live_install, sheet, client_for, sandbox):
    import uuid

    from runs.services import run_execute_now

    prefix = f"patch-{uuid.uuid4().hex[:8]}"
    sandbox.salesforce.insert("Account", [{"Name": f"{prefix}-1", "Industry": "Energy"}])
    client = client_for(alice_live)
    created = client.post("/api/v1/workflows/", _draft(
        live_install, sheet, direction="to_smartsheet", start_first_run=False,
        mappings=[{"salesforce_field": "Name", "column": "Account"}],
        salesforce_filters=[{"field": "Name", "operator": "starts_with", "value": prefix}],
        smartsheet_filters=[], row_groups=[]), format="json").json()
    workflow = Workflow.objects.get(pk=created["id"])
    assert run_execute_now(workflow=workflow).status == "succeeded"
    url = f"/api/v1/workflows/{workflow.pk}/"

    renamed = client.patch(url, {"name": "Only a new name"}, format="json")
    assert renamed.status_code == 200 and Run.objects.filter(workflow=workflow).count() == 1

    widened = client.patch(url, {"mappings": [
        {"salesforce_field": "Name", "column": "Account"},
        {"salesforce_field": "Industry", "column": "Industry", "direction": "to_smartsheet"}]},
        format="json")
    assert widened.status_code == 200, widened.content
    applying = Run.objects.filter(workflow=workflow).latest("pk")
    assert (applying.trigger, applying.status) == ("created", "queued")
    assert widened.json()["last_run"]["id"] == applying.pk


def test_it_takes_json_booleans_and_numbers_as_filter_values_and_the_new_options(
        alice_live, live_install, sheet, client_for):
    client = client_for(alice_live)
    response = client.post("/api/v1/workflows/", _draft(
        live_install, sheet, start_first_run=False, allow_duplicates=True,
        remove_rows_on_filter_exit=True, remove_rows_on_delete=True,
        salesforce_filters=[{"field": "AnnualRevenue", "operator": "greater_than",
                             "value": 2.5e6}],
        smartsheet_filters=[{"column": "Active", "operator": "equals", "value": True}]),
        format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["salesforce_filters"][0]["value"] == "2500000"
    assert body["smartsheet_filters"][0]["value"] == "true"
    assert (body["allow_duplicates"], body["remove_rows_on_filter_exit"],
            body["remove_rows_on_delete"]) == (True, True, True)
    assert body["sheet_permalink"].startswith("https://")
    patched = client.patch(f"/api/v1/workflows/{body['id']}/", {
        "allow_duplicates": False, "smartsheet_filters": [
            {"column": "Active", "operator": "equals", "value": False}]}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["allow_duplicates"] is False
    assert patched.json()["smartsheet_filters"][0]["value"] == "false"
    refused = client.patch(f"/api/v1/workflows/{body['id']}/", {"smartsheet_filters": [
        {"column": "Active", "operator": "equals", "value": {"not": "a value"}}]}, format="json")
    assert refused.status_code == 400


def test_the_draft_preview_counts_group_rows_apart_and_names_what_will_fail(
        alice_live, live_install, sheet, client_for, sandbox):
    import uuid

    from tests import factories

    prefix = f"plan-{uuid.uuid4().hex[:8]}"
    sandbox.salesforce.insert("Account", [
        {"Name": f"{prefix}-ok", "Industry": "Energy"},
        {"Name": f"{prefix}-refused", "Industry": "Banking"}])
    # A dropdown that restricts values to its options refuses "Banking" (one that does
    # not keeps it as text: the engine writes such columns with strict: false).
    industry = next(c for c in sheet["columns"] if c["title"] == "Industry")
    factories.smartsheet_client(sandbox).update_column(sheet["id"], industry["id"],
                                                       {"validation": True})
    body = _draft(live_install, sheet, direction="to_smartsheet",
                  mappings=[{"salesforce_field": "Name", "column": "Account"},
                            {"salesforce_field": "Industry", "column": "Industry"}],
                  salesforce_filters=[{"field": "Name", "operator": "starts_with",
                                       "value": prefix}],
                  smartsheet_filters=[], row_groups=[{"field": "Industry"}])
    response = client_for(alice_live).post("/api/v1/workflows/preview/", body, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    summary = response.json()
    assert (summary["smartsheet"]["rows_to_add"], summary["smartsheet"]["group_rows_to_add"],
            summary["errors"], summary["full"]) == (2, 2, 1, True)  # added, without that cell
    (item,) = summary["error_items"]
    assert item["record_name"] == f"{prefix}-refused" and item["field"] == "Industry"
    assert "'Banking' is not one of the column's options" in item["message"]
