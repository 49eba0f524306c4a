"""SOQL: the raw records of a query, one page (one HTTP call) at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from connector.clients.salesforce.api import SalesforceApi


class Query:
    def __init__(self, api: SalesforceApi) -> None:
        self.api = api

    def pages(self, soql: str, *, include_deleted: bool = False,
              batch_size: int = 2000) -> Iterator[list[dict]]:
        """The raw records of ``soql``, one page (one HTTP call) at a time.

        ``batch_size`` (200–2,000) is a hint Salesforce may ignore.
        """
        api, sf = self.api, self.api._sf
        size = min(max(int(batch_size), 200), 2000)
        headers = {"Sforce-Query-Options": f"batchSize={size}"} if size != 2000 else {}
        page = api._call(lambda: sf.query(soql, include_deleted=include_deleted,
                                          headers=headers))
        yield page.get("records", [])
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            next_url = page["nextRecordsUrl"]
            page = api._call(lambda u=next_url: sf.query_more(
                u, identifier_is_url=True, headers=headers))
            yield page.get("records", [])

    def all(self, soql: str, *, include_deleted: bool = False) -> list[dict]:
        """Every record of ``soql`` in one list (for small answers)."""
        out: list[dict] = []
        for page in self.pages(soql, include_deleted=include_deleted):
            out.extend(page)
        return out

    def server_time(self) -> datetime | None:
        """The Salesforce server's time when it started answering this thread's last
        call (from the ``Date`` header, minus the round trip), or None when unknown.

        Read right after the first page of :meth:`pages`, it is a lower bound on the
        moment the query ran: the base of an incremental window that does not depend on
        this machine's clock.
        """
        return self.api.http.last_server_time
