"""Service Cloud facts every layer shares: the objects a Service Cloud install offers,
the computed Case columns, and the SLA statuses.

One source for validation (``workflows``), the engine and the service report (``runs``)
and the interfaces (the wizard, the API's metadata).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy, pgettext_lazy

#: Objects a Service Cloud install offers.
SERVICE_CLOUD_OBJECTS = ("Case", "Account", "Contact", "CaseComment", "Entitlement",
                         "CaseMilestone")
#: The one object computed columns exist for.
COMPUTED_OBJECT = "Case"


class SlaStatus:
    """The SLA statuses the metrics and the report reason with (an empty one: the priority
    has no target). A sheet shows each one's :data:`label <SLA_STATUS_LABELS>` instead."""

    MET = "Met"
    BREACHED = "Breached"
    AT_RISK = "At risk"
    WITHIN = "Within SLA"
    NO_TARGET = ""


#: The SLA statuses, in the SLA status column's display order.
SLA_STATUSES = (SlaStatus.MET, SlaStatus.BREACHED, SlaStatus.AT_RISK, SlaStatus.WITHIN)
#: What a sheet's SLA status cell says for each status, in the active language: a run
#: writes inside ``translation.override(install.language)``, so a French install's sheet
#: reads "Respecté", and the value stays the same from run to run (no flapping snapshot).
SLA_STATUS_LABELS = {
    SlaStatus.MET: pgettext_lazy("SLA status", "Met"),
    SlaStatus.BREACHED: pgettext_lazy("SLA status", "Breached"),
    SlaStatus.AT_RISK: pgettext_lazy("SLA status", "At risk"),
    SlaStatus.WITHIN: pgettext_lazy("SLA status", "Within SLA"),
}


def sla_status_label(status: str) -> str:
    """The words an SLA status cell shows for ``status`` ("" for no target)."""
    return str(SLA_STATUS_LABELS[status]) if status else ""


def sla_status_options() -> tuple[str, ...]:
    """The SLA status column's PICKLIST options, in the active language."""
    return tuple(sla_status_label(status) for status in SLA_STATUSES)


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
        ComputedField("$time_to_close", gettext_lazy("Time to close (hours)"), "double"),
        ComputedField("$age", gettext_lazy("Age (hours)"), "double"),
        ComputedField("$sla_target", gettext_lazy("SLA target (hours)"), "double"),
        ComputedField("$sla_status", gettext_lazy("SLA status"), "picklist"),
        ComputedField("$escalated", gettext_lazy("Escalated"), "boolean"),
    )
}


def is_computed(path: str) -> bool:
    """Whether a mapping's ``salesforce_field`` names a computed column."""
    return path.startswith("$")
