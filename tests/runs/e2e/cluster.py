"""Start and stop real ``manage.py qcluster`` processes for the cluster tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


def cluster_env(*, database_url: str, redis_url: str = "", workers: int = 2) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "sheetforce.settings",
        "DATABASE_URL": database_url,
        "Q_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "SHEETFORCE_INSECURE_LOCAL": "1",
        # The clusters may call what the test process may call: its sandbox too.
        "SHEETFORCE_ALLOWED_API_HOSTS": ",".join(settings.SHEETFORCE_ALLOWED_API_HOSTS),
        # One owner's token drives every workflow and the sandboxes lift Smartsheet's
        # limit: the shared budgets are off too, unless a test is about them
        # (test_shared_budget.py).
        "RATE_BUDGET_SMARTSHEET_PER_MINUTE": "0",
        "RATE_BUDGET_SALESFORCE_PER_MINUTE": "0",
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout, check=True,
    )


def script(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tests.runs.e2e.cluster_script", *args], cwd=ROOT, env=env,
        check=True, timeout=180,
    )


def report(env: dict, tmp_path: Path) -> dict:
    out = tmp_path / "report.json"
    script(env, "report", str(out))
    return json.loads(out.read_text())


class Clusters:
    """``count`` qcluster processes; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, env: dict, count: int, log_dir: Path) -> None:
        self.env, self.count, self.log_dir = env, count, log_dir
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Clusters:
        for n in range(self.count):
            log = open(self.log_dir / f"qcluster-{n}.log", "w")  # noqa: SIM115
            self.processes.append(subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            ))
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Whatever of the group outlived its leader (a pusher, a worker) goes too: left
            # alive, it would take the next test's tasks from the same Redis queue.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join((self.log_dir / f"qcluster-{n}.log").read_text()[-30000:]
                         for n in range(self.count))


def wait_for(predicate, *, timeout: float, interval: float = 1.0):
    """Poll ``predicate()`` until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
