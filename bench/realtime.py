"""Real-time latency: ``python -m bench.realtime [--changes 100]``.

With polling disabled (no django-q2 schedules), measures how long a change made in one
service takes to be visible in the other, over ``--changes`` edits alternating between
Salesforce (a person's edit) and Smartsheet (a person's edit). Everything real: the
sandbox (in this process), a ``manage.py qcluster``, a ``manage.py runserver`` receiving
the webhook callbacks (``PUBLIC_BASE_URL`` pointing at it) and ``manage.py
listen_changes``, on a temporary SQLite database. Prints JSON with p50/p95/max (target:
p95 under 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def _cell(box, sheet_id: int, column_id: int):
    sheet = box.smartsheet.sheets[sheet_id]
    with box.smartsheet.lock:
        row = sheet.rows[0] if sheet.rows else None
        return (row.cells.get(column_id) or {}).get("value") if row else None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.realtime")
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="Give up on one change after this many seconds.")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sheetforce.settings",
           "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "SHEETFORCE_VAR_DIR": str(work),
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SHEETFORCE_WEBHOOKS_ENABLED": "true",
           "SHEETFORCE_REALTIME_RECONCILE_SECONDS": "2", "SHEETFORCE_INSECURE_LOCAL": "1",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "Q_WORKERS": "2"}
    os.environ.update(env)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)

    import django

    django.setup()
    from django_q.models import Schedule

    from sandbox.runner import start_sandbox
    from tests.runs.realtime.world import account_workflow, connected_alice

    Schedule.objects.all().delete()  # polling disabled: only events trigger runs
    box = start_sandbox(state_dir=None, seed="empty")
    processes: list[subprocess.Popen] = []
    try:
        alice, install = connected_alice(box)
        [record_id] = box.salesforce.insert("Account", [{"Name": "Bench", "Phone": "0"}],
                                            user="alice@example.com")
        workflow, columns = account_workflow(box, alice, install)
        logs = {name: open(work / f"{name}.log", "w") for name in  # noqa: SIM115
                ("qcluster", "runserver", "listener")}
        for name, command in (
            ("runserver", [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"]),
            ("qcluster", [*manage, "qcluster"]),
            ("listener", [*manage, "listen_changes", "--poll-timeout", "10"]),
        ):
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name],
                                              stderr=subprocess.STDOUT,
                                              start_new_session=True))
        # The first run (requested by hand, executed by the cluster) adds the row; the
        # listener's first reconcile creates and verifies the webhook.
        from runs.realtime.models import WebhookSubscription
        from runs.services import run_request

        run_request(workflow=workflow, trigger="manual")
        phone = columns["Phone"]
        if not _wait(lambda: _cell(box, workflow.sheet_id, phone) == "0", 60):
            raise SystemExit("the first run did not fill the sheet; see " + str(work))
        if not _wait(lambda: WebhookSubscription.objects.filter(
                workflow=workflow, status="ENABLED").exists(), 60, 0.2):
            raise SystemExit("the webhook was not verified; see " + str(work))
        time.sleep(3)  # the listener's subscription is in place after its first session
        row_id = box.smartsheet.sheets[workflow.sheet_id].rows[0].id

        latencies, missed = [], 0
        for i in range(args.changes):
            value = f"{i + 1:04d}"
            started = time.monotonic()
            if i % 2 == 0:
                box.salesforce.update("Account", [{"Id": record_id, "Phone": value}],
                                      user="alice@example.com")
                seen = _wait(lambda v=value: _cell(box, workflow.sheet_id, phone) == v,
                             args.timeout)
            else:
                box.smartsheet.edit_cells(sheet_id=workflow.sheet_id, email="ada@example.com",
                                          rows=[{"id": row_id, "cells": [
                                              {"columnId": phone, "value": value}]}])
                seen = _wait(lambda v=value: box.salesforce.store.records["Account"]
                             [record_id]["Phone"] == v, args.timeout)
            if seen:
                latencies.append(time.monotonic() - started)
            else:
                missed += 1
            # A person does not edit the same cell on both sides within a second; and
            # the engine's echo must settle before the other side's edit.
            time.sleep(0.3)
        from runs.models import Run

        ordered = sorted(latencies)
        report = {
            "scenario": "realtime", "changes": args.changes, "missed": missed,
            "p50_s": round(statistics.median(ordered), 3) if ordered else None,
            "p95_s": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3) if ordered else None,
            "max_s": round(ordered[-1], 3) if ordered else None,
            "runs": Run.objects.filter(workflow=workflow).count(),
            "target_p95_s": 5.0,
        }
        report["ok"] = bool(ordered) and missed == 0 and report["p95_s"] < 5.0
        print(json.dumps(report))
        return report
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        box.stop()


if __name__ == "__main__":
    main()
