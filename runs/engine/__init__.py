"""The sync engine: read → plan → apply → record (see DESIGN.md, "The engine").

Entry points::

    outcome = sync_workflow(run=run, dry_run=False, full=None, deadline=None)
    summary = preview(spec, user=user, workflow=None)

``SyncFailed(message, kind)`` is raised for systemic failures only. ``sync_workflow``
commits links, pending markers and state per batch: call it outside any
``transaction.atomic`` block, or a crash loses that safety.

One module (or package) per phase — :mod:`.read`, :mod:`.plan`, :mod:`.apply`,
:mod:`.record` — and one :mod:`.pipeline` that runs them for both entry points;
:mod:`.failures` turns what stops a run into ``SyncFailed``; :mod:`.retries` reads the
items of open errors (every run retries them); :mod:`.refusals` and :mod:`.words` say
what went wrong in plain words, in the install's language.

Rules worth knowing (details in :mod:`.plan`):

- *Deletes*: the sync never deletes a Salesforce record. A record deleted in Salesforce
  marks its row's Sync Error cell "Deleted in Salesforce" and unlinks it (the row is
  removed only with ``remove_rows_on_delete``); the row is tombstoned so its stale id is
  not reported run after run. A row deleted from the sheet (seen on a full read) unlinks
  its record and tombstones it: the record is not added back.
- *Filter exits* (seen on a full read): the link is dropped and the row left as it is
  (removed with ``remove_rows_on_filter_exit``).
- *Incremental reads*: Salesforce by ``SystemModstamp`` with a 60 s overlap until one poll
  has re-read that window, then by a strict ``(SystemModstamp, Id)`` cursor; the sheet
  only when its version changed, rows modified since the newest ``modifiedAt`` read.
  A full reconciliation (first run, every ``FULL_RECONCILE_HOURS``, or asked) reads all.
"""

from __future__ import annotations

from runs.engine.failures import SyncFailed
from runs.engine.pipeline import SyncOutcome, preview, sync_workflow

__all__ = ["SyncFailed", "SyncOutcome", "preview", "sync_workflow"]
