"""Pausing the cyclic garbage collector during the engine's bulk phases.

Reading, planning and applying 10,000 records create hundreds of thousands of small,
acyclic containers (flat records, cells, snapshots) that live until the phase ends.
CPython's generational collector, triggered by allocation counts, then rescans the
growing heap again and again: measured, a third of an initial sync's CPU. These objects
are freed by reference counting anyway; the few reference cycles made meanwhile are
collected as soon as the collector runs again after the phase.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic collection inside the block; the previous state after it.

    Nesting is harmless (an inner block leaves the collector as the outer one set it).
    Process-wide, as the collector is: threads of the same run (parallel Salesforce
    batches) are paused with it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
