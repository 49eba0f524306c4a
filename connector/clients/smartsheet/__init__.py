"""Smartsheet, split by resource: :mod:`.sheets`, :mod:`.rows`, :mod:`.columns`,
:mod:`.webhooks`; calls, tokens and errors in :mod:`.api`; :class:`SmartsheetClient`
puts them together."""

from __future__ import annotations

from connector.clients.smartsheet.client import SmartsheetClient

__all__ = ["SmartsheetClient"]
