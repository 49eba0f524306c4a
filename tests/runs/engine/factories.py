"""Small factories for engine tests: personas, an install on the sandbox, workflows."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.utils import timezone

from accounts.models import Team, User
from connector.clients import CallCounter, SalesforceClient, SmartsheetClient
from connector.models import Connection, Install
from runs.models import Run, RunStatus
from workflows.models import Filter, Mapping, RowGroup, Workflow


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_alice() -> User:
    team, _ = Team.objects.get_or_create(name="Alice's team")
    user, _ = User.objects.get_or_create(username="alice", defaults={
        "email": "alice@example.com", "team": team, "licensed": True, "salesforce_user": True})
    return user


def make_user(name: str) -> User:
    """Another persona (bob on Alice's team, charlie outside it, or any sandbox name)."""
    team = Team.objects.get_or_create(name="Alice's team")[0] if name == "bob" else None
    return User.objects.create(username=name, email=f"{name}@example.com", team=team,
                               licensed=True, salesforce_user=True)


def make_install(sandbox) -> Install:
    sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
    return Install.objects.create(
        name="Sandbox", salesforce_login_url=sf["login_url"],
        salesforce_instance_url=sf["instance_url"], salesforce_client_id=sf["client_id"],
        salesforce_client_secret=sf["client_secret"], smartsheet_api_base=ss["api_base"],
        smartsheet_client_id=ss["client_id"], smartsheet_client_secret=ss["client_secret"],
        tls_ca_bundle=Path(sf["ca_bundle"]).read_text(), time_zone="Europe/Paris")


def connect(user: User, install: Install, sandbox) -> None:
    """Connect ``user`` to both services with the sandbox admin's (Ada's) tokens."""
    sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
    Connection.objects.create(user=user, install=install, service="salesforce",
                              access_token=sf["access_token"], refresh_token=sf["refresh_token"],
                              instance_url=sf["instance_url"], identity=sf["username"],
                              external_user_id=sandbox.salesforce.admin_id)
    Connection.objects.create(user=user, install=install, service="smartsheet",
                              access_token=ss["access_token"], identity="ada@example.com")


def salesforce_client(sandbox) -> SalesforceClient:
    sf = sandbox.info["salesforce"]
    return SalesforceClient(instance_url=sf["instance_url"], access_token=sf["access_token"],
                            refresh_token=sf["refresh_token"], login_url=sf["login_url"],
                            client_id=sf["client_id"], client_secret=sf["client_secret"],
                            ca_bundle=sf["ca_bundle"], counter=CallCounter())


def smartsheet_client(sandbox) -> SmartsheetClient:
    ss = sandbox.info["smartsheet"]
    return SmartsheetClient(api_base=ss["api_base"], access_token=ss["access_token"],
                            client_id=ss["client_id"], client_secret=ss["client_secret"],
                            counter=CallCounter())


def make_sheet(sandbox, titles: list[str], *, name: str | None = None) -> tuple[int, dict]:
    """A new sheet whose first title is the primary column; returns (id, title → column id)."""
    columns = [{"title": t, "type": "TEXT_NUMBER", **({"primary": True} if i == 0 else {})}
               for i, t in enumerate(titles)]
    sheet = smartsheet_client(sandbox).create_sheet(name or unique("sheet"), columns)
    return sheet["id"], {c["title"]: c["id"] for c in sheet["columns"]}


def make_workflow(owner: User, install: Install, *, sheet_id: int, direction: str,
                  salesforce_object: str = "Account", mappings=(), filters=(), groups=(),
                  **options) -> Workflow:
    """``mappings``: (field, column title, direction[, lookup_field[, new_column]]);
    ``filters``: (side, field, operator, value); ``groups``: (field, value) per level."""
    workflow = Workflow.objects.create(owner=owner, install=install, name=unique("wf"),
                                       direction=direction, sheet_id=sheet_id,
                                       salesforce_object=salesforce_object, **options)
    for position, m in enumerate(mappings):
        field, title, mdir, *rest = m
        Mapping.objects.create(workflow=workflow, position=position, salesforce_field=field,
                               column_title=title, direction=mdir,
                               lookup_field=rest[0] if rest else "",
                               new_column=bool(rest[1]) if len(rest) > 1 else False)
    for position, (side, field, operator, value) in enumerate(filters):
        Filter.objects.create(workflow=workflow, side=side, field=field, operator=operator,
                              value=value, position=position)
    for level, (field, value) in enumerate(groups, start=1):
        RowGroup.objects.create(workflow=workflow, level=level, field=field, value=value)
    return workflow


def start_run(workflow: Workflow, *, full: bool = False) -> Run:
    return Run.objects.create(workflow=workflow, trigger="manual", status=RunStatus.RUNNING,
                              started_at=timezone.now(), full=full)


def sheet_rows(sandbox, sheet_id: int) -> tuple[list[dict], dict[int, str]]:
    """Every row of the sheet (raw) and column id → title."""
    body = smartsheet_client(sandbox).get_sheet(sheet_id)
    return body.get("rows", []), {c["id"]: c["title"] for c in body["columns"]}


def rows_by_title(sandbox, sheet_id: int) -> list[dict]:
    """Rows as ``{title: value, "_id", "_parent", "_links": {title: url}}`` dicts."""
    rows, titles = sheet_rows(sandbox, sheet_id)
    out = []
    for row in rows:
        item = {"_id": row["id"], "_parent": row.get("parentId"), "_links": {}}
        for cell in row.get("cells", []):
            title = titles[cell["columnId"]]
            item[title] = cell.get("value")
            if cell.get("hyperlink"):
                item["_links"][title] = cell["hyperlink"].get("url")
        out.append(item)
    return out
