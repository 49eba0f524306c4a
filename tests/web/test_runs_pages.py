"""Run history, a run's page, live progress and the chart."""

from __future__ import annotations

import pytest

from connector.models import Connection, Service
from runs.models import Conflict, RunError, RunStatus, RunTrigger
from tests import factories, personas
from web.charts import RunPoint, runs_chart_svg

pytestmark = pytest.mark.django_db

#: People other than alice who may not see or touch her workflow: her teammate bob,
#: Globex's System Admin charlie (an admin, but of another team), Acme's admin sam where
#: only the owner may act, and Acme's unlicensed uma.
OTHERS = {"bob": personas.bob, "charlie": lambda: personas.charlie(system_admin=True),
          "sam": personas.sam, "uma": personas.uma}


@pytest.fixture
def history():
    alice = personas.alice()
    wf = factories.workflow(alice, name="Deals")
    old = factories.run(wf, status=RunStatus.SUCCEEDED, trigger=RunTrigger.CREATED,
                        rows_added=40, records_read=40)
    new = factories.run(wf, status=RunStatus.PARTIAL, trigger=RunTrigger.SCHEDULE,
                        rows_updated=5, errors_count=2)
    return wf, old, new


def test_it_lists_runs_newest_first_with_trigger_status_and_counts(client, history):
    wf, old, new = history
    client.force_login(wf.owner)
    html = client.get(f"/workflows/{wf.pk}/runs/").content.decode()
    assert html.index(f"/runs/{new.pk}/") < html.index(f"/runs/{old.pk}/")
    assert "Workflow saved" in html and "Schedule" in html
    assert "Succeeded with errors" in html
    assert "<svg" in html and "Records synced and errors per run" in html


def test_it_shows_a_runs_errors_with_record_links_and_conflicts(client, history):
    wf, _, new = history
    Connection.objects.create(user=wf.owner, install=wf.install, service=Service.SALESFORCE,
                              instance_url="https://acme.example.com", identity="alice@acme")
    RunError.objects.create(run=new, row_number=7, record_id="001000000000001AAA",
                            column="Phone", message="Phone: value too long", culprit="Bob Chen")
    Conflict.objects.create(run=new, record_id="001000000000002AAA", field="Name",
                            salesforce_value="Acme Inc", smartsheet_value="Acme Corp",
                            winner="salesforce")
    client.force_login(wf.owner)
    html = client.get(f"/runs/{new.pk}/").content.decode()
    assert "Row 7" in html
    assert 'href="https://acme.example.com/001000000000001AAA"' in html
    assert "Phone: value too long" in html and "Bob Chen" in html
    assert "Acme Inc" in html and "Acme Corp" in html and "<td>Salesforce</td>" in html


@pytest.mark.parametrize("persona", ["bob", "charlie", "uma"])
def test_it_hides_runs_of_other_peoples_workflows(client, history, persona):
    wf, _, new = history
    client.force_login(OTHERS[persona]())
    assert client.get(f"/workflows/{wf.pk}/runs/").status_code == 404
    assert client.get(f"/runs/{new.pk}/").status_code == 404
    assert client.get(f"/runs/{new.pk}/progress/").status_code == 404


def test_it_shows_a_system_admin_the_team_members_runs(client, history):
    wf, _, new = history
    client.force_login(personas.sam())
    assert client.get(f"/workflows/{wf.pk}/runs/").status_code == 200
    assert client.get(f"/runs/{new.pk}/").status_code == 200


def test_it_reports_live_progress_as_json(client, history):
    wf, _, _ = history
    running = factories.run(wf, status=RunStatus.RUNNING, phase="reading salesforce",
                            records_read=1200)
    client.force_login(wf.owner)
    data = client.get(f"/runs/{running.pk}/progress/").json()
    assert data["status"] == "running" and data["phase"] == "reading salesforce"
    assert data["counts"]["records_read"] == 1200 and data["finished"] is False
    html = client.get(f"/runs/{running.pk}/").content.decode()
    assert f'data-progress-url="/runs/{running.pk}/progress/"' in html
    dashboard = client.get("/").content.decode()
    assert f'data-progress-url="/runs/{running.pk}/progress/"' in dashboard


def test_it_stops_showing_progress_once_finished(client, history):
    wf, _, new = history
    client.force_login(wf.owner)
    assert client.get(f"/runs/{new.pk}/progress/").json()["finished"] is True
    assert "data-progress-url" not in client.get(f"/runs/{new.pk}/").content.decode()


def test_it_draws_one_bar_pair_per_run_scaled_to_the_peak():
    svg = runs_chart_svg([RunPoint("a", 10, 0), RunPoint("b", 40, 4), RunPoint("c<", 20, 1)])
    assert svg.count('class="bars-synced"') == 3 and svg.count('class="bars-errors"') == 3
    assert ">40</text>" in svg  # the axis shows the peak
    assert "c&lt;" in svg and "c<" not in svg  # labels are escaped


def test_it_draws_an_empty_chart_without_runs():
    svg = runs_chart_svg([])
    assert svg.startswith("<svg") and "bars-synced" not in svg


def test_a_runs_page_shows_new_still_open_and_resolved_errors_grouped_by_message(
        client, history):
    wf, old, new = history
    bad = "'Won?' is not an option of the column 'Stage'"
    kept = factories.open_error(wf, row_id=10, row_number=3, primary_value="Beta",
                                column="Stage", message=bad, first_run=old,
                                row_url="https://app.smartsheet.com/sheets/x?rowId=10")
    opened = factories.open_error(wf, row_id=11, row_number=4, primary_value="Gamma",
                                  column="Stage", message=bad, first_run=new)
    factories.open_error(wf, row_id=12, row_number=5, primary_value="Delta", column="Stage",
                         message="Fixed since", resolved_by=new, resolution="synced",
                         resolved_at=new.queued_at)
    factories.run_error(new, row_id=10, row_number=3, primary_value="Beta", column="Stage",
                        message=bad, open_error=kept, repeat=True,
                        row_url="https://app.smartsheet.com/sheets/x?rowId=10")
    factories.run_error(new, row_id=11, row_number=4, primary_value="Gamma", column="Stage",
                        message=bad, open_error=opened)
    factories.run_error(new, row_id=13, row_number=6, column="Stage", message=bad)
    client.force_login(wf.owner)

    html = client.get(f"/runs/{new.pk}/").content.decode()

    new_part, rest = html.split("Still open")[0], html.split("Still open")[1]
    assert "2 items" in new_part and "Row 4 · Gamma" in new_part and "Row 6" in new_part
    assert "Row 3 · Beta" in rest.split("resolved")[0]
    assert 'href="https://app.smartsheet.com/sheets/x?rowId=10"' in html
    assert "1 error resolved" in html and "Fixed since" in html and "Synced" in html


def test_the_run_history_lists_the_open_errors_grouped(client, history):
    wf, _, _ = history
    for row, name in ((3, "Beta"), (4, "Gamma")):
        factories.open_error(wf, row_id=row, row_number=row, primary_value=name,
                             column="Stage", message="'Won?' is not an option", runs=3)
    factories.open_error(wf, row_id=9, message="Closed", resolved_at=wf.created_at,
                         resolution="synced")
    client.force_login(wf.owner)

    html = client.get(f"/workflows/{wf.pk}/runs/").content.decode()

    section = html.split('id="open-errors"')[1].split("</section>", 2)
    assert "2 open errors" in section[0] and "Row 3 · Beta" in html and "Row 4 · Gamma" in html
    assert "Closed" not in html


def test_a_runs_org_usage_reads_as_numbers_in_the_persons_language(client, alice):
    run = factories.run(factories.workflow(alice), status=RunStatus.SUCCEEDED,
                        salesforce_api_usage="762/100000")
    client.force_login(alice)
    assert "(org usage 762 of 100,000)" in client.get(f"/runs/{run.pk}/").content.decode()
    alice.language = "fr"
    alice.save(update_fields=["language"])
    html = client.get(f"/runs/{run.pk}/").content.decode()
    assert "(utilisation de l’organisation 762 sur 100\u00a0000)" in html
