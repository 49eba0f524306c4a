"""Service Cloud facts every layer shares: the objects a Service Cloud install offers,
the computed Case columns, and the SLA statuses.

One source for validation (``workflows``), the engine and the service report (``runs``)
and the interfaces (the wizard, the API's metadata).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Objects a Service Cloud install offers.
SERVICE_CLOUD_OBJECTS = ("Case", "Account", "Contact", "CaseComment", "Entitlement",
                         "CaseMilestone")
#: The one object computed columns exist for.
COMPUTED_OBJECT = "Case"


class SlaStatus:
    """The values an SLA status cell takes (an empty cell: the priority has no target)."""

    MET = "Met"
    BREACHED = "Breached"
    AT_RISK = "At risk"
    WITHIN = "Within SLA"
    NO_TARGET = ""


#: The SLA status column's options, in display order.
SLA_STATUSES = (SlaStatus.MET, SlaStatus.BREACHED, SlaStatus.AT_RISK, SlaStatus.WITHIN)


@dataclass(frozen=True)
class ComputedField:
    """A computed Case column: Salesforce → Smartsheet only, Service Cloud installs.

    ``type`` is the Salesforce-style type it behaves as (decides its cell form and the
    type of a new column).
    """

    name: str
    label: str
    type: str


#: Computed columns by mapping ``salesforce_field``; the ``$`` prefix can never clash with
#: a Salesforce field name.
COMPUTED_FIELDS: dict[str, ComputedField] = {
    f.name: f for f in (
        ComputedField("$time_to_close", "Time to close (hours)", "double"),
        ComputedField("$age", "Age (hours)", "double"),
        ComputedField("$sla_target", "SLA target (hours)", "double"),
        ComputedField("$sla_status", "SLA status", "picklist"),
        ComputedField("$escalated", "Escalated", "boolean"),
    )
}


def is_computed(path: str) -> bool:
    """Whether a mapping's ``salesforce_field`` names a computed column."""
    return path.startswith("$")
