"""What one engine run works with: the run, its workflow, clients, state and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from runs.engine.columns import ColumnFacts, FormulaCells
from runs.engine.failures import SyncFailed
from runs.engine.types import LinkState, MappingInfo
from workflows.spec import WorkflowSpec

#: Called after every committed batch with the phase name (tests use it to interrupt a
#: run at a precise point; production leaves it None).
after_batch_hook: Callable[[str], None] | None = None


def batch_done(phase: str) -> None:
    if after_batch_hook is not None:
        after_batch_hook(phase)


@dataclass
class RunContext:
    spec: WorkflowSpec
    salesforce: Any
    smartsheet: Any
    tz: str
    instance_url: str
    run: Any = None
    workflow: Any = None
    state: Any = None
    dry_run: bool = False
    deadline: datetime | None = None
    mappings: list[MappingInfo] = field(default_factory=list)
    links: list[LinkState] = field(default_factory=list)
    link_pks: dict[str, int] = field(default_factory=dict)
    id_column_id: int | None = None
    error_column_id: int | None = None
    primary_column_id: int | None = None
    key_prefix: str = ""
    #: The sheet's tracked columns as last read (see runs.engine.columns).
    columns: dict[int, ColumnFacts] = field(default_factory=dict)
    #: Cells holding their own formula, by row (never overwritten).
    formula_cells: FormulaCells = field(default_factory=FormulaCells)
    #: The install's kind (``salesforce`` | ``service_cloud``): names the id column.
    install_kind: str = "salesforce"
    #: Described field name → label, to name fields in error messages.
    field_labels: dict[str, str] = field(default_factory=dict)
    #: Extra cells to write per row (ids written back, errors of writes).
    extra_cells: dict[int, dict[int, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    wrote_sheet: bool = False
    #: The sheet version our own writes reached, as their answers report it, while each
    #: write moved it by exactly one from the version read (no one else wrote between
    #: them); ``sheet_writes_exact`` turns False as soon as that chain breaks.
    sheet_version_chain: int | None = None
    sheet_writes_exact: bool = True
    sheet_written_newest: str | None = None

    def wrote(self, rows: int = 1, results=(), versions=()) -> None:
        """Count one batch of sheet writes: ``results`` (RowResults, each with its
        call's ``version``) or, for other writes, the ``versions`` they answered with."""
        self.wrote_sheet = True
        seen: list[int | None] = list(versions)
        last = object()
        for result in results:
            if result.version != last:
                seen.append(result.version)
                last = result.version
            stamp = (result.row or {}).get("modifiedAt") if result.success else None
            if stamp and (self.sheet_written_newest is None or stamp > self.sheet_written_newest):
                self.sheet_written_newest = stamp
        if not seen:
            self.sheet_writes_exact = False  # a write whose version is unknown
        for version in seen:
            # A call that failed as a whole (None), changed nothing (same version) or
            # follows someone else's write (a gap) breaks the chain.
            if (version is None or self.sheet_version_chain is None
                    or version != self.sheet_version_chain + 1):
                self.sheet_writes_exact = False
            if version is not None:
                self.sheet_version_chain = version

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def check_deadline(self) -> None:
        if self.deadline is not None and timezone.now() > self.deadline:
            raise SyncFailed(_("The run took too long and stopped; the next run goes on from "
                             "where it stopped."), "timeout")
