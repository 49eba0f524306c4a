"""alice's world on a sandbox of its own, for the real-time tests and the real-time
benchmark (``python -m bench.realtime``): an install she is connected to, and a Name +
Phone workflow on a new sheet. Built with tests/factories.py."""

from __future__ import annotations

from tests import factories, personas


def connected_alice(box):
    """alice and an install on ``box``; alice connected with fresh tokens of Ada (other
    tests here expire Ada's tokens on this sandbox)."""
    alice = personas.alice()
    install = factories.install(sandbox=box)
    factories.connect(alice, install, box, salesforce_as="ada@example.com")
    return alice, install


def account_workflow(box, owner, install, *, direction: str = "bidirectional"):
    """A Name + Phone workflow of ``owner`` on a new sheet: (workflow, title → column id)."""
    sheet_id, columns = factories.sheet(box, ["Name", "Phone"])
    mapping = {"bidirectional": "both"}.get(direction, direction)
    workflow = factories.workflow(owner, install, sheet_id=sheet_id, direction=direction,
                                  mappings=[("Name", "Name", mapping), ("Phone", "Phone", mapping)])
    return workflow, columns
