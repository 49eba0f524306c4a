"""Tests that start real ``qcluster`` processes never overlap, whatever worker of a
parallel run they land on: they share Redis (the broker's queue, the budgets' keys) and
two cores. The ``xdist_group("qcluster")`` mark asks pytest-xdist for that, but a lock
is what guarantees it."""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _one_qcluster_test_at_a_time(request):
    marker = request.node.get_closest_marker("xdist_group")
    if marker is None or marker.args[:1] != ("qcluster",):
        yield
        return
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "single")
    path = Path(tempfile.gettempdir()) / f"sheetforce-qcluster-{run}.lock"
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for the other worker's cluster test
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
