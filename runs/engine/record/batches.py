"""What the apply phase commits batch by batch: links and their snapshots, pending
markers, group rows, tombstones.

A run killed between two batches loses nothing: what landed is linked, what did not is
planned again, and pending creates/adds (marked before their call, cleared once their
links are in) are reconciled before anything is written twice.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils import timezone

from core.times import parse_timestamp
from runs.engine.context import RunContext
from runs.engine.record.links import NewLinkRow, insert_links, save_links
from runs.engine.types import NewLink, RecordCreate, RowAdd, Unlink
from runs.models import Link, Tombstone

#: :func:`~core.times.parse_timestamp`, remembered: the records of one write share few
#: distinct stamps.
stamp = lru_cache(maxsize=4096)(parse_timestamp)


class Recorder:
    """The database side of one run's writes."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.workflow = ctx.workflow
        self.state = ctx.state
        self.link_by_record: dict[str, Link] = {}

    def save_state(self, *fields: str) -> None:
        self.state.save(update_fields=[*fields, "updated_at"])

    # -- links -----------------------------------------------------------------------------
    def new_link(self, *, record_id: str, row_id: int, snapshot: dict,
                 record_stamp: str | None = None, row_modified_at: str | None = None,
                 parent_row_id: int | None = None) -> NewLinkRow:
        return NewLinkRow(workflow_id=self.workflow.pk, record_id=record_id, row_id=row_id,
                          snapshot=snapshot, record_stamp=stamp(record_stamp),
                          row_modified_at=stamp(row_modified_at), parent_row_id=parent_row_id)

    def links_for(self, record_ids: list[str]) -> dict[str, Link]:
        """The stored links of these records (loaded once per run, then kept)."""
        missing = [r for r in record_ids if r not in self.link_by_record]
        if missing:
            for link in Link.objects.filter(workflow=self.workflow, record_id__in=missing):
                self.link_by_record[link.record_id] = link
        return {r: self.link_by_record[r] for r in record_ids if r in self.link_by_record}

    def save_links(self, links: list[Link]) -> None:
        save_links(links)

    def link_rows(self, new_links: list[NewLink]) -> int:
        """Link rows to records without a write (pasted ids); how many."""
        links = [self.new_link(record_id=n.record_id, row_id=n.row_id, snapshot=n.snapshot,
                               record_stamp=n.record_stamp, row_modified_at=n.row_modified_at,
                               parent_row_id=n.parent_row_id)
                 for n in new_links]
        if links:
            insert_links(links)
            # A row kept after a filter exit whose record came back: linked again.
            Tombstone.objects.filter(workflow=self.workflow, reason="filter_exit",
                                     row_id__in=[n.row_id for n in links]).delete()
        return len(links)

    def linked_records_of(self, row_ids: list[int]) -> list[tuple[str, int]]:
        """``(record id, row id)`` of the links of these rows."""
        return list(Link.objects.filter(workflow=self.workflow, row_id__in=row_ids)
                    .values_list("record_id", "row_id"))

    def patch_links(self, patches: dict[str, dict]) -> None:
        """Snapshot and stamp changes without any write (record id → patch)."""
        if not patches:
            return
        links = self.links_for(list(patches))
        changed = []
        for record_id, patch in patches.items():
            link = links.get(record_id)
            if link is None:
                continue
            if "snapshot" in patch:
                link.snapshot = {**link.snapshot, **patch["snapshot"]}
            if "record_stamp" in patch:
                link.record_stamp = stamp(patch["record_stamp"])
            if "row_modified_at" in patch:
                link.row_modified_at = stamp(patch["row_modified_at"])
            changed.append(link)
        save_links(changed)

    def unlink(self, unlinks: list[Unlink]) -> None:
        """Drop these links, tombstoning what must not sync again."""
        Tombstone.objects.bulk_create(
            [Tombstone(workflow=self.workflow, record_id=u.record_id, reason=u.reason)
             for u in unlinks if u.tombstone_record]
            + [Tombstone(workflow=self.workflow, row_id=u.row_id, reason=u.reason)
               for u in unlinks if u.tombstone_row and not u.remove_row])
        Link.objects.filter(workflow=self.workflow,
                            record_id__in=[u.record_id for u in unlinks]).delete()
        for u in unlinks:
            # Saving a cached link later (patch_links) would write it back.
            self.link_by_record.pop(u.record_id, None)

    # -- pending markers -------------------------------------------------------------------
    def creates_sending(self, batch: list[RecordCreate]) -> None:
        """Mark the batch's rows as having a create in flight (committed before the call)."""
        at = timezone.now().isoformat()
        pending = dict(self.state.pending_creates or {})
        for item in batch:
            pending[str(item.row_id)] = {"at": at, "fields": item.fields}
        self.state.pending_creates = pending
        self.save_state("pending_creates")

    def creates_landed(self, batch: list[RecordCreate], links: list[NewLinkRow]) -> None:
        """Link the records created, then clear the batch's markers."""
        insert_links(links)
        pending = dict(self.state.pending_creates or {})
        for item in batch:
            pending.pop(str(item.row_id), None)
        self.state.pending_creates = pending
        self.save_state("pending_creates")

    def adds_sending(self, batch: list[RowAdd]) -> None:
        """Mark the batch's records as having a row add in flight."""
        at = timezone.now().isoformat()
        pending = dict(self.state.pending_adds or {})
        pending.update({a.record_id: at for a in batch})
        self.state.pending_adds = pending
        self.save_state("pending_adds")

    def adds_landed(self, batch: list[RowAdd], links: list[NewLinkRow]) -> None:
        """Link the rows added, then clear the batch's markers."""
        insert_links(links)
        pending = dict(self.state.pending_adds or {})
        for add in batch:
            pending.pop(add.record_id, None)
        self.state.pending_adds = pending
        self.save_state("pending_adds")

    def group_rows_known(self, known: dict[str, int], *, save: bool = True) -> None:
        """The group rows known so far (group key → row id)."""
        self.state.group_rows = known
        if save:
            self.save_state("group_rows")
