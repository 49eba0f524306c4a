"""Personas and factories shared by the workflow and API tests.

Team "Acme": alice (connector user: licensed, Salesforce user), bob (on her team,
connector user too), uma (unlicensed), connie (Connector Admin), sam (System Admin).
Team "Globex": charlie (licensed connector user outside Acme).
"""

from __future__ import annotations

from pathlib import Path

from accounts.models import Team, User
from connector.models import Install
from workflows.models import Filter, Mapping, RowGroup, Workflow

PASSWORD = "correct-horse-battery"


def make_user(username: str, team: Team | None, **flags) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.com",
                                    password=PASSWORD, first_name=username.title(),
                                    team=team, **flags)
    return user


def make_people() -> dict[str, User]:
    acme = Team.objects.create(name="Acme")
    globex = Team.objects.create(name="Globex")
    connector_user = {"licensed": True, "salesforce_user": True, "service_cloud_user": True}
    return {
        "sam": make_user("sam", acme, system_admin=True, **connector_user),
        "alice": make_user("alice", acme, **connector_user),
        "bob": make_user("bob", acme, **connector_user),
        "uma": make_user("uma", acme),
        "connie": make_user("connie", acme, connector_admin=True, **connector_user),
        "charlie": make_user("charlie", globex, **connector_user),
    }


def make_install(team: Team, *, sandbox=None, **fields) -> Install:
    """An install; pointed at the sandbox's endpoints when ``sandbox`` is given."""
    # Without the sandbox the endpoints point at a closed loopback port: a test never
    # reaches the internet, even by mistake.
    values = {"name": f"{team.name} org", "kind": "salesforce",
              "salesforce_login_url": "https://127.0.0.1:9", "salesforce_instance_url":
              "https://127.0.0.1:9", "smartsheet_api_base": "http://127.0.0.1:9/2.0"}
    if sandbox is not None:
        sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
        values.update(
            salesforce_login_url=sf["login_url"], salesforce_instance_url=sf["instance_url"],
            salesforce_client_id=sf["client_id"], salesforce_client_secret=sf["client_secret"],
            smartsheet_api_base=ss["api_base"], smartsheet_client_id=ss["client_id"],
            smartsheet_client_secret=ss["client_secret"],
            tls_ca_bundle=Path(sf["ca_bundle"]).read_text(),
        )
    values.update(fields)
    return Install.objects.create(team=team, **values)


def make_workflow(owner: User, install: Install, *, name: str = "Accounts",
                  sheet_id: int = 111, **fields) -> Workflow:
    """A saved workflow written straight to the database (no live validation)."""
    values = {"direction": "to_smartsheet", "salesforce_object": "Account",
              "sheet_name": "Accounts sheet"}
    values.update(fields)
    workflow = Workflow.objects.create(owner=owner, install=install, name=name,
                                       sheet_id=sheet_id, **values)
    Mapping.objects.create(workflow=workflow, position=0, salesforce_field="Name",
                           column_title="Account", column_id=1, direction="to_smartsheet")
    Filter.objects.create(workflow=workflow, side="salesforce", field="Industry",
                          operator="equals", value="Energy")
    RowGroup.objects.create(workflow=workflow, level=1, field="Industry")
    return workflow
