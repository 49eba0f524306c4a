"""The only code that talks to Salesforce and Smartsheet (and imports their SDKs).

Everything else — engine, runs, REST API, web UI — uses this small interface:
:class:`SalesforceClient`, :class:`SmartsheetClient`, one error type :class:`ClientError`
that says whether retrying can help, a :class:`CallCounter` that sees every HTTP call,
plain result types, and the OAuth helpers.
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
from connector.clients.salesforce import SalesforceClient
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
