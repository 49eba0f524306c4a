"""The only code that talks to Salesforce and Smartsheet (and imports their SDKs).

Everything else — engine, runs, REST API, web UI — uses this small interface:
:class:`SalesforceClient`, :class:`SmartsheetClient`, one error type :class:`ClientError`
whose ``kind`` says what went wrong and whether retrying can help (the services' own
codes stay in here), a :class:`CallCounter` that sees every HTTP call, plain result
types, and the OAuth helpers.

Each client is a package split by resource (``salesforce/``: query, records, describe;
``smartsheet/``: sheets, rows, columns, webhooks) behind one facade class; what both
share — the call loop with retries and token renewal, the counting HTTP session — is in
:mod:`.base`, :mod:`.tokens` and :mod:`.transport`.
"""

from __future__ import annotations

from connector.clients.errors import KINDS, RETRYABLE_KINDS, ClientError
from connector.clients.oauth import (
    SMARTSHEET_DEFAULT_SCOPES,
    salesforce_authorize_url,
    salesforce_token_exchange,
    salesforce_token_refresh,
    smartsheet_authorize_url,
    smartsheet_token_exchange,
    smartsheet_token_refresh,
)
from connector.clients.salesforce import SalesforceClient, SalesforceSession
from connector.clients.smartsheet import SmartsheetClient
from connector.clients.transport import CallCounter
from connector.clients.types import RowResult, SaveResult, TokenSet

__all__ = [
    "KINDS",
    "RETRYABLE_KINDS",
    "SMARTSHEET_DEFAULT_SCOPES",
    "CallCounter",
    "ClientError",
    "RowResult",
    "SalesforceClient",
    "SalesforceSession",
    "SaveResult",
    "SmartsheetClient",
    "TokenSet",
    "salesforce_authorize_url",
    "salesforce_token_exchange",
    "salesforce_token_refresh",
    "smartsheet_authorize_url",
    "smartsheet_token_exchange",
    "smartsheet_token_refresh",
]
