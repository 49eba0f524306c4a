"""The run state machine: every status change is a conditional update.

``Run.objects.filter(pk=..., status=FROM).update(status=TO)`` changes one row only when
the run is still in ``FROM``; a zero row count means another worker (or the stale-run
reaper) got there first, and the caller must not act as if it owned the run.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from runs.models import FINISHED_STATUSES, TRANSITIONS, Run, RunStatus
from runs.services.tally import run_tally_add


class InvalidTransition(ValueError):
    """A transition the state machine does not allow (a bug in the caller)."""


def run_transition(*, run: Run, from_status: str, to_status: str, **fields) -> bool:
    """Move ``run`` from ``from_status`` to ``to_status`` if it is still in ``from_status``.

    Extra ``fields`` are written in the same UPDATE. Finishing statuses stamp
    ``finished_at`` unless given and add the run to its ``RunTally`` in the same
    transaction. Returns True when this call made the change (and updates
    the in-memory ``run``), False when the run was no longer in ``from_status``.
    Raises :class:`InvalidTransition` for a transition :data:`TRANSITIONS` forbids.
    """
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise InvalidTransition(f"A run cannot go from {from_status} to {to_status}.")
    if to_status in FINISHED_STATUSES:
        fields.setdefault("finished_at", timezone.now())
    if to_status == RunStatus.RUNNING:
        fields.setdefault("started_at", timezone.now())
    # No savepoint inside a caller's transaction: nothing here needs undoing on its own
    # (a refused transition changes nothing), and a savepoint is a round trip.
    with transaction.atomic(savepoint=False):
        changed = Run.objects.filter(pk=run.pk, status=from_status).update(
            status=to_status, **fields)
        if changed != 1:
            return False
        if to_status in FINISHED_STATUSES:
            # /metrics' counters: in this transaction, so the run counts exactly once.
            run_tally_add(run_id=run.pk, status=to_status)
    run.status = to_status
    for name, value in fields.items():
        setattr(run, name, value)
    return True
