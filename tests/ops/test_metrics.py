"""GET /metrics: Prometheus text read from the database (right whichever process answers),
behind a bearer token, in a constant number of queries, with bounded labels."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from connector.models import Install, InstallStatus
from runs.models import DURATION_BUCKETS, Run, RunError, RunStatus, RunTally
from runs.selectors import open_errors_count
from runs.services import run_finish, runs_cleanup
from tests import factories
from tests.ops.conftest import METRICS_TOKEN, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN


def scrape(client, token=METRICS_TOKEN):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response


def samples(response) -> dict[tuple, float]:
    """(sample name, sorted labels) → value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


def test_it_does_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Token {METRICS_TOKEN}",
                                    f"Bearer {METRICS_TOKEN}x", f"Bearer {METRICS_TOKEN[:-1]}",
                                    "Basic YWxpY2U6cHc="])
def test_it_refuses_a_missing_or_wrong_token(client, token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert METRICS_TOKEN not in response.content.decode()


def test_it_answers_prometheus_text_with_the_token(client, token):
    response = scrape(client)
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    names = {f.name for f in text_string_to_metric_families(response.content.decode())}
    assert {"sheetforce_runs", "sheetforce_run_duration_seconds", "sheetforce_api_calls",
            "sheetforce_open_errors", "sheetforce_queued_runs",
            "sheetforce_api_budget_used_ratio"} <= names
    # Our figures only: a web process's own memory or CPU describes whoever answered.
    assert not any(n.startswith(("process_", "python_")) for n in names)


def test_it_speaks_openmetrics_when_asked(client, token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}",
                          HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().rstrip().endswith("# EOF")


def test_it_counts_runs_by_status_and_their_api_calls(client, token, make_workflow):
    opportunities, contacts = make_workflow(), make_workflow("Contacts")
    make_run(opportunities, RunStatus.SUCCEEDED, salesforce_calls=3, smartsheet_calls=2)
    make_run(opportunities, RunStatus.SUCCEEDED, salesforce_calls=1, smartsheet_calls=1)
    make_run(contacts, RunStatus.PARTIAL, salesforce_calls=5, smartsheet_calls=4)
    make_run(contacts, RunStatus.FAILED, salesforce_calls=1)
    make_run(contacts, RunStatus.CANCELLED, seconds=None)
    make_run(opportunities, RunStatus.RUNNING, seconds=None, salesforce_calls=7)
    make_run(opportunities, RunStatus.QUEUED, seconds=None)
    make_run(contacts, RunStatus.QUEUED, seconds=None)

    got = samples(scrape(client))
    runs = {dict(labels)["status"]: value for (name, labels), value in got.items()
            if name == "sheetforce_runs_total"}
    assert runs == {"succeeded": 2, "partial": 1, "failed": 1, "cancelled": 1}
    # Calls count once their run has ended (the running run's 7 are not in yet).
    assert got[("sheetforce_api_calls_total", (("service", "salesforce"),))] == 10
    assert got[("sheetforce_api_calls_total", (("service", "smartsheet"),))] == 7
    assert got[("sheetforce_queued_runs", ())] == 2
    assert got[("sheetforce_running_runs", ())] == 1


def test_it_histograms_run_durations(client, token, make_workflow):
    workflow = make_workflow()
    for seconds in (0.5, 3, 3, 40, 700, 5000):
        make_run(workflow, RunStatus.SUCCEEDED, seconds=seconds)
    make_run(workflow, RunStatus.CANCELLED, seconds=None)  # cancelled while queued: untimed
    make_run(workflow, RunStatus.RUNNING, seconds=None)

    got = samples(scrape(client))
    buckets = {dict(labels)["le"]: value for (name, labels), value in got.items()
               if name == "sheetforce_run_duration_seconds_bucket"}
    assert buckets == {"1.0": 1, "5.0": 3, "15.0": 3, "30.0": 3, "60.0": 4, "120.0": 4,
                       "300.0": 4, "600.0": 4, "1200.0": 5, "1800.0": 5, "3600.0": 5,
                       "+Inf": 6}
    assert got[("sheetforce_run_duration_seconds_count", ())] == 6
    assert got[("sheetforce_run_duration_seconds_sum", ())] == pytest.approx(5746.5)


def test_it_counts_the_open_errors_of_every_workflow(client, token, make_workflow):
    opportunities, contacts = make_workflow(), make_workflow("Contacts")
    for n in range(3):
        factories.open_error(opportunities, row_id=n + 1)
    factories.open_error(contacts, row_id=9)
    # Closed: synced since, or out of the workflow's scope.
    factories.open_error(opportunities, row_id=5, resolved_at=timezone.now(),
                         resolution="synced")
    factories.open_error(contacts, row_id=6, resolved_at=timezone.now(),
                         resolution="no_longer_synced")

    assert open_errors_count() == 4
    assert samples(scrape(client))[("sheetforce_open_errors", ())] == 4


def test_it_reports_each_installs_api_budget(client, token, install, make_workflow):
    other = Install.objects.create(name="Globex org", api_budget_percent=50,
                                   status=InstallStatus.PAUSED_LIMIT)
    silent = Install.objects.create(name="Quiet org")
    make_run(make_workflow(), usage="1000/10000", ago=timedelta(hours=3))
    make_run(make_workflow(), usage="4000/10000", ago=timedelta(hours=1))
    make_run(make_workflow(), usage="", ago=timedelta(minutes=1))  # reported nothing
    make_run(make_workflow(on=other), usage="4000/10000")
    make_run(make_workflow(on=silent), usage="9000/10000", ago=timedelta(hours=30))  # too old

    got = samples(scrape(client))
    ratio = {dict(labels)["install"]: value for (name, labels), value in got.items()
             if name == "sheetforce_api_budget_used_ratio"}
    # 80 % of 10,000 is the Acme budget; Globex may use 50 %.
    assert ratio == {str(install.pk): pytest.approx(0.5), str(other.pk): pytest.approx(0.8)}
    paused = {dict(labels)["install"]: value for (name, labels), value in got.items()
              if name == "sheetforce_install_paused"}
    assert paused == {str(install.pk): 0, str(other.pk): 1, str(silent.pk): 0}
    assert got[("sheetforce_install_paused",
                (("install", str(other.pk)), ("name", "Globex org")))] == 1


def test_it_costs_the_same_queries_for_one_run_or_many(
        client, token, install, make_workflow, django_assert_num_queries):
    make_run(make_workflow())
    with django_assert_num_queries(4) as few:
        scrape(client)
    for n in range(15):
        workflow = make_workflow(f"Workflow {n}",
                                 on=Install.objects.create(name=f"Org {n}") if n % 3 else None)
        for status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED):
            run = make_run(workflow, status, usage="10/100", salesforce_calls=2)
            RunError.objects.create(run=run, message="bad row")
    with django_assert_num_queries(len(few.captured_queries)):
        scrape(client)


def test_its_labels_are_bounded(client, token, install, make_workflow):
    for n in range(5):
        make_run(make_workflow(f"Workflow {n}"), RunStatus.PARTIAL, usage="10/100")
    response = scrape(client)
    label_names = {name for family in text_string_to_metric_families(response.content.decode())
                   for s in family.samples for name in s.labels}
    assert label_names <= {"status", "service", "le", "install", "name"}
    assert "Workflow 0" not in response.content.decode()
    assert "top-secret" not in response.content.decode()


def test_its_counters_never_go_down_when_runs_are_deleted(client, token, make_workflow):
    kept, deleted = make_workflow(), make_workflow("Deleted later")
    make_run(kept, RunStatus.SUCCEEDED, salesforce_calls=2, ago=timedelta(days=200))
    make_run(kept, RunStatus.SUCCEEDED, salesforce_calls=2)
    make_run(deleted, RunStatus.FAILED, salesforce_calls=1)
    before = samples(scrape(client))

    assert runs_cleanup() == 1  # past RUN_RETENTION_DAYS
    deleted.delete()  # its runs go with it
    assert Run.objects.count() == 1

    after = samples(scrape(client))
    counters = [key for key in before if key[0].endswith(("_total", "_bucket", "_count", "_sum"))]
    assert counters and all(after[key] == before[key] for key in counters)
    assert after[("sheetforce_runs_total", (("status", "succeeded"),))] == 2


def test_a_run_counts_once_however_often_someone_tries_to_end_it(client, token, make_workflow):
    run = make_run(make_workflow(), RunStatus.RUNNING)
    assert run_finish(run=run, status=RunStatus.FAILED, message="reaped")
    assert not run_finish(run=run, status=RunStatus.SUCCEEDED)  # the worker comes back late
    got = samples(scrape(client))
    assert got[("sheetforce_runs_total", (("status", "failed"),))] == 1
    assert got[("sheetforce_runs_total", (("status", "succeeded"),))] == 0


@pytest.mark.django_db(transaction=True)
def test_workers_ending_runs_at_once_lose_no_count(make_workflow):
    workflows = [make_workflow(f"Workflow {n}") for n in range(4)]
    runs = {w.pk: [make_run(w, RunStatus.RUNNING) for _ in range(8)] for w in workflows}
    errors = []

    def worker(workflow_id: int) -> None:
        try:
            for run in runs[workflow_id]:
                run_finish(run=run, status=RunStatus.SUCCEEDED)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(w.pk,)) for w in workflows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    tally = RunTally.objects.get(status=RunStatus.SUCCEEDED)
    assert (tally.runs, tally.timed, tally.le_3600) == (32, 32, 32)


def test_the_tally_has_a_column_per_histogram_bucket():
    columns = {f.name for f in RunTally._meta.get_fields() if f.name.startswith("le_")}
    assert columns == {f"le_{bound}" for bound in DURATION_BUCKETS}
