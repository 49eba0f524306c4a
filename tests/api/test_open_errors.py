"""Open errors of a workflow: ``GET /api/v1/workflows/{id}/errors/`` (and ``grouped/``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests import factories
from tests.api.openapi import assert_matches_schema


def test_it_lists_the_open_errors_with_the_run_error_shape_and_their_age(
        people, workflow, run, client_for):
    seen = timezone.now() - timedelta(days=2)
    beta = factories.open_error(
        workflow, row_id=5, row_number=2, primary_value="Beta",
        row_url="https://app.smartsheet.com/sheets/abc?rowId=5", record_id="006000000000001AAA",
        record_name="Beta deal", record_url="https://acme.my.salesforce.com/006000000000001AAA",
        column="Stage", field="Stage", kind="picklist", code="1042", culprit="Bob Chen",
        message="'Won?' is not an option of the column 'Stage'", first_seen=seen, runs=4,
        first_run=run)
    factories.open_error(workflow, row_id=9, row_number=7, message="Closed since",
                         resolved_at=timezone.now(), resolution="synced")
    factories.open_error(factories.accounts_workflow(people["bob"], workflow.install,
                                                     sheet_id=222), row_id=3)

    response = client_for(people["alice"]).get(f"/api/v1/workflows/{workflow.pk}/errors/")

    assert response.status_code == 200
    assert_matches_schema(response)
    (item,) = response.json()
    run_error = client_for(people["alice"]).get(f"/api/v1/runs/{run.pk}/errors/").json()[0]
    assert set(item) == (set(run_error) - {"created_at"}) | {"first_seen", "last_seen", "runs"}
    assert item["id"] == beta.pk and item["runs"] == 4
    assert (item["row_number"], item["primary_value"], item["record_name"], item["column"],
            item["kind"]) == (2, "Beta", "Beta deal", "Stage", "picklist")
    assert item["row_url"].endswith("?rowId=5") and item["record_url"].endswith("1AAA")
    assert item["first_seen"].startswith(seen.date().isoformat())


def test_it_groups_identical_messages(people, workflow, client_for):
    for row in (3, 4, 5):
        factories.open_error(workflow, row_id=row, row_number=row, message="Not an option")
    factories.open_error(workflow, row_id=8, row_number=8, message="Too long")

    response = client_for(people["alice"]).get(
        f"/api/v1/workflows/{workflow.pk}/errors/grouped/")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert [(g["message"], g["count"], [e["row_number"] for e in g["errors"]])
            for g in response.json()] == [("Not an option", 3, [3, 4, 5]),
                                           ("Too long", 1, [8])]


def test_it_hides_the_errors_of_workflows_one_cannot_see(people, workflow, client_for):
    factories.open_error(workflow, row_id=1)
    for persona in ("bob", "charlie", "uma"):
        client = client_for(people[persona])
        assert client.get(f"/api/v1/workflows/{workflow.pk}/errors/").status_code == 404
