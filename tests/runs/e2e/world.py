"""A small world against a running sandbox: sheets and workflows of a few records each,
owned by alice, who is connected to an install on the sandbox.

Split in two halves so the scale-out tests can build the sandbox side in the pytest
process and the database side in a subprocess (whose database the pytest process does
not share):

- :func:`sandbox_workflow_specs` (no database): inserts records in the Salesforce
  emulator and creates one sheet per workflow through our Smartsheet client; returns
  JSON-ready specs.
- :func:`build_world` (database): alice, an install on the sandbox she is connected to,
  and one workflow (+ mappings + filter) per spec — built by tests/factories.py.
"""

from __future__ import annotations

import uuid

from connector.clients import SmartsheetClient


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


def build_world(sandbox, specs: list[dict], *, polling_interval_minutes: int = 15,
                **install_fields):
    """Create the database side; return (owner, install, [workflows]).

    ``sandbox``: the sandbox, or (in a subprocess) a stand-in with its ``info`` and its
    Salesforce admin id (``sandbox.salesforce.admin_id``).
    """
    from tests import factories, personas

    owner = personas.alice()
    install = factories.install(sandbox=sandbox,
                                polling_interval_minutes=polling_interval_minutes, **install_fields)
    factories.connect(owner, install, sandbox)
    workflows = [
        factories.workflow(
            owner, install, name=f"Accounts {spec['prefix']}", sheet_id=spec["sheet_id"],
            sheet_name=spec["sheet_name"],
            mappings=[{"salesforce_field": field, "column_title": title,
                       "direction": "to_smartsheet", "column_id": spec["columns"][title]}
                      for field, title in (("Name", "Account Name"), ("Industry", "Industry"))],
            filters=[("salesforce", "Name", "starts_with", spec["prefix"])])
        for spec in specs
    ]
    return owner, install, workflows
