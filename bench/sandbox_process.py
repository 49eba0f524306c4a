"""The benchmark's sandbox: both emulators in their own OS process, driven over HTTP.

The emulators run in a separate process (``manage.py sandbox``) so that the CPU time and
memory the harness measures are the connector's alone. Everything the harness does to
the sandbox goes through its control endpoint (``/__sandbox__``) or the public APIs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent


class SandboxProcess:
    """A running ``manage.py sandbox`` child; ``info`` is its info file (URLs, tokens).

    Use as a context manager: the child is stopped (SIGTERM, then SIGKILL) on exit.
    """

    def __init__(self, *, workdir: Path, env: dict[str, str], timeout: float = 60.0) -> None:
        self.workdir = workdir
        self.info_file = workdir / "sandbox-info.json"
        self.log_file = workdir / "sandbox.log"
        self._env = env
        self._timeout = timeout
        self.process: subprocess.Popen | None = None
        self.info: dict = {}
        self.http = requests.Session()

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        log = self.log_file.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "sandbox", "--salesforce-port", "0",
             "--smartsheet-port", "0", "--info-file", str(self.info_file)],
            cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self._timeout
        while not self.info_file.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited early; see {self.log_file}:\n"
                                   f"{self.log_file.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start within {self._timeout:.0f} s")
            time.sleep(0.05)
        self.info = json.loads(self.info_file.read_text())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    # -- control endpoint ------------------------------------------------------------
    @property
    def control_url(self) -> str:
        return self.info["control_url"]

    def control(self, path: str, payload: dict | None = None, *, method: str = "POST") -> Any:
        """Call ``{control_url}/{path}``; raise with the sandbox's message on a 4xx."""
        url = f"{self.control_url}/{path.lstrip('/')}"
        response = self.http.request(method, url, json=payload if method == "POST" else None,
                                     timeout=600)
        if response.status_code >= 400:
            raise RuntimeError(f"sandbox control {path}: {response.status_code} {response.text}")
        return response.json()

    def counts(self) -> dict:
        return self.control("counts", method="GET")

    def reset_counts(self) -> None:
        self.control("counts/reset")

    def set_latency(self, latency_ms: float) -> None:
        for service in ("salesforce", "smartsheet"):
            self.control("config", {"service": service, "latency_ms": float(latency_ms)})

    def advance_clock(self, seconds: float) -> None:
        self.control("clock", {"advance_seconds": float(seconds)})

    def salesforce_insert(self, object_name: str, records: list[dict],
                          chunk: int = 5000) -> list[str]:
        ids: list[str] = []
        for start in range(0, len(records), chunk):
            answer = self.control("salesforce/insert", {
                "object": object_name, "records": records[start:start + chunk]})
            ids.extend(answer["ids"])
        return ids

    def salesforce_update(self, object_name: str, records: list[dict]) -> None:
        self.control("salesforce/update", {"object": object_name, "records": records})

    def smartsheet_edit_cells(self, *, sheet_id: int, email: str, rows: list[dict]) -> None:
        self.control("smartsheet/edit_cells", {"sheet_id": sheet_id, "email": email,
                                               "rows": rows})

    def smartsheet_rate_limit(self, per_minute: int) -> None:
        self.control("smartsheet/rate_limit", {"per_minute": per_minute})

    # -- Smartsheet public API (setup only: seeding a sheet as its owner would) --------
    def _smartsheet(self, method: str, path: str, body: Any = None) -> Any:
        info = self.info["smartsheet"]
        response = self.http.request(
            method, f"{info['api_base']}{path}", json=body, timeout=600,
            headers={"Authorization": f"Bearer {info['access_token']}"})
        if response.status_code >= 400:
            raise RuntimeError(f"smartsheet {method} {path}: {response.status_code} "
                               f"{response.text[:500]}")
        return response.json()

    def smartsheet_create_sheet(self, name: str, columns: list[dict]) -> dict:
        """Create a sheet; its JSON with ``columns`` (ids by title via ``column_ids``)."""
        return self._smartsheet("POST", "/sheets", {"name": name, "columns": columns})["result"]

    def smartsheet_add_rows(self, sheet_id: int, rows: list[dict], chunk: int = 500) -> None:
        for start in range(0, len(rows), chunk):
            self._smartsheet("POST", f"/sheets/{sheet_id}/rows", rows[start:start + chunk])

    def smartsheet_get_sheet(self, sheet_id: int) -> dict:
        return self._smartsheet("GET", f"/sheets/{sheet_id}")


def column_ids(sheet: dict) -> dict[str, int]:
    """``{title: column id}`` of a sheet's JSON."""
    return {c["title"]: c["id"] for c in sheet.get("columns", [])}


def admit_sandbox(env: dict[str, str], info: dict) -> None:
    """Let the connector call this sandbox: its exact host:port entries become the
    outbound policy (``SHEETFORCE_ALLOWED_API_HOSTS``) in ``env`` and in this process's
    environment, before Django reads its settings (as the demo and the tests do). A
    benchmark calls nothing else."""
    salesforce = urlsplit(info["salesforce"]["instance_url"])
    smartsheet = urlsplit(info["smartsheet"]["api_base"])
    current = env.get("SHEETFORCE_ALLOWED_API_HOSTS")
    entries = current.split(",") if current else []
    entries += [f"{salesforce.hostname}:{salesforce.port}",
                f"http://{smartsheet.hostname}:{smartsheet.port}"]
    env["SHEETFORCE_ALLOWED_API_HOSTS"] = os.environ["SHEETFORCE_ALLOWED_API_HOSTS"] = \
        ",".join(entries)


def child_env(workdir: Path) -> dict[str, str]:
    """Environment of every process of one benchmark: its own SQLite file and var dir."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "sheetforce.settings",
        "SHEETFORCE_VAR_DIR": str(workdir / "var"),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    })
    return env
