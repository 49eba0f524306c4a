"""Real-time latency, per direction: ``python -m bench.realtime``.

With polling disabled (no django-q2 schedules), measures how long a change made in one
service takes to be visible in the other, alternating a person's edit in Salesforce and
a person's edit in the sheet, in two phases:

- *instant*: Smartsheet callbacks sent at once (``--changes`` edits, default 100) — the
  product's own latency: Salesforce change events, the debounce, the run;
- *batched*: callbacks batched as the real Smartsheet does, ``--webhook-delay`` seconds
  (default 60) after the last change (``--batched-changes`` edits, default 4: each sheet
  edit waits the delay). Salesforce change events arrive in seconds either way.

Everything real: the sandbox (in this process, calling webhooks back over plain http on
loopback: ``allow_insecure_callbacks``, and the product's
``SHEETFORCE_ALLOW_INSECURE_CALLBACKS``), a ``manage.py qcluster``, a ``manage.py
runserver`` receiving the callbacks (``PUBLIC_BASE_URL`` pointing at it) and ``manage.py
listen_changes``, on a temporary SQLite database. Prints JSON with p50/p95/max per
direction and phase. Targets: p95 under 5 s, plus the delay for sheet edits when batched.
"""

from __future__ import annotations

import argparse
import json
import math
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
TO_SHEET = "salesforce_to_smartsheet"
TO_SALESFORCE = "smartsheet_to_salesforce"
#: Seconds a change may take on top of what the webhook batching adds.
TARGET_P95_S = 5.0


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


def _stats(latencies: list[float], missed: int) -> dict:
    ordered = sorted(latencies)
    return {
        "changes": len(ordered) + missed, "missed": missed,
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        # Nearest rank: the smallest latency at least 95 % of the changes did not exceed.
        "p95_s": round(ordered[math.ceil(len(ordered) * 0.95) - 1], 3) if ordered else None,
        "max_s": round(ordered[-1], 3) if ordered else None,
    }


class Changes:
    """Alternating edits of one Account's Phone on each side, each timed until the other
    side shows it."""

    def __init__(self, box, *, workflow, record_id: str, phone_column: int, row_id: int
                 ) -> None:
        self.box = box
        self.sheet_id = workflow.sheet_id
        self.record_id = record_id
        self.phone = phone_column
        self.row_id = row_id
        self.count = 0

    def measure(self, changes: int, *, timeout: float) -> dict[str, dict]:
        latencies: dict[str, list[float]] = {TO_SHEET: [], TO_SALESFORCE: []}
        missed = {TO_SHEET: 0, TO_SALESFORCE: 0}
        for i in range(changes):
            self.count += 1
            value = f"{self.count:04d}"
            direction = TO_SHEET if i % 2 == 0 else TO_SALESFORCE
            started = time.monotonic()
            if direction == TO_SHEET:
                self.box.salesforce.update("Account", [{"Id": self.record_id, "Phone": value}],
                                           user="alice@example.com")
                seen = _wait(lambda v=value: _cell(self.box, self.sheet_id, self.phone) == v,
                             timeout)
            else:
                self.box.smartsheet.edit_cells(
                    sheet_id=self.sheet_id, email="ada@example.com",
                    rows=[{"id": self.row_id,
                           "cells": [{"columnId": self.phone, "value": value}]}])
                seen = _wait(lambda v=value: self.box.salesforce.store.records["Account"]
                             [self.record_id]["Phone"] == v, timeout)
            if seen:
                latencies[direction].append(time.monotonic() - started)
            else:
                missed[direction] += 1
            # A person does not edit the same cell on both sides within a second; and
            # the engine's echo must settle before the other side's edit.
            time.sleep(0.3)
        return {d: _stats(latencies[d], missed[d]) for d in (TO_SHEET, TO_SALESFORCE)}


def _judge(report: dict, webhook_delay: float) -> bool:
    ok = True
    for direction in (TO_SHEET, TO_SALESFORCE):
        for phase, stats in report[direction].items():
            if not stats["changes"]:
                continue
            allowed = TARGET_P95_S + (webhook_delay if phase == "batched"
                                      and direction == TO_SALESFORCE else 0)
            ok = ok and stats["missed"] == 0 and stats["p95_s"] is not None and (
                stats["p95_s"] < allowed)
    return ok


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.realtime")
    parser.add_argument("--changes", type=int, default=100,
                        help="Edits with instant webhook callbacks (half on each side).")
    parser.add_argument("--batched-changes", type=int, default=4,
                        help="Edits with callbacks batched as Smartsheet does (half on each "
                             "side; each sheet edit waits --webhook-delay).")
    parser.add_argument("--webhook-delay", type=float, default=60.0, metavar="SECONDS",
                        help="Smartsheet's callback batching delay (the real service: about "
                             "60 s).")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="Give up on one change after this many seconds (plus the "
                             "webhook delay when batched).")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sheetforce.settings",
           "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "SHEETFORCE_VAR_DIR": str(work),
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SHEETFORCE_WEBHOOKS_ENABLED": "true",
           # The sandbox calls the runserver back over plain http on loopback, which the
           # real Smartsheet refuses: the product may ask it to here.
           "SHEETFORCE_ALLOW_INSECURE_CALLBACKS": "true",
           "SHEETFORCE_REALTIME_RECONCILE_SECONDS": "2", "SHEETFORCE_INSECURE_LOCAL": "1",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "Q_WORKERS": "2"}
    os.environ.update(env)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)

    import django

    django.setup()
    from django.conf import settings
    from django_q.models import Schedule

    from sandbox.runner import start_sandbox
    from sheetforce.demo import sandbox_host_entries
    from tests.runs.realtime.world import account_workflow, connected_alice

    Schedule.objects.all().delete()  # polling disabled: only events trigger runs
    box = start_sandbox(state_dir=None, seed="empty", allow_insecure_callbacks=True,
                        webhook_delay_seconds=0)
    # The connector may call this sandbox, here and in the processes started next.
    allowed = [*settings.SHEETFORCE_ALLOWED_API_HOSTS, *sandbox_host_entries(box.info)]
    settings.SHEETFORCE_ALLOWED_API_HOSTS = allowed
    env["SHEETFORCE_ALLOWED_API_HOSTS"] = ",".join(allowed)
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
        changes = Changes(box, workflow=workflow, record_id=record_id, phone_column=phone,
                          row_id=box.smartsheet.sheets[workflow.sheet_id].rows[0].id)

        instant = changes.measure(args.changes, timeout=args.timeout)
        # Callbacks of the last edits out of the way before the delay changes.
        _wait(lambda: box.smartsheet.deliverer.pending() == 0, args.timeout)
        box.smartsheet.configure_webhooks(delay_seconds=args.webhook_delay)
        batched = changes.measure(args.batched_changes,
                                  timeout=args.timeout + args.webhook_delay)
        from runs.models import Run

        report = {
            "scenario": "realtime", "webhook_delay_s": args.webhook_delay,
            **{d: {"instant": instant[d], "batched": batched[d]}
               for d in (TO_SHEET, TO_SALESFORCE)},
            "runs": Run.objects.filter(workflow=workflow).count(),
            "target_p95_s": TARGET_P95_S,
        }
        report["ok"] = _judge(report, args.webhook_delay)
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
