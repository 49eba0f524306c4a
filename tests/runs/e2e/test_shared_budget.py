"""Two real worker processes share one Smartsheet token's rate budget.

Two ``qcluster`` processes (two workers each) poll workflows that all belong to one
owner — one access token — whose budget is set low (10 requests a minute) so that the
work needs minutes of it. The scheduler's own spreading is turned off (it reckons a
poll at one call), so the budget alone holds the processes back. The sandbox counts what the token sent in every
sliding minute: together the processes never went over the budget, Smartsheet never
answered 4003, and every run finished (waiting or put off when it found no budget,
never failed).

On PostgreSQL with Redis (``.ci/run``'s second pass) the budget lives in Redis; else in
the SQLite database the processes share, with the ORM broker.
"""

from __future__ import annotations

import json
import os

import pytest

from sandbox.runner import start_sandbox
from tests.conftest import allow_sandbox_hosts
from tests.runs.e2e.cluster import Clusters, cluster_env, manage, report, script, wait_for
from tests.runs.e2e.test_cluster import scratch_postgres, scratch_redis  # noqa: F401
from tests.runs.e2e.world import sandbox_workflow_specs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("qcluster")]

BUDGET = 10


@pytest.fixture
def own_sandbox():
    box = allow_sandbox_hosts(start_sandbox(state_dir=None, seed="empty"))
    yield box
    box.stop()


@pytest.fixture
def shared_store(tmp_path, request):
    """(DATABASE_URL, REDIS_URL) the processes share: PostgreSQL and Redis in the PG +
    Redis pass, else a SQLite file of this test's own."""
    if os.environ.get("SHEETFORCE_PG_REDIS") == "1":
        return (request.getfixturevalue("scratch_postgres"),
                request.getfixturevalue("scratch_redis"))
    return f"sqlite:///{tmp_path / 'fleet.sqlite3'}", ""


def test_two_worker_processes_never_exceed_one_tokens_budget_together(
        own_sandbox, shared_store, tmp_path):
    database_url, redis_url = shared_store
    env = cluster_env(database_url=database_url, redis_url=redis_url, workers=2)
    env["RATE_BUDGET_SMARTSHEET_PER_MINUTE"] = str(BUDGET)
    env["SCHEDULE_CALLS_PER_POLL"] = "1"
    env["LOG_LEVEL"] = "INFO"  # what each worker did, in the failure message
    manage(env, "migrate", "--noinput")
    spec = {"info": own_sandbox.info, "admin_id": own_sandbox.salesforce.admin_id,
            "specs": sandbox_workflow_specs(own_sandbox, workflows=8, records=2)}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script(env, "setup-fleet", str(tmp_path / "spec.json"), str(tmp_path / "world.json"))
    world = json.loads((tmp_path / "world.json").read_text())
    # What the setup itself sent does not count: from here on, only the workers call.
    own_sandbox.smartsheet.rate_limit(per_minute=1_000_000)

    def every_workflow_synced() -> bool:
        runs = report(env, tmp_path)["runs"]
        return {r["workflow"] for r in runs if r["status"] == "succeeded"} >= set(
            world["workflows"])

    with Clusters(env, 2, tmp_path) as clusters:
        done = wait_for(every_workflow_synced, timeout=480, interval=3)
        logs = clusters.logs()
    runs = report(env, tmp_path)["runs"]
    assert done, f"workflows left unsynced: {runs}\ncluster logs:\n{logs}"
    counts = own_sandbox.smartsheet.count()
    # The work needed more than one minute's budget...
    assert sum(r["smartsheet_calls"] for r in runs) > BUDGET
    # ...and both processes took part in it.
    assert len({r["worker"] for r in runs if r["worker"]}) >= 2
    # Together they never sent more than the budget within any 60 seconds.
    assert counts["rate_peaks"], counts
    assert counts["rate_peak_per_token"] <= BUDGET, counts
    assert counts["rate_limited"] == 0
    # Runs that found the budget spent waited or were put off, never failed. (Which of
    # the two depends on whether a run's first call met the spent budget — that call is
    # Salesforce's or Smartsheet's by the run's timing —, so it is not asserted here:
    # tests/runs/services/test_deferral.py and the transport tests of
    # tests/connector/test_budgets.py pin the deferral down.)
    assert [r for r in runs if r["status"] == "failed"] == []
