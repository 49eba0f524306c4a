"""Salesforce and Smartsheet metadata the wizard shows, read through the user's own
connections (so field-level security and sheet sharing are the user's).

One :class:`WizardMetadata` per request memoizes describes: a page that shows twenty
reference fields describes each related object once.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Sheets a user can write to (Smartsheet access levels).
EDITABLE_ACCESS = frozenset({"EDITOR", "EDITOR_SHARE", "ADMIN", "OWNER"})
#: The fallback list of Service Cloud objects (the validation package has the source).
SERVICE_CLOUD_OBJECTS_FALLBACK = (
    "Case", "Account", "Contact", "CaseComment", "Entitlement", "CaseMilestone",
)
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


class WizardMetadata:
    def __init__(self, *, user, install) -> None:
        self.user = user
        self.install = install
        self._sf = None
        self._ss = None
        self._describes: dict[str, dict | None] = {}

    # --- clients (connector.services raises ConnectionMissing / ClientError) -----------
    def salesforce(self):
        if self._sf is None:
            from connector.services import salesforce_client_for

            self._sf = salesforce_client_for(user=self.user, install=self.install)
        return self._sf

    def smartsheet(self):
        if self._ss is None:
            from connector.services import smartsheet_client_for

            self._ss = smartsheet_client_for(user=self.user, install=self.install)
        return self._ss

    # --- Salesforce -------------------------------------------------------------------
    def objects(self) -> list[tuple[str, str]]:
        """(name, label) of the objects a workflow can sync with on this install."""
        from connector.models import InstallKind

        described = {o["name"]: o for o in self.salesforce().describe_global()}
        if self.install.kind == InstallKind.SERVICE_CLOUD:
            try:
                from workflows.validation import SERVICE_CLOUD_OBJECTS as names
            except ImportError:  # pragma: no cover - the validation package is optional here
                names = SERVICE_CLOUD_OBJECTS_FALLBACK
            return [(n, described.get(n, {}).get("label", n)) for n in names]
        usable = [
            o for o in described.values()
            if o.get("queryable", True) and (o.get("createable") or o.get("updateable"))
        ]
        return sorted(((o["name"], o.get("label") or o["name"]) for o in usable), key=lambda p: p[1].lower())

    def describe(self, object_name: str) -> dict | None:
        if object_name not in self._describes:
            from connector.clients import ClientError

            try:
                self._describes[object_name] = self.salesforce().describe(object_name)
            except ClientError as exc:
                if exc.kind != "not_found":
                    raise
                self._describes[object_name] = None
        return self._describes[object_name]

    def field_choices(self, object_name: str) -> list[FieldChoice]:
        """Every field of the object, plus "lookup by" choices for reference fields."""
        from workflows.validation import ResolvedField, read_only_reason

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
        from connector.models import InstallKind
        from workflows.validation import COMPUTED_CASE_FIELDS

        if self.install.kind != InstallKind.SERVICE_CLOUD or object_name != "Case":
            return []
        return [FieldChoice(value=name, label=f"{label} (computed)", salesforce_field=name,
                            lookup_field="", locked=True,
                            reason=_reason_text(label, "computed by the connector"))
                for name, label in COMPUTED_CASE_FIELDS.items()]

    # --- Smartsheet -------------------------------------------------------------------
    def editable_sheets(self) -> list[dict]:
        sheets = [s for s in self.smartsheet().list_sheets() if s.get("accessLevel") in EDITABLE_ACCESS]
        return sorted(sheets, key=lambda s: (s.get("name") or "").lower())

    def columns(self, sheet_id: int | None) -> list[dict]:
        """The sheet's columns (none for a sheet that will be created)."""
        if not sheet_id:
            return []
        return self.smartsheet().list_columns(int(sheet_id))


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
