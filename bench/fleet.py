"""The fleet benchmark: many small workflows, few owners, real ``qcluster`` workers.

    python -m bench fleet --workflows N --owners K --interval M --minutes T [--workers W]

1. Starts the sandbox (Smartsheet's real 300 requests a minute per token) and a database
   of its own: a fresh PostgreSQL database when ``DATABASE_URL`` names a PostgreSQL
   server, else a SQLite file; Redis (budgets and broker) when ``REDIS_URL`` is set.
2. Creates N workflows (two records each, directions in turn to Smartsheet, both ways,
   to Salesforce) owned by K users — each user one sandbox persona, one Smartsheet token.
3. Syncs each once in this process (the fleet exists already: its first syncs are not
   what is measured) and spreads their last polls over one interval, as a fleet that has
   been running looks.
4. Starts W ``qcluster`` processes and lets the scheduler run for T minutes, with a
   trickle of changes on both sides.
5. Prints one JSON line: polls done and due, lag behind schedule, the ticks' time and
   queries, one poll's overhead outside the engine, API calls per service and per token
   per minute (at most, from the sandbox's own counts), rate-limit answers, failed runs.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.fleet_measure import fleet_polls, percentile, poll_overhead
from bench.sandbox_process import ROOT, SandboxProcess, admit_sandbox, child_env

SMARTSHEET_LIMIT = 300
DIRECTIONS = ("to_smartsheet", "bidirectional", "to_salesforce")
MAPPING_DIRECTION = {"to_smartsheet": "to_smartsheet", "bidirectional": "both",
                     "to_salesforce": "to_salesforce"}
TRICKLE_SECONDS = 10


class Workers:
    """``count`` ``manage.py qcluster`` processes, stopped on exit."""

    def __init__(self, env: dict, count: int, log_dir: Path) -> None:
        self.env, self.count, self.log_dir = env, count, log_dir
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Workers:
        for n in range(self.count):
            log = open(self.log_dir / f"qcluster-{n}.log", "w")  # noqa: SIM115
            self.processes.append(subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            # Children that outlived their leader go too (they would keep taking tasks).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)


def _scratch_postgres(server_url: str) -> tuple[str, callable]:
    """A fresh database on ``server_url``'s server, and how to drop it."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"sheetforce_fleet_{uuid.uuid4().hex[:10]}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def _smartsheet(info: dict, token: str, method: str, path: str, body=None) -> dict:
    response = requests.request(method, f"{info['smartsheet']['api_base']}{path}", json=body,
                                headers={"Authorization": f"Bearer {token}"}, timeout=60)
    response.raise_for_status()
    return response.json()


def _build(sandbox: SandboxProcess, *, workflows: int, owners: int, interval: int) -> dict:
    """Owners, one install, and ``workflows`` workflows with their sheets and records."""
    from accounts.models import Team, User
    from connector.models import Connection, Install, Service
    from workflows.models import Filter, Mapping, Workflow

    info = sandbox.info
    sf, ss = info["salesforce"], info["smartsheet"]
    tokens = sandbox.control("smartsheet/tokens", {})
    emails = list(tokens)[:owners]
    if len(emails) < owners:
        raise ValueError(f"the sandbox has {len(tokens)} Smartsheet personas: --owners "
                         f"{owners} is too many")
    team = Team.objects.create(name="Fleet")
    install = Install.objects.create(
        team=team, name="Fleet org", salesforce_login_url=sf["login_url"],
        salesforce_instance_url=sf["instance_url"], salesforce_client_id=sf["client_id"],
        salesforce_client_secret=sf["client_secret"], smartsheet_api_base=ss["api_base"],
        smartsheet_client_id=ss["client_id"], smartsheet_client_secret=ss["client_secret"],
        tls_ca_bundle=Path(sf["ca_bundle"]).read_text(), time_zone="UTC",
        polling_interval_minutes=1)
    users = []
    for k, email in enumerate(emails):
        user = User.objects.create(username=f"owner{k}", email=f"owner{k}@example.com",
                                   team=team, licensed=True, salesforce_user=True)
        Connection.objects.create(user=user, install=install, service=Service.SALESFORCE,
                                  access_token=sf["access_token"],
                                  refresh_token=sf.get("refresh_token", ""),
                                  instance_url=sf["instance_url"], identity=sf["username"])
        Connection.objects.create(user=user, install=install, service=Service.SMARTSHEET,
                                  access_token=tokens[email], identity=email)
        users.append((user, email, tokens[email]))
    run_id = uuid.uuid4().hex[:6]
    records, made = [], []
    for n in range(workflows):
        direction = DIRECTIONS[n % len(DIRECTIONS)]
        prefix = f"F{run_id}-{n:05d}-"
        user, email, token = users[n % owners]
        sheet = _smartsheet(info, token, "POST", "/sheets", {"name": f"Fleet {prefix}", "columns": [
            {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
            {"title": "Industry", "type": "TEXT_NUMBER"}]})["result"]
        columns = {c["title"]: c["id"] for c in sheet["columns"]}
        if direction == "to_salesforce":
            _smartsheet(info, token, "POST", f"/sheets/{sheet['id']}/rows", [
                {"toBottom": True, "cells": [
                    {"columnId": columns["Account Name"], "value": f"{prefix}{i}"},
                    {"columnId": columns["Industry"], "value": "Energy"}]} for i in range(2)])
        else:
            records += [{"Name": f"{prefix}{i}", "Industry": "Energy"} for i in range(2)]
        workflow = Workflow.objects.create(
            owner=user, install=install, name=f"Fleet {prefix}", direction=direction,
            sheet_id=sheet["id"], sheet_name=sheet["name"], salesforce_object="Account",
            conflict_policy="salesforce_wins", polling_interval_minutes=interval)
        Mapping.objects.bulk_create([
            Mapping(workflow=workflow, position=k, salesforce_field=field, column_title=title,
                    column_id=columns[title], direction=MAPPING_DIRECTION[direction])
            for k, (field, title) in enumerate((("Name", "Account Name"),
                                                ("Industry", "Industry")))])
        Filter.objects.create(workflow=workflow, side="salesforce", field="Name",
                              operator="starts_with", value=prefix)
        made.append({"id": workflow.pk, "sheet_id": sheet["id"], "email": email,
                     "token": token, "direction": direction, "columns": columns})
    ids = sandbox.salesforce_insert("Account", records) if records else []
    return {"workflows": made, "record_ids": ids}


def _warm_up(world: dict) -> float:
    """Each workflow's first sync, here (seconds it took)."""
    from django.conf import settings

    from runs.models import RunTrigger
    from runs.services import run_execute_now
    from workflows.models import Workflow

    began = time.perf_counter()
    # The first syncs are preparation: this process ignores the budgets (the sandbox's
    # limit is lifted meanwhile).
    settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE = settings.RATE_BUDGET_SALESFORCE_PER_MINUTE = 0
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    def first_sync(item: dict) -> None:
        try:
            run_execute_now(workflow=Workflow.objects.get(pk=item["id"]),
                            trigger=RunTrigger.COMMAND)
        finally:
            if threads > 1:
                connections.close_all()

    # PostgreSQL takes several writers at once; SQLite one.
    threads = 4 if connection.vendor == "postgresql" else 1
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(first_sync, world["workflows"]))
    return round(time.perf_counter() - began, 1)


def _spread(world: dict, *, interval: int, start: float) -> None:
    """Last polls spread over the interval before ``start``, as a running fleet has them:
    from ``start`` on, about N / interval workflows fall due each minute."""
    from datetime import UTC, datetime

    from runs.models import SyncState

    items = world["workflows"]
    for n, item in enumerate(items):
        last = start - interval * 60 + (n + 0.5) / len(items) * interval * 60
        item["last_poll"] = last
        SyncState.objects.filter(workflow_id=item["id"]).update(
            last_run_at=datetime.fromtimestamp(last, UTC))


def _trickle(sandbox: SandboxProcess, world: dict, rng: random.Random) -> None:
    """One change in Salesforce and one in a sheet, as people make them."""
    if world["record_ids"]:
        sandbox.salesforce_update("Account", [{"Id": rng.choice(world["record_ids"]),
                                               "Industry": f"Industry {rng.randint(1, 99)}"}])
    editable = [w for w in world["workflows"] if w["direction"] != "to_smartsheet"]
    if editable:
        item = rng.choice(editable)
        sheet = _smartsheet(sandbox.info, item["token"], "GET", f"/sheets/{item['sheet_id']}")
        if sheet.get("rows"):
            row = rng.choice(sheet["rows"])
            sandbox.smartsheet_edit_cells(sheet_id=item["sheet_id"], email=item["email"], rows=[
                {"id": row["id"], "cells": [{"columnId": item["columns"]["Industry"],
                                             "value": f"Edited {rng.randint(1, 99)}"}]}])


def _ticks_seen(ticks: dict) -> None:
    """Add the scheduler ticks' task results to ``ticks`` (django-q2 prunes old tasks)."""
    from django_q.models import Task

    for task in Task.objects.filter(func="runs.tasks.scheduler_tick").exclude(
            id__in=list(ticks)):
        if isinstance(task.result, dict):
            ticks[task.id] = task.result


def run_fleet(*, workflows: int, owners: int, interval: int, minutes: float,
              workers: int = 2, keep: bool = False, seed: int = 7) -> dict:
    """The benchmark (see the module docstring); its JSON line as a dict."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    env = child_env(workdir)
    env["LOG_LEVEL"] = "WARNING"
    drop = None
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"], drop = _scratch_postgres(server)
    rng = random.Random(seed)
    began = time.perf_counter()
    try:
        with SandboxProcess(workdir=workdir, env=env) as sandbox:
            admit_sandbox(env, sandbox.info)
            from bench.world import django_setup, migrate

            django_setup(env)
            if drop is None:
                migrate(workdir / "bench.sqlite3")
            else:
                from django.core.management import call_command

                call_command("migrate", verbosity=0, interactive=False)
            from django.db import connection
            from django.utils import timezone
            from django_q.models import Schedule

            from runs.models import Run, RunStatus
            from runs.scheduling import TICK_TASK, ensure_schedules

            sandbox.smartsheet_rate_limit(1_000_000)
            world = _build(sandbox, workflows=workflows, owners=owners, interval=interval)
            warm_up_s = _warm_up(world)
            Run.objects.all().delete()
            _spread(world, interval=interval, start=time.time() + 5)
            ensure_schedules()
            Schedule.objects.filter(func=TICK_TASK).update(next_run=timezone.now())
            sandbox.smartsheet_rate_limit(SMARTSHEET_LIMIT)  # the real limit, counts afresh
            sandbox.reset_counts()
            ticks: dict = {}
            with Workers(env, workers, workdir):
                start = time.time()
                end = start + minutes * 60
                while time.time() < end:
                    _trickle(sandbox, world, rng)
                    _ticks_seen(ticks)
                    time.sleep(max(0.0, min(TRICKLE_SECONDS, end - time.time())))
                end = time.time()
            connection.close()
            _ticks_seen(ticks)
            counts = sandbox.counts()
            smartsheet = sandbox.control("smartsheet/count", {})
            polls = fleet_polls(world, interval=interval, start=start, end=end)
            failed = list(Run.objects.filter(status=RunStatus.FAILED)
                          .values_list("message", flat=True))
            deferrals = sum(Run.objects.values_list("deferrals", flat=True))
            overhead = poll_overhead(world)
    finally:
        if drop is not None:
            drop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    tick_list = [ticks[k] for k in sorted(ticks)]
    limit_failures = [m for m in failed if "limit" in m.lower()]
    return {
        "scenario": "fleet", "workflows": workflows, "owners": owners,
        "interval_min": interval, "minutes": minutes, "workers": workers,
        "q_workers": int(env.get("Q_WORKERS", "2")),
        "database": "postgresql" if drop is not None else "sqlite",
        "broker": "redis" if env.get("REDIS_URL") else "orm",
        "polls": polls,
        "ticks": {"count": len(tick_list),
                  "seconds_max": max((t["seconds"] for t in tick_list), default=None),
                  "seconds_p50": percentile([t["seconds"] for t in tick_list], 0.5),
                  "queries_max": max((t["queries"] for t in tick_list), default=None),
                  "queued_max": max((t["queued"] for t in tick_list), default=None)},
        "poll_overhead": overhead,
        "api_calls": {s: counts[s]["total"] for s in ("salesforce", "smartsheet")},
        "per_minute_max": {"smartsheet_per_token": smartsheet["rate_peak_per_token"],
                           "smartsheet_tokens": len(smartsheet["rate_peaks"]),
                           "salesforce_org": counts["salesforce"]["peak_per_minute"]},
        "rate_limit_answers": {"smartsheet_4003": smartsheet["rate_limited"],
                               "salesforce_runs_failed_on_limit": len(limit_failures)},
        "deferrals": deferrals,
        "runs_failed": len(failed),
        "failures": sorted(set(failed))[:5],
        "warm_up_s": warm_up_s,
        "harness_s": round(time.perf_counter() - began, 1),
    }
