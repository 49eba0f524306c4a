"""Record: every database write of a run — links, snapshots and pending markers
committed per batch (:mod:`.batches`, fast link storage in :mod:`.links`); the tracked
columns, crash recovery and the watermarks a run ends with (:mod:`.run`); errors,
conflicts and open errors (:mod:`.errors`). A run killed anywhere and run again creates no duplicate and loses no
change.
"""

from __future__ import annotations

from runs.engine.record.batches import Recorder, stamp
from runs.engine.record.errors import Seen, error_key, record_errors
from runs.engine.record.links import NewLinkRow, encode_snapshot, insert_links, save_links
from runs.engine.record.run import advance_state, recover_pending_creates, remember_columns

__all__ = ["NewLinkRow", "Recorder", "Seen", "advance_state", "encode_snapshot",
           "error_key", "insert_links", "record_errors", "recover_pending_creates",
           "remember_columns", "save_links", "stamp"]
