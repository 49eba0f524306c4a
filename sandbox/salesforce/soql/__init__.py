"""The SOQL engine of the Salesforce emulator.

``compile_query(text, schema)`` parses a query with a lark grammar and checks it against
describe-shaped metadata once; ``query.run(source, now=...)`` evaluates it over plain
record dicts. No HTTP here: the emulator's query endpoint pages the result.

Supported: SELECT of fields and parent paths (up to five hops, polymorphic ``What.Name``),
``COUNT()`` and ``COUNT(field)``; one FROM object; WHERE with = != <> < <= > >= LIKE
IN / NOT IN INCLUDES / EXCLUDES AND / OR / NOT, typed literals and relative date literals;
ORDER BY with ASC/DESC NULLS FIRST/LAST; LIMIT; OFFSET (at most 2,000). Everything else
(subqueries, aliases, GROUP BY, TYPEOF, bind variables, ...) is MALFORMED_QUERY.
"""

from __future__ import annotations

from .errors import SoqlError
from .query import Query, QueryResult, RecordSource, compile_query

__all__ = ["Query", "QueryResult", "RecordSource", "SoqlError", "compile_query"]
