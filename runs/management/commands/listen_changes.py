"""``manage.py listen_changes``: the real-time service (Salesforce change events, and
Smartsheet webhook upkeep). Runs until SIGTERM / SIGINT."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from runs.realtime.listener import ChangeListener


class Command(BaseCommand):
    help = ("Listen to Salesforce change events and request runs of the affected workflows; "
            "keep the Smartsheet webhooks of enabled workflows in place.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--poll-timeout", type=float, default=25.0,
                            help="Seconds one CometD long poll may wait (default 25).")
        parser.add_argument("--reconcile-seconds", type=float, default=None,
                            help="How often workflows and webhooks are re-checked "
                                 "(default SHEETFORCE_REALTIME_RECONCILE_SECONDS or 60).")
        parser.add_argument("--no-webhooks", action="store_true",
                            help="Do not create or repair Smartsheet webhooks.")

    def handle(self, *args, **options) -> None:
        listener = ChangeListener(poll_timeout=options["poll_timeout"],
                                  reconcile_seconds=options["reconcile_seconds"],
                                  webhooks=not options["no_webhooks"])

        def stop(signum, frame) -> None:
            listener.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("listening for changes (Ctrl-C to stop)")
        listener.run_forever()
        self.stdout.write("stopped")
