"""``manage.py run_workflow <id> [--dry-run] [--full]``: one run, in this process."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from runs.engine import SyncFailed, preview
from runs.models import RunStatus, RunTrigger
from runs.selectors import open_errors_of_workflow
from runs.services import RunRefused, run_execute_now
from workflows.models import Workflow
from workflows.spec import spec_from_workflow


class Command(BaseCommand):
    help = (
        "Run one workflow now, synchronously, and print its summary — taking over its "
        "queued run if one waits for a worker. --dry-run prints what a run would change "
        "and writes nothing. Exits non-zero when the run failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("workflow_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="Preview; change nothing.")
        parser.add_argument("--full", action="store_true", help="Full reconciliation.")

    def handle(self, *args, workflow_id: int, dry_run: bool, full: bool, **options) -> None:

        workflow = Workflow.objects.select_related("owner", "install").filter(pk=workflow_id).first()
        if workflow is None:
            raise CommandError(f"No workflow {workflow_id}.")
        if dry_run:
            self._preview(workflow)
            return
        try:
            run = run_execute_now(workflow=workflow, trigger=RunTrigger.COMMAND, full=full)
        except RunRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(_run_report(run), indent=2, default=str))
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.message}")

    def _preview(self, workflow) -> None:

        try:
            summary = preview(spec_from_workflow(workflow), user=workflow.owner, workflow=workflow)
        except SyncFailed as exc:
            raise CommandError(str(getattr(exc, "message", "") or exc)) from exc
        self.stdout.write(json.dumps(summary, indent=2, default=str))


def _run_report(run) -> dict:
    counts = (
        "records_read", "rows_read", "rows_added", "rows_updated", "rows_moved", "rows_removed",
        "records_created", "records_updated", "unlinked", "conflicts_count", "errors_count",
        "salesforce_calls", "smartsheet_calls",
    )
    return {
        "run": run.pk,
        "workflow": run.workflow_id,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "open_errors": open_errors_of_workflow(workflow=run.workflow).count(),
        "message": run.message,
        "duration_seconds": run.duration_seconds,
        **{name: getattr(run, name) for name in counts},
        "salesforce_api_usage": run.salesforce_api_usage,
        "summary": run.summary,
    }
