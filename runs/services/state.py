"""Per-workflow scheduler state (``SyncState``): fetching it safely under concurrency."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from runs.models import SyncState


def sync_state_get_or_create(*, workflow_id: int, lock: bool = False) -> SyncState:
    """The workflow's SyncState, created on first use.

    Two workers may both try to create it; the one-to-one constraint lets only one win
    and the loser reads the winner's row. With ``lock=True`` (inside a transaction) the row
    is locked with SELECT ... FOR UPDATE on databases that support it; on SQLite the
    IMMEDIATE transaction mode already serialises writers.
    """
    queryset = SyncState.objects.select_for_update() if lock else SyncState.objects
    state = queryset.filter(workflow_id=workflow_id).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            SyncState.objects.create(workflow_id=workflow_id)
    except IntegrityError:
        pass
    return queryset.get(workflow_id=workflow_id)
