"""The ``sandbox`` command: both emulators in the foreground, the info file, the control."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
import smartsheet
from simple_salesforce import Salesforce

ROOT = Path(__file__).resolve().parents[3]


def _start(tmp_path, *extra):
    info = tmp_path / "info.json"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "sandbox", "--salesforce-port", "0",
         "--smartsheet-port", "0", "--info-file", str(info), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while not info.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "sandbox did not write its info file"
        time.sleep(0.1)
    return proc, json.loads(info.read_text())


def _stop(proc):
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    return proc.returncode


def _salesforce(info):
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE must not override our CA
    session.verify = info["ca_bundle"]
    return Salesforce(instance_url=info["instance_url"], session_id=info["access_token"],
                      session=session)


def test_it_writes_the_info_file_with_exactly_the_published_keys(tmp_path):
    proc, info = _start(tmp_path)
    try:
        assert set(info) == {"salesforce", "smartsheet", "control_url"}
        assert set(info["salesforce"]) == {
            "instance_url", "login_url", "ca_bundle", "access_token", "refresh_token",
            "client_id", "client_secret", "username", "password"}
        assert set(info["smartsheet"]) == {"api_base", "access_token", "client_id", "client_secret"}
        assert info["salesforce"]["instance_url"].startswith("https://127.0.0.1:")
        assert info["smartsheet"]["api_base"].endswith("/2.0")
        assert Path(info["salesforce"]["ca_bundle"]).is_absolute()
        assert oct(os.stat(tmp_path / "info.json").st_mode & 0o777) == "0o600"

        # Both services answer the real SDKs, and the control endpoint counts their calls.
        requests.post(info["control_url"] + "/counts/reset", timeout=5)
        sf = _salesforce(info["salesforce"])
        assert sf.query("SELECT COUNT() FROM User")["totalSize"] >= 1
        client = smartsheet.Smartsheet(info["smartsheet"]["access_token"],
                                       api_base=info["smartsheet"]["api_base"])
        client.errors_as_exceptions(True)
        assert client.Users.get_current_user().email == "ada@example.com"
        counts = requests.get(info["control_url"] + "/counts", timeout=5).json()
        assert counts["salesforce"]["total"] == 1 and counts["smartsheet"]["total"] == 1
    finally:
        assert _stop(proc) == 0


def test_it_keeps_its_state_and_its_ca_across_restarts(tmp_path):
    state = tmp_path / "state"
    proc, info = _start(tmp_path, "--state-dir", str(state), "--seed", "demo")
    try:
        sf = _salesforce(info["salesforce"])
        created = sf.Account.create({"Name": "Survives restarts"})
        ca_before = Path(info["salesforce"]["ca_bundle"]).read_text()
    finally:
        assert _stop(proc) == 0
    (tmp_path / "info.json").unlink()
    proc, info = _start(tmp_path, "--state-dir", str(state), "--seed", "demo")
    try:
        assert Path(info["salesforce"]["ca_bundle"]).read_text() == ca_before
        sf = _salesforce(info["salesforce"])
        assert sf.Account.get(created["id"])["Name"] == "Survives restarts"
    finally:
        assert _stop(proc) == 0
