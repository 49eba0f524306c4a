"""``manage.py sandbox``: run the Salesforce and Smartsheet emulators in the foreground."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start the Salesforce and Smartsheet emulators (the sandbox) in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--salesforce-port", type=int, default=8443)
        parser.add_argument("--smartsheet-port", type=int, default=8444)
        parser.add_argument("--state-dir", default=None, help="Persist state here (default: memory).")
        parser.add_argument("--seed", choices=["demo", "empty"], default="empty")
        parser.add_argument("--info-file", default=None, help="Write connection details here as JSON.")
        parser.add_argument("--latency-ms", type=float, default=0.0)
        parser.add_argument(
            "--fault-rate", type=float, default=0.0,
            help="Inject transient faults (500/503/429, dropped connections) at this rate.",
        )
        parser.add_argument("--daily-api-limit", type=int, default=None)
        parser.add_argument("--save-every", type=float, default=5.0,
                            help="Seconds between state saves when --state-dir is set.")
        # The real services' behaviour is the default; these relax it, explicitly.
        parser.add_argument(
            "--allow-insecure-callbacks", action="store_true",
            help="Let Smartsheet webhooks call http:// and loopback URLs (the local demo; the "
                 "real service wants public https on ports 443, 8000, 8008, 8080 or 8443).")
        parser.add_argument(
            "--webhook-delay", type=float, default=None, metavar="SECONDS",
            help="Smartsheet webhook batching delay (the real service: about 60 s).")
        parser.add_argument("--no-duplicate-rules", action="store_true",
                            help="Turn off the Salesforce org's standard duplicate rules.")
        parser.add_argument("--rotate-refresh-tokens", action="store_true",
                            help="Rotate Salesforce refresh tokens (a connected-app option).")

    def handle(self, *args, **options) -> None:
        from sandbox.runner import start_sandbox

        salesforce_options = {}
        if options["daily_api_limit"]:
            salesforce_options["daily_api_limit"] = options["daily_api_limit"]
        if options["no_duplicate_rules"]:
            salesforce_options["duplicate_rules"] = False
        if options["rotate_refresh_tokens"]:
            salesforce_options["rotate_refresh_tokens"] = True
        box = start_sandbox(
            host=options["host"],
            salesforce_port=options["salesforce_port"],
            smartsheet_port=options["smartsheet_port"],
            state_dir=options["state_dir"],
            seed=options["seed"],
            salesforce_options=salesforce_options,
            allow_insecure_callbacks=options["allow_insecure_callbacks"] or None,
            webhook_delay_seconds=options["webhook_delay"],
        )
        for service in ("salesforce", "smartsheet"):
            changes: dict = {"latency_ms": options["latency_ms"]}
            if options["fault_rate"]:
                rate = options["fault_rate"] / 4
                faults = {"http_500": rate, "http_503": rate, "drop": rate, "http_429": rate}
                changes["faults"] = faults
            box.control.configure(service, **changes)

        if options["info_file"]:
            path = Path(options["info_file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(box.info, indent=2))
            tmp.chmod(0o600)
            tmp.replace(path)  # atomic: a watcher never reads half a file

        self.stdout.write(f"Salesforce sandbox: {box.info['salesforce']['instance_url']}")
        self.stdout.write(f"Smartsheet sandbox: {box.info['smartsheet']['api_base']}")
        self.stdout.write(f"Control:            {box.info['control_url']}")
        self.stdout.flush()

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        persistent = options["state_dir"] is not None
        while not stop.wait(options["save_every"] if persistent else 3600):
            if persistent:
                box.save()
        box.stop()
        self.stdout.write("Sandbox stopped.")
