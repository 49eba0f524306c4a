"""The Django side of a benchmark: a throwaway database, the owner, install, workflow.

Runs in the harness's parent process after :func:`django_setup`; the measuring child
opens the same SQLite file. Nothing here talks to the services except through the
sandbox's info (URLs, CA bundle, the admin persona's tokens).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


def django_setup(env: dict[str, str]) -> None:
    """Point Django at the benchmark's own database and var dir, then set it up."""
    for key in ("DJANGO_SETTINGS_MODULE", "SHEETFORCE_VAR_DIR", "DATABASE_URL",
                "SHEETFORCE_ALLOWED_API_HOSTS"):
        os.environ[key] = env[key]
    import django

    django.setup()


def _migrations_key() -> str:
    """A digest of every migration file: a cached template is reused only while the
    schema it was built from is unchanged."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrate(db_path: Path) -> None:
    """Create the schema in ``db_path``, from a cached migrated copy when there is one.

    Migrating costs seconds of CPU per scenario; the template (in the system's temp
    directory, keyed by the migration files) makes the CI smoke affordable.
    """
    from django.core.management import call_command
    from django.db import connections

    template = Path(tempfile.gettempdir()) / f"sheetforce-bench-{_migrations_key()}.sqlite3"
    if template.exists():
        connections.close_all()
        shutil.copyfile(template, db_path)
        return
    call_command("migrate", verbosity=0, interactive=False)
    connections.close_all()  # checkpoints the WAL into the main file
    partial = template.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(db_path, partial)
    partial.replace(template)  # atomic: a parallel harness never reads half a file


@dataclass
class MappingDef:
    """One mapping to create: ``column_id`` None with ``new_column`` for a new sheet."""

    salesforce_field: str
    column_title: str
    direction: str
    column_id: int | None = None
    new_column: bool = False
    lookup_field: str = ""


def owner_with_connections(info: dict):
    """The workflow owner (a licensed Salesforce user) connected as the sandbox admin."""
    from accounts.models import Team, User
    from connector.models import Connection, Install, Service

    team = Team.objects.create(name="Bench")
    owner = User.objects.create(username="ada", email="ada@example.com", team=team,
                                licensed=True, salesforce_user=True)
    sf, ss = info["salesforce"], info["smartsheet"]
    install = Install.objects.create(
        team=team, name="Bench org", salesforce_login_url=sf["login_url"],
        salesforce_instance_url=sf["instance_url"], salesforce_client_id=sf["client_id"],
        salesforce_client_secret=sf["client_secret"], smartsheet_api_base=ss["api_base"],
        smartsheet_client_id=ss["client_id"], smartsheet_client_secret=ss["client_secret"],
        tls_ca_bundle=Path(sf["ca_bundle"]).read_text(), time_zone="UTC",
    )
    Connection.objects.create(user=owner, install=install, service=Service.SALESFORCE,
                              access_token=sf["access_token"],
                              refresh_token=sf.get("refresh_token", ""),
                              instance_url=sf["instance_url"], identity=sf["username"])
    Connection.objects.create(user=owner, install=install, service=Service.SMARTSHEET,
                              access_token=ss["access_token"], identity="ada@example.com")
    return owner, install


def workflow_make(*, owner, install, name: str, direction: str, sheet_id: int,
                  mappings: list[MappingDef], row_groups: list[dict] | None = None,
                  conflict_policy: str = "salesforce_wins", salesforce_object: str = "Account"):
    """Save a workflow as ``workflows.services.workflow_create`` would leave it (the
    live validation is not what is measured, so it is skipped)."""
    from workflows.models import Mapping, RowGroup, Workflow

    workflow = Workflow.objects.create(
        owner=owner, install=install, name=name, direction=direction, sheet_id=sheet_id,
        sheet_name=name, salesforce_object=salesforce_object, conflict_policy=conflict_policy)
    Mapping.objects.bulk_create([
        Mapping(workflow=workflow, position=k, salesforce_field=m.salesforce_field,
                column_id=m.column_id, column_title=m.column_title, new_column=m.new_column,
                direction=m.direction, lookup_field=m.lookup_field)
        for k, m in enumerate(mappings)
    ])
    RowGroup.objects.bulk_create([
        RowGroup(workflow=workflow, level=k, field=g.get("field", ""), value=g.get("value", ""))
        for k, g in enumerate(row_groups or [], start=1)
    ])
    return workflow


def run_start(workflow):
    """A Run already claimed (RUNNING), as ``runs.services`` hands it to the engine."""
    from django.utils import timezone

    from runs.models import Run, RunStatus, RunTrigger

    return Run.objects.create(workflow=workflow, trigger=RunTrigger.MANUAL,
                              status=RunStatus.RUNNING, started_at=timezone.now())


def run_finish(run, outcome=None) -> None:
    """Close a run the harness started (the engine never changes the status)."""
    from django.utils import timezone

    from runs.models import Run, RunStatus

    status = RunStatus.PARTIAL if run.errors_count else RunStatus.SUCCEEDED
    Run.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(),
        summary=outcome.summary if outcome is not None else {})


def sync_in_process(workflow) -> dict:
    """One unmeasured engine run in this process (a scenario's preparation)."""
    from runs.engine import sync_workflow

    run = run_start(workflow)
    outcome = sync_workflow(run=run)
    run.refresh_from_db()
    run_finish(run, outcome)
    return run_counts(run)


def run_counts(run) -> dict:
    fields = ("records_read", "rows_read", "rows_added", "rows_updated", "rows_moved",
              "rows_removed", "records_created", "records_updated", "unlinked",
              "conflicts_count", "errors_count", "salesforce_calls", "smartsheet_calls")
    return {f: getattr(run, f) for f in fields}
