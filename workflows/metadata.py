"""Object metadata and sheet columns, read through one user's own connections.

The one reader of describes, object lists, sheet lists and columns for validation, the
wizard and the API: field-level security and sheet sharing are the user's. One
:class:`Metadata` lives for one request or one validation and memoizes what it read, so
a page showing twenty reference fields describes each related object once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from connector.clients import ClientError
from connector.models import InstallKind
from connector.services import salesforce_client_for, smartsheet_client_for
from workflows.service_cloud import SERVICE_CLOUD_OBJECTS
from workflows.validation.draft import SheetInfo

if TYPE_CHECKING:
    from accounts.models import User
    from connector.clients import SalesforceClient, SmartsheetClient
    from connector.models import Install


class Metadata:
    """Describes, objects, sheets and columns under ``install`` as ``user`` sees them.

    Clients are made on first use (``connector.services`` raises ``ConnectionMissing``
    when the user has not connected); service failures raise ``ClientError``.
    """

    def __init__(self, *, user: User, install: Install) -> None:
        self.user = user
        self.install = install
        self._sf: SalesforceClient | None = None
        self._ss: SmartsheetClient | None = None
        self._describes: dict[str, dict | None] = {}

    def salesforce(self) -> SalesforceClient:
        if self._sf is None:
            self._sf = salesforce_client_for(user=self.user, install=self.install)
        return self._sf

    def smartsheet(self) -> SmartsheetClient:
        if self._ss is None:
            self._ss = smartsheet_client_for(user=self.user, install=self.install)
        return self._ss

    # -- Salesforce ------------------------------------------------------------------
    def object_allowed(self, name: str) -> bool:
        """Whether the install offers ``name`` at all (Service Cloud offers a fixed list)."""
        return self.install.kind != InstallKind.SERVICE_CLOUD or name in SERVICE_CLOUD_OBJECTS

    def objects(self) -> list[dict]:
        """The objects a workflow can sync with on this install (describe-global entries
        the user can query), sorted by label."""
        found = [o for o in self.salesforce().describe_global()
                 if o.get("queryable", True) and self.object_allowed(o["name"])]
        return sorted(found, key=lambda o: ((o.get("label") or o["name"]).lower(), o["name"]))

    def describe(self, object_name: str) -> dict | None:
        """The object's describe, or None when the user cannot see such an object."""
        key = object_name.lower()
        if key not in self._describes:
            try:
                self._describes[key] = self.salesforce().describe(object_name)
            except ClientError as exc:
                if exc.kind != "not_found":
                    raise
                self._describes[key] = None
        return self._describes[key]

    # -- Smartsheet ------------------------------------------------------------------
    def sheets(self) -> list[dict]:
        """Every sheet shared with the user (with its ``accessLevel``), sorted by name."""
        return sorted(self.smartsheet().list_sheets(),
                      key=lambda s: ((s.get("name") or "").lower(), s.get("id", 0)))

    def columns(self, sheet_id: int | None) -> list[dict]:
        """The sheet's columns (none for a sheet that does not exist yet)."""
        if not sheet_id:
            return []
        return self.smartsheet().list_columns(int(sheet_id))

    def sheet(self, sheet_id: int) -> SheetInfo | None:
        """The sheet's name, the user's access level and its columns; None when the sheet
        is not there or not shared with the user."""
        try:
            # Only the columns and the sheet's own attributes are needed: asking for the
            # rows modified after tomorrow keeps a 10,000-row sheet's rows off the wire.
            body = self.smartsheet().get_sheet(
                int(sheet_id), rows_modified_since=datetime.now(UTC) + timedelta(days=1))
        except ClientError as exc:
            if exc.kind in ("not_found", "permission"):
                return None
            raise
        return SheetInfo(id=int(body["id"]), name=body.get("name", ""),
                         columns=tuple(body.get("columns") or ()),
                         access_level=body.get("accessLevel") or "",
                         permalink=body.get("permalink") or "")

    def sheet_admins(self, sheet_id: int) -> tuple[str, ...]:
        """The names of the sheet's owner and admins ("Ada Lovelace (owner)"), from its
        shares; empty when the user may not read them."""
        try:
            shares = self.smartsheet().list_shares(int(sheet_id))
        except ClientError as exc:
            if exc.kind in ("not_found", "permission"):
                return ()
            raise
        order = {"OWNER": 0, "ADMIN": 1}
        people = sorted((s for s in shares if s.get("accessLevel") in order),
                        key=lambda s: order[s["accessLevel"]])
        roles = {"OWNER": _("owner"), "ADMIN": _("admin")}
        return tuple(
            _("%(person)s (%(role)s)") % {"person": s.get("name") or s.get("email"),
                                          "role": roles[s["accessLevel"]]}
            for s in people if s.get("name") or s.get("email"))
