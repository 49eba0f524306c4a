"""Setting up an install takes a Connector or System Admin who is a Salesforce
administrator (API Enabled, View Setup and Configuration, View All Data); until one has
connected, nobody else connects to the install."""

from __future__ import annotations

import pytest

from connector.models import Service
from connector.services import (
    ConnectionInvalid,
    connection_create_from_token,
    salesforce_admin_permissions_missing,
)
from tests import factories


@pytest.fixture
def fresh_install(db, sandbox):
    """An install nobody has set up yet, on the sandbox."""
    return factories.install(sandbox=sandbox, salesforce_setup_at=None)


def _connect(sandbox, user, install, as_user: str | None = None):
    if as_user is None:  # the sandbox's Salesforce administrator, Ada
        access = sandbox.info["salesforce"]["access_token"]
    else:
        access = sandbox.salesforce.control("token", {"user": as_user})["access_token"]
    return connection_create_from_token(user=user, install=install, service=Service.SALESFORCE,
                                        access_token=access)


def test_nobody_but_an_admin_connects_to_an_install_not_set_up(sandbox, fresh_install, alice):
    with pytest.raises(ConnectionInvalid) as refused:
        _connect(sandbox, alice, fresh_install)
    assert "is not set up yet" in refused.value.message
    assert not alice.connections.exists()


def test_an_admin_who_is_not_a_salesforce_administrator_is_refused_with_the_missing_rights(
        sandbox, fresh_install, connie):
    with pytest.raises(ConnectionInvalid) as refused:
        _connect(sandbox, connie, fresh_install, as_user="carol")  # a Standard User
    assert "View Setup and Configuration" in refused.value.message
    assert "View All Data" in refused.value.message
    assert "API Enabled" not in refused.value.message
    fresh_install.refresh_from_db()
    assert fresh_install.salesforce_setup_at is None and not connie.connections.exists()


def test_a_salesforce_administrator_sets_it_up_and_then_users_connect(
        sandbox, fresh_install, connie, alice):
    _connect(sandbox, connie, fresh_install)
    fresh_install.refresh_from_db()
    assert fresh_install.salesforce_setup_by == connie
    assert fresh_install.salesforce_setup_at is not None
    # A plain user connects now, whatever their Salesforce permissions.
    _connect(sandbox, alice, fresh_install, as_user="dan")
    assert alice.connections.filter(service=Service.SALESFORCE).exists()


def test_an_admin_of_another_team_cannot_set_it_up(sandbox, fresh_install, charlie):
    charlie.system_admin = True
    charlie.save()
    with pytest.raises(ConnectionInvalid) as refused:
        _connect(sandbox, charlie, fresh_install)
    assert "is not set up yet" in refused.value.message


def test_the_check_reads_a_users_permissions(sandbox, fresh_install, connie, sam):
    factories.connect(connie, fresh_install, sandbox, salesforce_as="carol")
    factories.connect(sam, fresh_install, sandbox)
    assert salesforce_admin_permissions_missing(user=connie, install=fresh_install) == [
        "View Setup and Configuration", "View All Data"]
    assert salesforce_admin_permissions_missing(user=sam, install=fresh_install) == []
