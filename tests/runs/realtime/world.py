"""Django objects on the real-time sandbox: install, Alice connected, a sheet, a workflow."""

from __future__ import annotations

from connector.models import Connection
from tests.runs.engine.factories import make_alice, make_install, make_sheet, make_workflow


def connected_alice(box, *, sf_user: str = "ada@example.com"):
    """Alice, connected with fresh tokens of ``sf_user`` (Salesforce) and Ada's
    Smartsheet token, on an install pointing at ``box``."""
    alice = make_alice()
    install = make_install(box)
    tokens = box.salesforce.control("token", {"user": sf_user})
    info = box.info
    Connection.objects.create(user=alice, install=install, service="salesforce",
                              access_token=tokens["access_token"],
                              refresh_token=tokens["refresh_token"],
                              instance_url=info["salesforce"]["instance_url"], identity=sf_user,
                              external_user_id=box.salesforce.user_id(sf_user))
    Connection.objects.create(user=alice, install=install, service="smartsheet",
                              access_token=info["smartsheet"]["access_token"],
                              identity="ada@example.com")
    return alice, install


def account_workflow(box, alice, install, *, direction: str = "bidirectional"):
    sheet_id, columns = make_sheet(box, ["Name", "Phone"])
    mapping = {"bidirectional": "both"}.get(direction, direction)
    workflow = make_workflow(alice, install, sheet_id=sheet_id, direction=direction,
                             mappings=[("Name", "Name", mapping), ("Phone", "Phone", mapping)])
    return workflow, columns
