"""Record: every database write of a run — links, snapshots and pending markers
committed per batch (:mod:`.batches`, fast link storage in :mod:`.links`); the tracked
columns, crash recovery, errors, conflicts and the watermarks a run ends with
(:mod:`.run`). A run killed anywhere and run again creates no duplicate and loses no
change.
"""

from __future__ import annotations

from runs.engine.record.batches import Recorder, stamp
from runs.engine.record.links import NewLinkRow, encode_snapshot, insert_links, save_links
from runs.engine.record.run import (
    advance_state,
    record_errors,
    recover_pending_creates,
    remember_columns,
)

__all__ = ["NewLinkRow", "Recorder", "advance_state", "encode_snapshot", "insert_links",
           "record_errors", "recover_pending_creates", "remember_columns", "save_links",
           "stamp"]
