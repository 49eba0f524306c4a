"""Salesforce and Smartsheet metadata the wizard shows, read through the user's own
connections (so field-level security and sheet sharing are the user's).

One :class:`WizardMetadata` per request memoizes what it read (see
:class:`workflows.metadata.Metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.models import InstallKind
from workflows.metadata import Metadata
from workflows.service_cloud import COMPUTED_FIELDS, COMPUTED_OBJECT
from workflows.validation import ResolvedField, read_only_reason

#: Sheets a user can write to (Smartsheet access levels).
EDITABLE_ACCESS = frozenset({"EDITOR", "EDITOR_SHARE", "ADMIN", "OWNER"})
#: Lookup-by separator in the wizard's field choice values ("OwnerId>Name").
LOOKUP_SEP = ">"


@dataclass(frozen=True)
class FieldChoice:
    value: str  # "Name" or "OwnerId>Name" (lookup by)
    label: str
    salesforce_field: str
    lookup_field: str
    locked: bool
    reason: str


class WizardMetadata(Metadata):
    """:class:`~workflows.metadata.Metadata` plus the wizard's choices built from it."""

    def object_choices(self) -> list[tuple[str, str]]:
        """(name, label) of the objects a workflow can sync with on this install."""
        return [(o["name"], o.get("label") or o["name"]) for o in self.objects()]

    def field_choices(self, object_name: str) -> list[FieldChoice]:
        """Every field of the object, plus "lookup by" choices for reference fields."""
        info = self.describe(object_name) or {}
        choices: list[FieldChoice] = []
        for f in sorted(info.get("fields", []), key=lambda f: (f.get("label") or f["name"]).lower()):
            resolved = ResolvedField(path=f["name"], field=f, object_name=object_name, via_relationship=False)
            reason = read_only_reason(resolved)
            if f.get("type") == "id":
                reason = "the Salesforce ID column is owned by the connector and always flows to Smartsheet"
            label = f.get("label") or f["name"]
            choices.append(FieldChoice(
                value=f["name"], label=label, salesforce_field=f["name"], lookup_field="",
                locked=bool(reason), reason=_reason_text(label, reason),
            ))
            targets = f.get("referenceTo") or []
            if f.get("type") == "reference" and targets:
                target = self.describe(targets[0])
                if not target:
                    continue
                for lf in _lookup_fields(target):
                    lookup_label = f"{label} (lookup by {target.get('label', targets[0])} {lf.get('label') or lf['name']})"
                    choices.append(FieldChoice(
                        value=f"{f['name']}{LOOKUP_SEP}{lf['name']}", label=lookup_label,
                        salesforce_field=f["name"], lookup_field=lf["name"],
                        locked=bool(reason), reason=_reason_text(label, reason),
                    ))
        return choices + self.computed_choices(object_name)

    def computed_choices(self, object_name: str) -> list[FieldChoice]:
        """The computed Case columns of a Service Cloud install: Smartsheet only."""
        if self.install.kind != InstallKind.SERVICE_CLOUD or object_name != COMPUTED_OBJECT:
            return []
        return [FieldChoice(value=f.name, label=f"{f.label} (computed)", salesforce_field=f.name,
                            lookup_field="", locked=True,
                            reason=_reason_text(f.label, "computed by the connector"))
                for f in COMPUTED_FIELDS.values()]

    def editable_sheets(self) -> list[dict]:
        return [s for s in self.sheets() if s.get("accessLevel") in EDITABLE_ACCESS]


def _reason_text(label: str, reason: str) -> str:
    return f"Locked to Salesforce → Smartsheet: {reason}." if reason else ""


def _lookup_fields(target: dict) -> list[dict]:
    """Fields of a related object a user can type instead of an Id: its name field and
    unique external/lookup ids (e.g. User Full Name, User Email)."""
    fields = target.get("fields", [])
    picked = [f for f in fields if f.get("nameField")]
    picked += [
        f for f in fields
        if not f.get("nameField") and f.get("type") in ("string", "email")
        and (f.get("externalId") or (f.get("idLookup") and f.get("unique")) or f["name"] == "Email")
    ]
    return picked[:4]
