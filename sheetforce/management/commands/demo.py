"""``manage.py demo``: the whole product on embedded defaults, in one command.

Starts the sandbox (demo seed, state under ``var/``), registers it as two installs,
creates demo users whose connections are made through the sandbox's OAuth, creates the
example workflows, then runs the django-q2 cluster and the web server until Ctrl-C,
which stops every process it started. Running it again keeps the state.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from runs.scheduling import ensure_schedules
from sheetforce import demo as demo_setup


class Command(BaseCommand):
    help = "Set up and run the demo: sandbox, installs, users, workflows, worker and web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--salesforce-port", type=int, default=8443)
        parser.add_argument("--smartsheet-port", type=int, default=8444)
        parser.add_argument("--no-workflows", action="store_true",
                            help="Skip creating the example workflows.")

    def handle(self, *args, **options) -> None:
        self.children: list[subprocess.Popen] = []
        self.stopping = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        try:
            self._run(options)
        finally:
            self._stop_children()

    # -- steps -----------------------------------------------------------------------
    def _run(self, options) -> None:
        base_url = f"http://{options['host']}:{options['port']}"
        env = {
            **os.environ,
            "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", base_url),
            "SHEETFORCE_INSECURE_LOCAL": "1",
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update({k: env[k] for k in ("PUBLIC_BASE_URL", "SHEETFORCE_INSECURE_LOCAL")})
        settings.PUBLIC_BASE_URL = env["PUBLIC_BASE_URL"]

        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)

        state_dir = Path(settings.VAR_DIR) / "sandbox"
        info_file = state_dir / "info.json"
        info_file.unlink(missing_ok=True)
        self.stdout.write("Starting the sandbox (Salesforce and Smartsheet emulators)…")
        sandbox_args = [
            "sandbox", "--host", options["host"],
            "--salesforce-port", str(options["salesforce_port"]),
            "--smartsheet-port", str(options["smartsheet_port"]),
            "--state-dir", str(state_dir), "--seed", "demo", "--info-file", str(info_file),
        ]
        if demo_setup.webhooks_need_insecure_callbacks():
            sandbox_args.append("--allow-insecure-callbacks")
            env["SHEETFORCE_ALLOW_INSECURE_CALLBACKS"] = "true"
            self.stdout.write("Smartsheet webhooks call back plain http here (the sandbox "
                              "allows it; Smartsheet itself would not).")
        self._spawn("sandbox", sandbox_args, env)
        info = self._wait_for_info(info_file)
        # The outbound policy admits this sandbox, here and in every process started next.
        allowed = [*settings.SHEETFORCE_ALLOWED_API_HOSTS,
                   *demo_setup.sandbox_host_entries(info)]
        settings.SHEETFORCE_ALLOWED_API_HOSTS = allowed
        env["SHEETFORCE_ALLOWED_API_HOSTS"] = ",".join(allowed)

        users, installs = demo_setup.setup_base(info)
        self.stdout.write("Connecting the demo users through the sandbox's OAuth…")
        demo_setup.setup_connections(
            users=users, installs=installs, ca_bundle_path=info["salesforce"]["ca_bundle"],
            sandbox_password=info["salesforce"]["password"],
        )
        if not options["no_workflows"]:
            created = demo_setup.setup_workflows(users=users, installs=installs)
            for workflow in created:
                self.stdout.write(f"Created example workflow: {workflow.name}")
        ensure_schedules()

        self.stdout.write("Starting the django-q2 cluster and the web server…")
        self._spawn("worker", ["qcluster"], env)
        # Salesforce change events (CometD) and Smartsheet webhooks trigger runs within
        # seconds; polling stays on as the safety net.
        self._spawn("listener", ["listen_changes"], env)
        self._spawn("web", ["runserver", "--noreload", f"{options['host']}:{options['port']}"], env)
        self._wait_for_http(base_url + "/signin/")

        self.stdout.write(self.style.SUCCESS(f"\nsheetforce is running at {base_url}/"))
        self.stdout.write(f"  Admin console:   {base_url}/admin/")
        self.stdout.write(f"  API docs:        {base_url}/api/docs/")
        self.stdout.write(f"  Salesforce sandbox: {info['salesforce']['instance_url']}")
        self.stdout.write(f"  Smartsheet sandbox: {info['smartsheet']['api_base']}")
        self.stdout.write(f"\nDemo users (password: {demo_setup.DEMO_PASSWORD}):")
        for spec in demo_setup.DEMO_USERS:
            self.stdout.write(f"  {spec.username:<6} {spec.role}")
        self.stdout.write("\nPress Ctrl-C to stop.")
        self.stdout.flush()

        while not self.stopping:
            for child in self.children:
                if child.poll() is not None:
                    raise CommandError(f"{child.args[2]} stopped (exit {child.returncode}).")
            time.sleep(0.5)

    # -- processes -------------------------------------------------------------------
    def _spawn(self, name: str, manage_args: list[str], env: dict) -> None:
        manage = Path(settings.BASE_DIR) / "manage.py"
        child = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, str(manage), *manage_args], env=env,
            start_new_session=True,  # its own process group: Ctrl-C here stops it via us
        )
        self.children.append(child)

    def _on_signal(self, *_args) -> None:
        self.stopping = True

    def _stop_children(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if self.children:
            self.stdout.write("Stopped.")

    def _wait_for_info(self, info_file: Path, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if info_file.exists():
                return json.loads(info_file.read_text())
            if self.children[0].poll() is not None:
                raise CommandError("The sandbox failed to start.")
            time.sleep(0.1)
        raise CommandError("The sandbox did not start in time.")

    def _wait_for_http(self, url: str, timeout: float = 60) -> None:

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            try:
                if requests.get(url, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise CommandError(f"The web server did not answer at {url}.")
