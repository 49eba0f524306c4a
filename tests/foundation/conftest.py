"""Personas: Alice (System Admin of Acme), Bob (connector user on her team), Carla
(Connector Admin of Acme), Charlie (System Admin of another team), Una (unlicensed)."""

from __future__ import annotations

import pytest

from accounts.models import Team, User
from connector.models import Install
from workflows.models import Direction, Workflow


@pytest.fixture
def acme(db):
    return Team.objects.create(name="Acme")


@pytest.fixture
def globex(db):
    return Team.objects.create(name="Globex")


def _user(username, team, **flags):
    return User.objects.create_user(
        username=username, password="pw-" + username * 3, email=f"{username}@example.com",
        team=team, **flags,
    )


@pytest.fixture
def alice(acme):
    return _user("alice", acme, system_admin=True, licensed=True, salesforce_user=True)


@pytest.fixture
def bob(acme):
    return _user("bob", acme, licensed=True, salesforce_user=True)


@pytest.fixture
def carla(acme):
    return _user("carla", acme, connector_admin=True, licensed=True)


@pytest.fixture
def charlie(globex):
    return _user("charlie", globex, system_admin=True, licensed=True)


@pytest.fixture
def una(acme):
    return _user("una", acme)


@pytest.fixture
def install(acme):
    return Install.objects.create(
        name="Acme org", team=acme, salesforce_instance_url="https://acme.my.salesforce.com",
        salesforce_client_id="cid", salesforce_client_secret="top-secret-sf",
        smartsheet_client_id="ssid", smartsheet_client_secret="top-secret-ss",
    )


@pytest.fixture
def make_workflow(install):
    def make(owner, name="Opportunities", **kwargs):
        return Workflow.objects.create(
            owner=owner, install=install, name=name,
            direction=kwargs.pop("direction", Direction.TO_SMARTSHEET),
            sheet_id=kwargs.pop("sheet_id", 1001), salesforce_object="Opportunity", **kwargs,
        )

    return make
