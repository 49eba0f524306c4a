"""Checking an install: the admin's own connections are tried against each service and
the answer says, per service, what works."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

# The admin-permissions check comes with the install set-up work (connector.services.setup).
from connector.services.checks import install_check  # noqa: E402
from sandbox.personas import PERSONAS
from tests import factories

pytestmark = pytest.mark.django_db
BOB = next(p for p in PERSONAS if p.first_name == "Bob")


def _lines(checks) -> dict[str, tuple[bool, list[str]]]:
    return {c.service: (c.ok, c.lines) for c in checks}


def test_it_says_what_works_with_a_salesforce_administrators_connections(sam, live_install,
                                                                        sandbox):
    factories.connect(sam, live_install, sandbox)
    result = _lines(install_check(user=sam, install=live_install))
    assert result["salesforce"] == (True, [
        f"Signed in as {sandbox.info['salesforce']['username']}.",
        "Your Salesforce user has the permissions to set the install up."])
    ok, lines = result["smartsheet"]
    assert ok and lines[0].startswith("Signed in as ada@example.com; ")


def test_it_names_the_permissions_a_standard_user_lacks(sam, live_install, sandbox):
    factories.connect(sam, live_install, sandbox, salesforce_as=BOB.salesforce_username)
    ok, lines = _lines(install_check(user=sam, install=live_install))["salesforce"]
    assert not ok
    assert lines[1] == ("Your Salesforce user lacks View Setup and Configuration, View All "
                        "Data: a Salesforce administrator must set the install up.")


def test_it_says_which_connection_is_missing(connie, live_install):
    result = _lines(install_check(user=connie, install=live_install))
    assert result == {
        "salesforce": (False, ["Not checked. Connect your Salesforce account first "
                               "(Connections page)."]),
        "smartsheet": (False, ["Not checked. Connect your Smartsheet account first "
                               "(Connections page)."])}


def test_it_is_for_the_installs_admins(alice, connected_install):
    with pytest.raises(PermissionDenied):
        install_check(user=alice, install=connected_install)
