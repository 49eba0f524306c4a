"""Personas and small factories for the web UI tests.

alice: a licensed Salesforce user (the connector user); bob: on her team, licensed;
charlie: another team; uma: on alice's team without a licence; connie: a connector
admin; sam: the team's System Admin.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from accounts.models import Team, User
from connector.models import Install, InstallKind
from runs.models import Run, RunTrigger
from workflows.models import Direction, Workflow

_ids = itertools.count(8_100_000_000_001)


def team(name: str = "Acme") -> Team:
    return Team.objects.get_or_create(name=name)[0]


def user(username: str, **fields) -> User:
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("team", team())
    created = User.objects.create_user(username=username, password="pw-" + username, **fields)
    return created


def alice() -> User:
    return user("alice", first_name="Alice", last_name="Martin", licensed=True, salesforce_user=True)


def bob() -> User:
    return user("bob", first_name="Bob", last_name="Chen", licensed=True, salesforce_user=True)


def charlie() -> User:
    return user("charlie", team=team("Globex"), licensed=True, salesforce_user=True, system_admin=True)


def unlicensed() -> User:
    return user("uma", first_name="Uma", last_name="Ng")


def connector_admin() -> User:
    return user("connie", licensed=True, connector_admin=True)


def system_admin() -> User:
    return user("sam", first_name="Sam", last_name="Admin", system_admin=True, licensed=True)


def install(**fields) -> Install:
    fields.setdefault("name", "Acme org")
    fields.setdefault("team", team())
    return Install.objects.create(**fields)


def sandbox_install(sandbox, **fields) -> Install:
    """An install pointing at the session's sandbox, with its OAuth clients and CA."""
    sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
    fields.setdefault("name", "Sandbox org")
    fields.setdefault("team", team())
    fields.setdefault("kind", InstallKind.SALESFORCE)
    return Install.objects.create(
        salesforce_login_url=sf["login_url"], salesforce_instance_url=sf["instance_url"],
        salesforce_client_id=sf["client_id"], salesforce_client_secret=sf["client_secret"],
        smartsheet_api_base=ss["api_base"],
        smartsheet_authorize_url=ss["api_base"].rsplit("/2.0", 1)[0] + "/b/authorize",
        smartsheet_client_id=ss["client_id"], smartsheet_client_secret=ss["client_secret"],
        tls_ca_bundle=Path(sf["ca_bundle"]).read_text(), **fields,
    )


def workflow(*, owner: User, install_: Install | None = None, **fields) -> Workflow:
    fields.setdefault("name", f"Accounts {next(_ids) % 1000}")
    fields.setdefault("direction", Direction.TO_SMARTSHEET)
    fields.setdefault("sheet_id", next(_ids))
    fields.setdefault("sheet_name", "Accounts sheet")
    fields.setdefault("salesforce_object", "Account")
    return Workflow.objects.create(owner=owner, install=install_ or install(), **fields)


def run(*, workflow_: Workflow, **fields) -> Run:
    fields.setdefault("trigger", RunTrigger.MANUAL)
    return Run.objects.create(workflow=workflow_, **fields)
