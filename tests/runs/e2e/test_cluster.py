"""Real django-q2 clusters running real runs against the sandbox.

- On SQLite with the ORM broker: the minute schedule's tick finds a due workflow and a
  worker syncs it end to end.
- On PostgreSQL with the Redis broker (``.ci/run``): two clusters execute 200 runs of 50
  workflows; every run executes once and no workflow runs twice at once.

The database and broker here belong to the test (a temporary SQLite file, a fresh
PostgreSQL database, a Redis database index of its own); the clusters and the setup run
in subprocesses, the sandbox in this process.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

from sandbox.runner import start_sandbox
from tests.conftest import allow_sandbox_hosts
from tests.runs.e2e.cluster import Clusters, cluster_env, manage, report, script, wait_for
from tests.runs.e2e.world import sandbox_workflow_specs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("qcluster")]


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    """A sandbox of this module's own: the clusters' load never slows other tests."""
    box = allow_sandbox_hosts(start_sandbox(state_dir=None, seed="empty"))
    # One owner token drives every workflow here: Smartsheet's 300 requests a minute
    # per token would turn this into a rate-limit test (the clients' tests cover that).
    box.smartsheet.rate_limit(per_minute=1_000_000)
    yield allow_sandbox_hosts(box)
    box.stop()


def test_a_scheduled_tick_runs_a_due_workflow_on_sqlite(own_sandbox, tmp_path):
    env = cluster_env(database_url=f"sqlite:///{tmp_path / 'cluster.sqlite3'}", workers=2)
    manage(env, "migrate", "--noinput")
    spec = {"info": own_sandbox.info, "admin_id": own_sandbox.salesforce.admin_id,
            "specs": sandbox_workflow_specs(own_sandbox, workflows=1, records=3)}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script(env, "setup-tick", str(tmp_path / "spec.json"), str(tmp_path / "world.json"))

    with Clusters(env, 1, tmp_path) as clusters:
        # django-q2's sentinel runs the scheduler about every 30 seconds.
        finished = wait_for(
            lambda: [r for r in report(env, tmp_path)["runs"] if r["finished_at"]],
            timeout=120, interval=2,
        )
        logs = clusters.logs()
    assert finished, f"no run finished; cluster log:\n{logs}"
    run = finished[0]
    assert run["trigger"] == "schedule"
    assert run["status"] == "succeeded", run["message"]
    assert run["rows_added"] == 3
    sheet_id = spec["specs"][0]["sheet_id"]
    rows = own_sandbox.smartsheet.sheets[sheet_id].rows
    assert len(rows) == 3


def _pg_redis_or_skip() -> tuple[str, str]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not (os.environ.get("SHEETFORCE_PG_REDIS") == "1"
            and database_url.startswith(("postgres://", "postgresql://")) and redis_url):
        pytest.skip("scale-out needs PostgreSQL and Redis: set SHEETFORCE_PG_REDIS=1, a "
                    "postgres DATABASE_URL and REDIS_URL (.ci/run does)")
    return database_url, redis_url


@pytest.fixture
def scratch_postgres():
    """A fresh PostgreSQL database on the DATABASE_URL server, dropped afterwards."""
    import psycopg

    database_url, _ = _pg_redis_or_skip()
    parts = urlsplit(database_url)
    name = f"sheetforce_scale_{uuid.uuid4().hex[:10]}"
    # The maintenance database: DATABASE_URL's own may not exist (pytest-django tests
    # run in test_<name>).
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_redis():
    """A Redis database index of this test's own (flushed before and after)."""
    import redis

    _, redis_url = _pg_redis_or_skip()
    parts = urlsplit(redis_url)
    url = urlunsplit(parts._replace(path="/13"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


def test_two_clusters_on_postgres_and_redis_run_every_run_once(
    own_sandbox, scratch_postgres, scratch_redis, tmp_path
):
    env = cluster_env(database_url=scratch_postgres, redis_url=scratch_redis, workers=4)
    env["LOG_LEVEL"] = "INFO"  # what each worker did, in the failure message
    manage(env, "migrate", "--noinput")
    spec = {"info": own_sandbox.info, "admin_id": own_sandbox.salesforce.admin_id,
            "runs_per_workflow": 4,
            "specs": sandbox_workflow_specs(own_sandbox, workflows=50, records=3)}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script(env, "setup-scale", str(tmp_path / "spec.json"), str(tmp_path / "world.json"))
    world = json.loads((tmp_path / "world.json").read_text())
    assert len(world["runs"]) == 200

    def all_finished_and_recorded() -> bool:
        # django-q2 saves a task's result after the task returns: wait for the results
        # too, or stopping the clusters could drop the last few.
        now = report(env, tmp_path)
        recorded = sum(1 for t in now["tasks"] if t["func"] == "runs.tasks.execute_run"
                       and t["result"] == "executed")
        return all(r["finished_at"] for r in now["runs"]) and recorded >= len(now["runs"])

    with Clusters(env, 2, tmp_path) as clusters:
        # Generous: in CI's second pass the other test worker keeps both cores busy, and
        # each look at the state is a Django process of its own.
        done = wait_for(all_finished_and_recorded, timeout=600, interval=5)
        logs = clusters.logs()
    final = report(env, tmp_path)
    runs = final["runs"]
    unfinished = [(r["id"], r["status"]) for r in runs if not r["finished_at"]]
    assert done, f"runs left unfinished: {unfinished}; cluster logs:\n{logs}"
    assert sorted(r["id"] for r in runs) == sorted(world["runs"])  # no extra run appeared
    assert {r["status"] for r in runs} == {"succeeded"}, [r["message"] for r in runs]

    # Every run executed exactly once: one "executed" task result per run.
    executed = [t["args"][0] for t in final["tasks"]
                if t["func"] == "runs.tasks.execute_run" and t["result"] == "executed"]
    assert sorted(executed) == sorted(world["runs"])

    # Several worker processes shared the work (the claim, not luck, kept them apart).
    assert len({r["worker"] for r in runs}) >= 2

    # Never two runs of one workflow at once: per workflow, intervals do not overlap.
    by_workflow: dict[int, list[tuple[datetime, datetime]]] = {}
    for r in runs:
        by_workflow.setdefault(r["workflow"], []).append(
            (datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"]))
        )
    for intervals in by_workflow.values():
        intervals.sort()
        assert len(intervals) == 4
        for (_, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
            assert end <= next_start

    # Each sheet got its three rows once, however many runs synced it.
    for sheet_spec in spec["specs"]:
        assert len(own_sandbox.smartsheet.sheets[sheet_spec["sheet_id"]].rows) == 3
