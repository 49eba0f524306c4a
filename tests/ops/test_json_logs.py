"""LOG_FORMAT=json: one JSON object per line with time, level, logger and message; the
workflow and run ids on every record logged inside a run; no token or client secret,
even at DEBUG through a whole real sync against the sandbox."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from connector.models import Connection, Service
from connector.services import connection_create_from_token
from core.logs import JsonFormatter, RunContextFilter, log_context, logging_config
from runs.models import Run, RunStatus, RunTrigger
from runs.services import run_execute, run_request
from tests import factories, personas

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("tests.ops")


@pytest.fixture
def json_log():
    """Every record of every logger, at DEBUG, as LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RunContextFilter())
    root = logging.getLogger()
    # Louder than production on purpose: the HTTP loggers too (LOGGING keeps urllib3 at
    # WARNING).
    loggers = [root] + [logging.getLogger(name) for name in list(root.manager.loggerDict)]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)


def entries(stream: io.StringIO) -> list[dict]:
    lines = stream.getvalue().splitlines()
    assert lines
    return [json.loads(line) for line in lines]  # one object per line, every line


def test_it_writes_one_json_object_per_line_with_the_fields(json_log):
    log.warning("two\nlines and a quote \" and ünïcode")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    first, second = entries(json_log)[-2:]
    assert set(first) == {"time", "level", "logger", "message"}
    assert (first["level"], first["logger"]) == ("WARNING", "tests.ops")
    assert first["message"] == "two\nlines and a quote \" and ünïcode"
    assert first["time"].endswith("Z") and "T" in first["time"]
    assert second["message"] == "it failed"
    assert "ValueError: boom" in second["exception"]


def test_it_adds_the_ids_only_inside_their_context(json_log):
    log.info("before")
    with log_context(run=7) as ids:
        log.info("claimed")
        ids["workflow"] = 3
        log.info("syncing")
        with log_context(run=8):
            log.info("nested")
        log.info("back")
    log.info("after")
    got = [(e["message"], e.get("workflow"), e.get("run")) for e in entries(json_log)]
    assert got[-6:] == [("before", None, None), ("claimed", None, 7), ("syncing", 3, 7),
                        ("nested", 3, 8), ("back", 3, 7), ("after", None, None)]


def test_a_run_logs_with_its_workflow_and_run_ids(db, json_log, make_workflow):
    workflow = make_workflow()
    run = Run.objects.create(workflow=workflow, trigger=RunTrigger.MANUAL)

    def sync(*, run, dry_run, full, deadline):
        logging.getLogger("runs.engine").info("reading salesforce")
        return SimpleNamespace(summary={})

    assert run_execute(run_id=run.pk, sync=sync).outcome == "executed"
    log.info("outside")
    [inside] = [e for e in entries(json_log) if e["message"] == "reading salesforce"]
    assert (inside["workflow"], inside["run"]) == (workflow.pk, run.pk)
    assert "run" not in entries(json_log)[-1]


def test_the_settings_print_json_when_asked():
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG",
           "DJANGO_SETTINGS_MODULE": "sheetforce.settings"}
    code = ("import logging; from core.logs import log_context\n"
            "with log_context(workflow=5, run=9): logging.getLogger('runs').info('hello')")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120, check=True)
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"time": records[-1]["time"], "level": "INFO", "logger": "runs",
            "message": "hello", "workflow": 5, "run": 9} == records[-1]


def test_an_unknown_log_format_fails_loudly():
    env = {**os.environ, "LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "sheetforce.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json" in result.stderr
    with pytest.raises(ValueError):
        logging_config(fmt="xml")


def test_a_real_sync_logs_its_ids_and_never_a_secret(db, sandbox, json_log,
                                                     rotating_refresh_tokens):
    alice = personas.alice()
    install = factories.install(sandbox=sandbox)
    # Carol's own tokens: this test expires them (a refresh rotates both).
    sf_tokens = sandbox.salesforce.control("token", {"user": "carol"})
    ss = sandbox.info["smartsheet"]
    connection_create_from_token(user=alice, install=install, service=Service.SALESFORCE,
                                 access_token=sf_tokens["access_token"],
                                 refresh_token=sf_tokens["refresh_token"])
    connection_create_from_token(user=alice, install=install, service=Service.SMARTSHEET,
                                 access_token=ss["access_token"])
    tag = factories.unique("ops")
    sandbox.salesforce.insert("Account", [{"Name": f"Ops {i}", "AccountNumber": tag}
                                          for i in range(3)])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="carol@example.com", access_level="ADMIN")
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both"), ("AccountNumber", "Number", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    def execute() -> Run:
        run = run_request(workflow=workflow, trigger=RunTrigger.MANUAL)
        assert run_execute(run_id=run.pk).outcome == "executed"
        return Run.objects.get(pk=run.pk)

    first = execute()
    assert first.status == RunStatus.SUCCEEDED, first.message
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [{"toBottom": True, "cells": [
        {"columnId": columns["Name"], "value": "Ops new"},
        {"columnId": columns["Number"], "value": tag}]}])
    sandbox.salesforce.expire_tokens("carol")  # the next run refreshes and rotates
    second = execute()
    assert second.status == RunStatus.SUCCEEDED, second.message
    assert second.records_created == 1
    stored = Connection.objects.get(user=alice, service=Service.SALESFORCE)
    assert stored.refresh_token != sf_tokens["refresh_token"]

    text = json_log.getvalue()
    records = entries(json_log)
    assert {(e.get("workflow"), e.get("run")) for e in records} >= {
        (workflow.pk, first.pk), (workflow.pk, second.pk)}
    secrets = {
        "salesforce access token": sf_tokens["access_token"],
        "salesforce refresh token": sf_tokens["refresh_token"],
        "rotated access token": stored.access_token,
        "rotated refresh token": stored.refresh_token,
        "smartsheet access token": ss["access_token"],
        "salesforce client secret": install.salesforce_client_secret,
        "smartsheet client secret": install.smartsheet_client_secret,
    }
    assert all(len(value) >= 8 for value in secrets.values())
    assert [name for name, value in secrets.items() if value in text] == []
