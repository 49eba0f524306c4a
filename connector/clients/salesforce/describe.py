"""What the org, its objects and the signed-in user are: describes (each fetched once per
client, kept on it), the identity of the token's user, the org's limits and API usage."""

from __future__ import annotations

import re

from simple_salesforce.exceptions import SalesforceExpiredSession
from simple_salesforce.util import exception_handler

from connector.clients.salesforce.api import SalesforceApi

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


class Describe:
    def __init__(self, api: SalesforceApi) -> None:
        self.api = api

    def identity(self) -> dict:
        """``{user_id, username, email, name, organization_id}`` of the token's user."""
        api = self.api
        url = api.identity_url or f"{api.instance_url}/services/oauth2/userinfo"

        def fetch() -> dict:
            response = api.http.get(url, headers={
                "Authorization": f"Bearer {api.access_token}", "Accept": "application/json"})
            if response.status_code == 403 and "Bad_OAuth_Token" in response.text:
                # userinfo says "expired or invalid token" this way, not with a 401.
                raise SalesforceExpiredSession(url, 401, "identity", response.text)
            if response.status_code >= 300:
                exception_handler(response, name="identity")
            return response.json()

        body = api._call(fetch)
        return {
            "user_id": body.get("user_id", ""),
            "username": body.get("username") or body.get("preferred_username", ""),
            "email": body.get("email", ""),
            "name": body.get("display_name") or body.get("name", ""),
            "organization_id": body.get("organization_id", ""),
        }

    def objects(self) -> list[dict]:
        """Every object: ``[{name, label, queryable, createable, updateable, ...}]``."""
        body = self.api._call(self.api._sf.describe) or {}
        return list(body.get("sobjects", []))

    def object(self, object_name: str) -> dict:
        """The raw describe of one object, fetched once per client."""
        api = self.api
        with api._describe_lock:
            cached = api._describes.get(object_name)
        if cached is not None:
            return cached
        body = api._call(lambda: api._sf.restful(f"sobjects/{object_name}/describe"))
        with api._describe_lock:
            api._describes[object_name] = body
        return body

    def limits(self) -> dict:
        """The org's ``/limits`` (``DailyApiRequests``: ``{Max, Remaining}``, ...)."""
        return self.api._call(self.api._sf.limits)

    def api_usage(self) -> tuple[int, int] | None:
        """``(used, max)`` daily API requests from the last ``Sforce-Limit-Info`` seen."""
        match = _LIMIT_INFO.search(self.api.http.last_limit_info or "")
        return (int(match.group(1)), int(match.group(2))) if match else None
