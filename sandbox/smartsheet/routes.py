"""The route table: (method, path pattern with {id}) -> handler; also the counted name."""

from __future__ import annotations

from . import api, api_shares, api_webhooks

ROUTES = {
    ("GET", "users/me"): api.users_me,
    ("GET", "users"): api.users_list,
    ("GET", "sheets"): api.sheets_list,
    ("POST", "sheets"): api.sheet_create,
    ("GET", "sheets/{id}"): api.sheet_get,
    ("PUT", "sheets/{id}"): api.sheet_update,
    ("DELETE", "sheets/{id}"): api.sheet_delete,
    ("GET", "sheets/{id}/version"): api.sheet_version,
    ("GET", "sheets/{id}/columns"): api.columns_list,
    ("POST", "sheets/{id}/columns"): api.columns_add,
    ("GET", "sheets/{id}/columns/{id}"): api.column_get,
    ("PUT", "sheets/{id}/columns/{id}"): api.column_update,
    ("DELETE", "sheets/{id}/columns/{id}"): api.column_delete,
    ("POST", "sheets/{id}/rows"): api.rows_add,
    ("PUT", "sheets/{id}/rows"): api.rows_update,
    ("DELETE", "sheets/{id}/rows"): api.rows_delete,
    ("GET", "sheets/{id}/rows/{id}"): api.row_get,
    ("GET", "sheets/{id}/rows/{id}/columns/{id}/history"): api.cell_history,
    ("GET", "sheets/{id}/shares"): api_shares.shares_list,
    ("POST", "sheets/{id}/shares"): api_shares.shares_create,
    ("GET", "shares"): api_shares.shares_list,
    ("POST", "shares"): api_shares.shares_create,
    ("GET", "webhooks"): api_webhooks.webhooks_list,
    ("POST", "webhooks"): api_webhooks.webhook_create,
    ("GET", "webhooks/{id}"): api_webhooks.webhook_get,
    ("PUT", "webhooks/{id}"): api_webhooks.webhook_update,
    ("DELETE", "webhooks/{id}"): api_webhooks.webhook_delete,
}

#: Requests that weigh more than one against the rate limit.
WEIGHTS = {"sheets/{id}/rows/{id}/columns/{id}/history": 10}
