"""Keeping ``RunTally`` — the totals behind /metrics' counters — as runs end."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from runs.models import DURATION_BUCKETS, Run, RunTally


def run_tally_add(*, run_id: int, status: str) -> None:
    """Add run ``run_id``, which just ended with ``status``, to that status's totals.

    Called by ``run_transition`` inside the transaction of the run's last transition:
    the run counts once, or not at all if that transaction rolls back. Reads the run's
    stored calls and times (one query) and adds them in one conditional UPDATE of F()
    increments, so concurrent workers never lose each other's additions.
    """
    row = (Run.objects.filter(pk=run_id)
           .values("started_at", "finished_at", "salesforce_calls", "smartsheet_calls")
           .first())
    if row is None:
        return
    increments = {
        "runs": F("runs") + 1,
        "salesforce_calls": F("salesforce_calls") + row["salesforce_calls"],
        "smartsheet_calls": F("smartsheet_calls") + row["smartsheet_calls"],
    }
    if row["started_at"] and row["finished_at"]:
        seconds = max(0.0, (row["finished_at"] - row["started_at"]).total_seconds())
        increments["timed"] = F("timed") + 1
        increments["duration_seconds"] = F("duration_seconds") + seconds
        for bound in DURATION_BUCKETS:
            if seconds <= bound:
                increments[f"le_{bound}"] = F(f"le_{bound}") + 1
    if RunTally.objects.filter(status=status).update(**increments):
        return
    # The first run to end with this status: make the row (a racing worker may make it
    # first), then add.
    try:
        with transaction.atomic():
            RunTally.objects.create(status=status)
    except IntegrityError:
        pass
    RunTally.objects.filter(status=status).update(**increments)
