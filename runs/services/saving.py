"""Saving a workflow and starting the sync it needs, in one service.

The web wizard, the REST API and the demo all save through :func:`workflow_save`: it
calls ``workflows.services`` to validate and write, then requests the run the saved
workflow needs — its first run, or (after an edit of what syncs) a run that reads
everything — so no interface decides that on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runs.models import Run, RunTrigger, SyncState
from runs.services.requests import RunRefused, run_request
from workflows.models import Workflow
from workflows.services import workflow_create, workflow_update
from workflows.spec import spec_from_workflow

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkflowSaved:
    """A saved workflow and the run started for it.

    ``run`` is None when no run was needed or the workflow cannot run now; then
    ``refusal`` says why it cannot (a disabled workflow, a paused install), fit to show.
    """

    workflow: Workflow
    created: bool
    run: Run | None = None
    refusal: str = ""


def workflow_save(
    *, user: User, workflow: Workflow | None = None, start_first_run: bool = True,
    **fields: Any,
) -> WorkflowSaved:
    """Create (``workflow`` None) or change a workflow, then request the run it needs.

    ``fields`` are :func:`workflows.services.workflow_create`'s arguments for a new
    workflow, or :func:`workflows.services.workflow_update`'s changes for an existing one.
    A new enabled workflow gets its first run unless ``start_first_run`` is false; an
    edit that changed what syncs (``WorkflowSpec.sync_key``) gets a run that applies the
    change to every record; a rename or a new polling interval runs nothing. Raises what
    the workflows services raise; a refused run leaves the workflow saved.
    """
    if workflow is None:
        saved = workflow_create(user=user, **fields)
        wanted = bool(start_first_run and saved.enabled)
        created = True
    else:
        saved = workflow_update(user=user, workflow=workflow, **fields)
        wanted = _sync_changed(saved)
        created = False
    if not wanted:
        return WorkflowSaved(workflow=saved, created=created)
    try:
        run = run_request(workflow=saved, trigger=RunTrigger.CREATED, user=user)
    except RunRefused as exc:
        log.info("run of saved workflow %s refused: %s", saved.pk, exc.message)
        return WorkflowSaved(workflow=saved, created=created, refusal=exc.message)
    return WorkflowSaved(workflow=saved, created=created, run=run)


def _sync_changed(workflow: Workflow) -> bool:
    """Whether an enabled, already synced workflow now syncs something else."""
    fresh = (Workflow.objects.prefetch_related("mappings", "filters", "row_groups")
             .filter(pk=workflow.pk).first())
    if fresh is None or not fresh.enabled:
        return False
    synced = (SyncState.objects.filter(workflow_id=fresh.pk)
              .values_list("synced_spec_key", flat=True).first())
    # Never synced yet: its first run is on its way and will read everything anyway.
    return bool(synced) and synced != spec_from_workflow(fresh).sync_key
