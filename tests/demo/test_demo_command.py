"""``manage.py demo`` (what ``make demo`` runs), headless: it serves the sign-in page,
completes a first run of an example workflow, and Ctrl-C leaves nothing running."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _our_pids(var: Path) -> list[int]:
    """Processes whose environment names this demo's var dir: the demo and every child
    it started (they run in sessions of their own, so a process group would miss them)."""
    marker = f"SHEETFORCE_VAR_DIR={var}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _finished_runs(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=5) as conn:
        try:
            return conn.execute(
                "SELECT w.name, r.status, r.rows_added FROM runs_run r "
                "JOIN workflows_workflow w ON w.id = r.workflow_id "
                "WHERE r.status IN ('succeeded', 'partial', 'failed')").fetchall()
        except sqlite3.OperationalError:
            return []


def _start_demo(var: Path, ports: dict) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # The product's own settings, not the test suite's (tests/settings.py).
    env.update(DJANGO_SETTINGS_MODULE="sheetforce.settings", SHEETFORCE_VAR_DIR=str(var),
               PYTHONUNBUFFERED="1", PUBLIC_BASE_URL=f"http://127.0.0.1:{ports['web']}")
    log = open(var / "demo.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "demo", "--port", str(ports["web"]),
         "--salesforce-port", str(ports["sf"]), "--smartsheet-port", str(ports["ss"])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def _wait(predicate, timeout: float, proc: subprocess.Popen, var: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"demo exited ({proc.returncode}) before {what}:\n"
                        + (var / "demo.log").read_text()[-4000:])
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}:\n" + (var / "demo.log").read_text()[-4000:])


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal does
    proc.wait(timeout=60)


def test_it_runs_the_whole_product_and_stops_cleanly(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    assert _our_pids(var) == []
    ports = {"web": _free_port(), "sf": _free_port(), "ss": _free_port()}
    proc = _start_demo(var, ports)
    try:
        _wait(lambda: _listening(ports["web"]) and requests.get(
            f"http://127.0.0.1:{ports['web']}/signin/", timeout=5).status_code == 200,
              180, proc, var, "the sign-in page")
        runs = _wait(lambda: _finished_runs(var / "sheetforce.sqlite3"), 180, proc, var,
                     "a finished first run")
        # The demo prints its banner once it has seen the page answer itself; the
        # worker may finish the first run before that.
        log = _wait(lambda: (text := (var / "demo.log").read_text()) and
                    "Press Ctrl-C to stop." in text and text, 60, proc, var, "the banner")
        # The demo's own users (sheetforce/demo.py), not the test personas.
        assert "sheetforce-demo" in log and "alice" in log  # credentials printed
        assert any(status in ("succeeded", "partial") and added > 0
                   for _name, status, added in runs), runs
    finally:
        _stop(proc)
    assert proc.returncode == 0, (var / "demo.log").read_text()[-3000:]
    time.sleep(0.5)
    assert _our_pids(var) == [], "processes left running after Ctrl-C"
    assert not any(_listening(p) for p in ports.values())

    # Running it again keeps the state: same users, same workflows, no duplicates.
    proc = _start_demo(var, ports)
    try:
        _wait(lambda: _listening(ports["web"]), 180, proc, var, "the second start")
        with sqlite3.connect(var / "sheetforce.sqlite3") as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM workflows_workflow")]
        assert len(names) == len(set(names)) == 3
    finally:
        _stop(proc)
    assert _our_pids(var) == []
