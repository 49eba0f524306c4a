"""UserPermissionAccess: the running user's system permissions, one row per query; users
lacking some of them can be made through control."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

CHECK = ("SELECT PermissionsApiEnabled, PermissionsViewSetup, PermissionsViewAllData "
         "FROM UserPermissionAccess")


def _row(sf) -> dict:
    result = sf.query(CHECK)
    assert result["totalSize"] == 1
    return {k: v for k, v in result["records"][0].items() if k != "attributes"}


def test_the_admin_has_the_three_permissions_the_connector_checks(org, sf):
    assert _row(sf) == {"PermissionsApiEnabled": True, "PermissionsViewSetup": True,
                        "PermissionsViewAllData": True}
    record = sf.query("SELECT Id FROM UserPermissionAccess")["records"][0]
    assert record["Id"] == "000000000000000AAA"
    describe = sf.UserPermissionAccess.describe()
    assert not describe["createable"] and describe["queryable"]


def test_a_standard_user_may_use_the_api_but_not_view_setup(org, connect, token_for):
    assert _row(connect(token_for("bob"))) == {"PermissionsApiEnabled": True,
                                               "PermissionsViewSetup": False,
                                               "PermissionsViewAllData": False}


def test_control_makes_a_user_lacking_some_permissions(sandbox, org, connect):
    made = sandbox.handle_control("POST", ["salesforce", "create_user"], {
        "first_name": "Una", "last_name": "Limited", "email": "una@example.com",
        "profile": "System Administrator", "permissions": {"PermissionsViewAllData": False}})
    assert made["permissions"]["PermissionsViewSetup"] is True
    assert _row(connect(made["access_token"])) == {"PermissionsApiEnabled": True,
                                                   "PermissionsViewSetup": True,
                                                   "PermissionsViewAllData": False}
    sandbox.handle_control("POST", ["salesforce", "permissions"], {
        "user": "una@example.com", "permissions": {"PermissionsViewAllData": True}})
    assert _row(connect(made["access_token"]))["PermissionsViewAllData"] is True


def test_a_user_without_api_enabled_is_refused_every_call(org, connect, token_for):
    org.set_permissions("carol", {"PermissionsApiEnabled": False})
    with pytest.raises(SalesforceRefusedRequest) as caught:
        connect(token_for("carol")).query(CHECK)
    assert caught.value.content == [{"message": "API is disabled for this User",
                                     "errorCode": "API_CURRENTLY_DISABLED"}]
    org.reset()
    assert _row(connect(token_for("carol")))["PermissionsApiEnabled"] is True
