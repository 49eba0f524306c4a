"""UserPermissionAccess: the running user's system permissions, one row per query.

"Represents the permissions accessibility for a current user" (Object Reference,
UserPermissionAccess): it supports describe and query only, and ``SELECT
PermissionsApiEnabled, PermissionsViewSetup, PermissionsViewAllData FROM
UserPermissionAccess`` returns a single row for the user whose session runs the query.
Its Id is the constant ``000000000000000AAA``, as for the other ``User...Access`` objects.
The real object has a few hundred ``Permissions*`` fields; the sandbox carries the ones a
connector checks.
"""

from __future__ import annotations

from sandbox.salesforce.metadata.fields import field, read_only

PERMISSION_ACCESS_ID = "000000000000000AAA"
#: field -> label; the System Administrator profile has them all.
PERMISSIONS = {
    "PermissionsApiEnabled": "API Enabled",
    "PermissionsViewSetup": "View Setup and Configuration",
    "PermissionsViewAllData": "View All Data",
    "PermissionsModifyAllData": "Modify All Data",
    "PermissionsCustomizeApplication": "Customize Application",
    "PermissionsManageUsers": "Manage Users",
    "PermissionsViewAllUsers": "View All Users",
    "PermissionsAuthorApex": "Author Apex",
}
#: What a "Standard User" profile grants among them (API access only).
STANDARD_USER = frozenset({"PermissionsApiEnabled"})


def _fields() -> list[dict]:
    return [
        field("Id", "id", "UserPermissionAccess ID", createable=False, updateable=False,
              nillable=False, defaultedOnCreate=True),
        read_only("LastCacheUpdate", "datetime", "Last Cache Update"),
        *(read_only(name, "boolean", label, nillable=False, defaultedOnCreate=True)
          for name, label in PERMISSIONS.items()),
    ]


def profile_permissions(profile: str) -> dict[str, bool]:
    granted = PERMISSIONS.keys() if profile == "System Administrator" else STANDARD_USER
    return {name: name in granted for name in PERMISSIONS}


PERMISSION_OBJECTS: list[tuple[str, str, str, str | None, list[dict], dict]] = [
    ("UserPermissionAccess", "User Permission Access", "User Permission Access", None,
     _fields(), {"createable": False, "updateable": False, "deletable": False,
                 "undeletable": False, "searchable": False, "replicateable": False,
                 "triggerable": False, "layoutable": False}),
]
