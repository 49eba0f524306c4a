"""Read: what each side holds now, and what the database remembers of past runs.

- :mod:`~runs.engine.read.salesforce`: the describe (cached), the records of one SOQL
  query (mapped fields and relationship paths, filters in WHERE, incremental by
  ``SystemModstamp``), records named by pasted ids, lookups;
- :mod:`~runs.engine.read.sheet`: the sheet's rows (only when its version changed, only
  those modified since the watermark, only the tracked columns) and the owned columns;
- :mod:`~runs.engine.read.stored`: links, tombstones and open errors.
"""

from __future__ import annotations

from runs.engine.read.salesforce import SalesforceReader, read_records
from runs.engine.read.sheet import SheetReader, parse_rows
from runs.engine.read.stored import links_of, open_errors_of, tombstones_of

__all__ = ["SalesforceReader", "SheetReader", "links_of", "open_errors_of", "parse_rows",
           "read_records", "tombstones_of"]
