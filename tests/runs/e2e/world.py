"""A small world against a running sandbox: an install, a connected owner, sheets and
workflows of a few records each.

Split in two halves so the scale-out tests can build the sandbox side in the pytest
process and the database side in a subprocess (whose database the pytest process does
not share):

- :func:`sandbox_workflow_specs` (no database): inserts records in the Salesforce
  emulator and creates one sheet per workflow through our Smartsheet client; returns
  JSON-ready specs.
- :func:`build_world` (database): creates the team, the owner, the install, the
  owner's connections and one workflow (+ mapping + filter) per spec.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from connector.clients import SmartsheetClient

OWNER_EMAIL = "ada@example.com"


def sandbox_workflow_specs(sandbox, *, workflows: int, records: int = 3) -> list[dict]:
    """Create ``workflows`` sheets and ``records`` Accounts per workflow; their specs.

    Each workflow sees only its own records: a Salesforce filter on a unique name
    prefix keeps workflows sharing one org apart.
    """
    info = sandbox.info
    client = SmartsheetClient(api_base=info["smartsheet"]["api_base"],
                              access_token=info["smartsheet"]["access_token"], timeout=10)
    specs = []
    for n in range(workflows):
        prefix = f"W{uuid.uuid4().hex[:8]}-{n}-"
        sandbox.salesforce.insert(
            "Account", [{"Name": f"{prefix}{i}", "Industry": "Energy"} for i in range(records)]
        )
        sheet = client.create_sheet(f"Sync {prefix}", [
            {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
            {"title": "Industry", "type": "TEXT_NUMBER"},
        ])
        columns = {c["title"]: c["id"] for c in sheet["columns"]}
        specs.append({"prefix": prefix, "sheet_id": sheet["id"], "sheet_name": sheet["name"],
                      "columns": columns})
    return specs


def build_world(info: dict, specs: list[dict], *, owner_username: str = "ada",
                polling_interval_minutes: int = 15, **install_fields):
    """Create the database side; return (owner, install, [workflows])."""
    from accounts.models import Team, User
    from connector.models import Connection, Install, Service
    from workflows.models import (
        Direction,
        Filter,
        FilterOperator,
        FilterSide,
        Mapping,
        MappingDirection,
        Workflow,
    )

    team, _ = Team.objects.get_or_create(name="Sandbox team")
    owner, _ = User.objects.get_or_create(
        username=owner_username,
        defaults={"email": OWNER_EMAIL, "team": team, "licensed": True, "salesforce_user": True},
    )
    sf, ss = info["salesforce"], info["smartsheet"]
    install = Install.objects.create(
        team=team, name=f"Sandbox {uuid.uuid4().hex[:6]}",
        salesforce_login_url=sf["login_url"], salesforce_instance_url=sf["instance_url"],
        salesforce_client_id=sf["client_id"], salesforce_client_secret=sf["client_secret"],
        smartsheet_api_base=ss["api_base"], smartsheet_client_id=ss["client_id"],
        smartsheet_client_secret=ss["client_secret"],
        tls_ca_bundle=Path(sf["ca_bundle"]).read_text(),
        polling_interval_minutes=polling_interval_minutes, **install_fields,
    )
    Connection.objects.create(
        user=owner, install=install, service=Service.SALESFORCE, access_token=sf["access_token"],
        refresh_token=sf["refresh_token"], instance_url=sf["instance_url"],
        identity=sf.get("username", ""),
    )
    Connection.objects.create(
        user=owner, install=install, service=Service.SMARTSHEET,
        access_token=ss["access_token"], refresh_token=ss.get("refresh_token", ""),
        identity=OWNER_EMAIL,
    )
    workflows = []
    for spec in specs:
        workflow = Workflow.objects.create(
            owner=owner, install=install, name=f"Accounts {spec['prefix']}",
            direction=Direction.TO_SMARTSHEET, sheet_id=spec["sheet_id"],
            sheet_name=spec["sheet_name"], salesforce_object="Account",
        )
        for position, (field, title) in enumerate(
            [("Name", "Account Name"), ("Industry", "Industry")]
        ):
            Mapping.objects.create(
                workflow=workflow, position=position, salesforce_field=field,
                column_id=spec["columns"][title], column_title=title,
                direction=MappingDirection.TO_SMARTSHEET,
            )
        Filter.objects.create(workflow=workflow, side=FilterSide.SALESFORCE, field="Name",
                              operator=FilterOperator.STARTS_WITH, value=spec["prefix"])
        workflows.append(workflow)
    return owner, install, workflows
