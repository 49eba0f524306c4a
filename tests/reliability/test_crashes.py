"""Crashes: a worker SIGKILLed at 20+ seeded points of a run — while reading, planning,
writing to Salesforce, writing to Smartsheet, committing — leaves a run that the reaper
marks failed, and the rerun leaves no duplicate and loses no edit.

The worker is a real process (``tests/reliability/crash_script.py``, which runs the
workflow as ``manage.py run_workflow`` does) on a file-based SQLite database shared with
this test. Two kinds of kill points, drawn from a seeded generator:

- the worker kills itself at its N-th committed batch (the engine's ``after_batch_hook``);
- this test kills it from outside once the sandbox has seen K more requests — anywhere,
  including in the middle of a write the sandbox has already applied.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.reliability.world import World

ROOT = Path(__file__).resolve().parents[2]
POINTS = 21

pytestmark = pytest.mark.slow


class Worker:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.env = {**os.environ,
                    "DJANGO_SETTINGS_MODULE": "sheetforce.settings",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                    "SHEETFORCE_VAR_DIR": str(tmp_path / "var"),
                    "SHEETFORCE_INSECURE_LOCAL": "1", "LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(ROOT),
                    # The worker may call what this process may call: the sandbox too.
                    "SHEETFORCE_ALLOWED_API_HOSTS": ",".join(
                        settings.SHEETFORCE_ALLOWED_API_HOSTS)}
        self.env.pop("SHEETFORCE_TEST_KILL_AT_BATCH", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT,
                       env=self.env, check=True, timeout=120)

    def start(self, command: str, arg, *, kill_at_batch: int = 0) -> subprocess.Popen:
        env = dict(self.env)
        if kill_at_batch:
            env["SHEETFORCE_TEST_KILL_AT_BATCH"] = str(kill_at_batch)
        out = self.tmp / f"{command}.json"
        out.unlink(missing_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_script", command, str(arg),
             str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)

    def call(self, command: str, arg) -> dict:
        process = self.start(command, arg)
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        return json.loads((self.tmp / f"{command}.json").read_text())


def requests_seen(sandbox) -> int:
    counts = sandbox.control.counts()
    return counts["salesforce"]["total"] + counts["smartsheet"]["total"]


def new_work(world: World, point: int, rng: random.Random) -> None:
    """Work for the next run on both sides: creates both ways (two Salesforce batches),
    and edits both ways of records linked by earlier runs."""
    world.add_rows(f"P{point:02d}S", 210)
    world.add_records(f"P{point:02d}R", 25)
    linked = sorted(n for n in world.expected if " P" not in n or
                    int(n.split(" P")[1][:2]) < point)
    picked = rng.sample(linked, 40)
    world.edit_salesforce({n: {"Phone": f"crash{point}-{i}"} for i, n in enumerate(picked[:20])})
    world.edit_sheet({n: {"Employees": 40_000 + point * 100 + i}
                      for i, n in enumerate(picked[20:])})
    world.expect_cycle({n: {"Phone": f"crash{point}-{i}"} for i, n in enumerate(picked[:20])},
                       {n: {"Employees": 40_000 + point * 100 + i}
                        for i, n in enumerate(picked[20:])})


def test_it_recovers_from_a_worker_killed_anywhere_in_a_run(sandbox, tag, tmp_path):
    worker = Worker(tmp_path)
    spec_path = tmp_path / "spec.json"

    def make_workflow(sheet_id: int) -> int:
        spec_path.write_text(json.dumps({"info": sandbox.info, "tag": tag, "sheet_id": sheet_id,
                                         "admin_id": sandbox.salesforce.admin_id}))
        return worker.call("setup", spec_path)["workflow"]

    world = World.build(sandbox, None, None, tag, from_salesforce=150, from_sheet=150,
                        make_workflow=make_workflow)
    before = requests_seen(sandbox)
    first = worker.call("run", world.workflow)
    assert first["status"] == "succeeded", first
    assert world.differences() == []

    rng = random.Random(20260525)
    # How many requests a run with a point's worth of work makes: the range to kill in.
    new_work(world, 0, rng)
    before = requests_seen(sandbox)
    assert worker.call("run", world.workflow)["status"] == "succeeded"
    span = requests_seen(sandbox) - before
    assert world.differences() == []

    kills, where = 0, []
    for point in range(1, POINTS + 1):
        new_work(world, point, rng)
        if point % 2:
            batch = rng.randint(1, 7)
            process = worker.start("run", world.workflow, kill_at_batch=batch)
            out, _ = process.communicate(timeout=300)
            label = out.strip().splitlines()[-1] if out.strip() else f"batch {batch}"
        else:
            k = rng.randint(1, span - 1)
            start = requests_seen(sandbox)
            process = worker.start("run", world.workflow)
            while process.poll() is None and requests_seen(sandbox) - start < k:
                time.sleep(0.002)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.communicate(timeout=60)
            label = f"request {k} of ~{span}"
        if process.returncode == -signal.SIGKILL:
            kills += 1
            where.append(label)

        recovered = worker.call("recover", world.workflow)
        if process.returncode == -signal.SIGKILL:
            assert [r["status"] for r in recovered["reaped"]] == ["failed"], (label, recovered)
            assert recovered["claim_free"], label
        assert recovered["status"] == "succeeded", (
            label, recovered.get("message"), recovered.get("errors"), recovered)
        assert world.differences() == [], (label, world.differences()[:5])

    assert kills >= 20, where
    print("killed at:", where)
