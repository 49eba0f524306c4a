"""Salesforce, split by resource: :mod:`.query`, :mod:`.records`, :mod:`.describe`;
calls, tokens and errors in :mod:`.api`; :class:`SalesforceClient` puts them together."""

from __future__ import annotations

from connector.clients.salesforce.api import SalesforceSession
from connector.clients.salesforce.client import SalesforceClient

__all__ = ["SalesforceClient", "SalesforceSession"]
