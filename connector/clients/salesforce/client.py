"""The Salesforce client: one user's access to one org, through one object.

A thin facade: calls, tokens and errors are :class:`~.api.SalesforceApi`'s; each method
below hands over to its resource — :mod:`.query`, :mod:`.records`, :mod:`.describe`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cached_property

from connector.clients.salesforce.api import SalesforceApi
from connector.clients.salesforce.describe import Describe
from connector.clients.salesforce.query import Query
from connector.clients.salesforce.records import Records
from connector.clients.types import SaveResult


class SalesforceClient(SalesforceApi):
    """One user's Salesforce API access. Thread-safe; ``create``/``update`` run up to
    ``max_parallel`` collection calls at once."""

    # The resources hold nothing but the client: made on first use.
    @cached_property
    def _query(self) -> Query:
        return Query(self)

    @cached_property
    def _records(self) -> Records:
        return Records(self)

    @cached_property
    def _describe(self) -> Describe:
        return Describe(self)

    # -- describe ------------------------------------------------------------------------
    def identity(self) -> dict:
        return self._describe.identity()

    def describe_global(self) -> list[dict]:
        return self._describe.objects()

    def describe(self, object_name: str) -> dict:
        return self._describe.object(object_name)

    def limits(self) -> dict:
        return self._describe.limits()

    def api_usage(self) -> tuple[int, int] | None:
        return self._describe.api_usage()

    # -- query -----------------------------------------------------------------------------
    def query_pages(self, soql: str, *, include_deleted: bool = False,
                    batch_size: int = 2000) -> Iterator[list[dict]]:
        return self._query.pages(soql, include_deleted=include_deleted,
                                 batch_size=batch_size)

    def query_all(self, soql: str, *, include_deleted: bool = False) -> list[dict]:
        return self._query.all(soql, include_deleted=include_deleted)

    def server_time(self) -> datetime | None:
        return self._query.server_time()

    # -- records ---------------------------------------------------------------------------
    def create(self, object_name: str, records: list[dict], *,
               allow_duplicates: bool = False) -> list[SaveResult]:
        return self._records.create(object_name, records, allow_duplicates=allow_duplicates)

    def update(self, object_name: str, records: list[dict], *,
               allow_duplicates: bool = False) -> list[SaveResult]:
        return self._records.update(object_name, records, allow_duplicates=allow_duplicates)
