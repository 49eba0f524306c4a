"""Run history: newest first, filtered by workflow, with errors and conflicts."""

from __future__ import annotations

from tests import factories
from tests.api.openapi import assert_matches_schema


def test_it_lists_runs_newest_first_and_filters_by_workflow(people, install, workflow, run,
                                                            client_for):
    other = factories.accounts_workflow(people["alice"], install, name="Other", sheet_id=333)
    newer = factories.run(workflow, trigger="api")
    elsewhere = factories.run(other, trigger="schedule")
    client = client_for(people["alice"])
    response = client.get(f"/api/v1/runs/?workflow={workflow.pk}")
    assert response.status_code == 200
    assert_matches_schema(response)
    assert [r["id"] for r in response.json()["results"]] == [newer.pk, run.pk]
    everything = [r["id"] for r in client.get("/api/v1/runs/").json()["results"]]
    assert everything == [elsewhere.pk, newer.pk, run.pk]
    assert client.get("/api/v1/runs/?workflow=abc").status_code == 400
    assert client.get("/api/v1/runs/?status=partial").json()["count"] == 1


def test_it_shows_a_runs_counts_errors_and_conflicts(people, run, client_for):
    client = client_for(people["sam"])
    body = client.get(f"/api/v1/runs/{run.pk}/").json()
    assert body["counts"]["rows_added"] == 3 and body["counts"]["errors"] == 1
    assert body["api_calls"] == {"salesforce": 2, "smartsheet": 4}
    errors = client.get(f"/api/v1/runs/{run.pk}/errors/")
    assert_matches_schema(errors)
    assert [(e["row_id"], e["record_id"], e["field"], e["message"], e["culprit"])
            for e in errors.json()] == [
        (5, "001000000000001AAA", "Name", "Required field missing", "Bob")]
    conflicts = client.get(f"/api/v1/runs/{run.pk}/conflicts/")
    assert_matches_schema(conflicts)
    assert [(c["salesforce_value"], c["smartsheet_value"], c["winner"])
            for c in conflicts.json()] == [("A", "B", "salesforce")]


def test_it_hides_runs_of_invisible_workflows(people, run, client_for):
    client = client_for(people["bob"])
    assert client.get("/api/v1/runs/").json()["count"] == 0
    for path in ("", "errors/", "conflicts/"):
        assert client.get(f"/api/v1/runs/{run.pk}/{path}").status_code == 404
