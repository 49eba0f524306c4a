"""Salesforce and Smartsheet metadata the wizard shows, read through the user's own
connections (so field-level security and sheet sharing are the user's).

One :class:`WizardMetadata` per request memoizes what it read (see
:class:`workflows.metadata.Metadata`): a page listing the fields of twenty related
objects describes each of them once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from connector.models import InstallKind
from workflows.columns import owned_title_choices
from workflows.metadata import Metadata
from workflows.models import FilterOperator
from workflows.service_cloud import COMPUTED_FIELDS, COMPUTED_OBJECT
from workflows.validation import (
    ResolvedField,
    column_operators,
    field_operators,
    read_only_reason,
)
from workflows.validation.sheet import ACCESS_WORDS, access_at_least

#: Field types a sheet column cannot show (compound and binary fields).
UNSHOWN_TYPES = frozenset({"base64", "address", "location", "anyType"})


@dataclass(frozen=True)
class FieldChoice:
    value: str  # "Name", "Account.Industry" (a related record's field), "$sla_status"
    label: str
    #: The option group: the object's own fields, or one relationship's.
    group: str
    #: Can only flow to Smartsheet (without a "lookup by" field, for a reference).
    locked: bool
    reason: str
    #: "Lookup by" choices of a reference field: (field of the related object, label).
    lookups: tuple[tuple[str, str], ...] = ()
    #: Writable once a "lookup by" field is chosen.
    lookup_unlocks: bool = False
    #: The filter conditions the field takes.
    operators: tuple[str, ...] = ()
    #: A new column's title when none is typed ("" : the label).
    column_title: str = ""

    def meta(self) -> dict:
        """What the page's script needs about the field (``json_script``)."""
        return {"locked": self.locked, "reason": self.reason,
                "lookups": [list(pair) for pair in self.lookups],
                "lookup_unlocks": self.lookup_unlocks, "operators": list(self.operators)}


def _reason_text(label: str, reason: str) -> str:
    return _("Only Salesforce → Smartsheet: %(reason)s.") % {"reason": reason} if reason else ""


def _operators(field: dict) -> tuple[str, ...]:
    allowed = field_operators(field)
    return tuple(value for value in FilterOperator.values if value in allowed)


class WizardMetadata(Metadata):
    """:class:`~workflows.metadata.Metadata` plus the wizard's choices built from it."""

    def object_choices(self) -> list[tuple[str, str]]:
        """(name, label) of the objects a workflow can sync with on this install."""
        return [(o["name"], o.get("label") or o["name"]) for o in self.objects()]

    def object_label(self, object_name: str) -> str:
        info = self.describe(object_name) or {}
        return info.get("label") or object_name

    # -- fields --------------------------------------------------------------------------
    def field_choices(self, object_name: str, *, related: bool = True) -> list[FieldChoice]:
        """The object's fields (reference fields with their "lookup by" choices), then,
        with ``related``, the fields of each related record (``Account.Industry``), then
        the computed Case columns of a Service Cloud install."""
        info = self.describe(object_name) or {}
        own_group = _("%(object)s fields") % {"object": info.get("label") or object_name}
        choices: list[FieldChoice] = []
        references: list[tuple[dict, dict]] = []
        for f in _sorted(info.get("fields", [])):
            if f.get("type") in UNSHOWN_TYPES:
                continue
            resolved = ResolvedField(path=f["name"], field=f, object_name=object_name,
                                     via_relationship=False)
            reason = read_only_reason(resolved)
            if f.get("type") == "id":
                reason = _("the record id; the connector's own column shows it too")
            label = f.get("label") or f["name"]
            lookups: tuple[tuple[str, str], ...] = ()
            unlocks = False
            target = None
            targets = f.get("referenceTo") or []
            if f.get("type") == "reference" and targets:
                target = self.describe(targets[0])
            if target:
                lookups = tuple((lf["name"], lf.get("label") or lf["name"])
                                for lf in _lookup_fields(target))
                unlocks = bool(lookups) and not read_only_reason(resolved, lookup=True)
                if f.get("relationshipName"):
                    references.append((f, target))
            choices.append(FieldChoice(
                value=f["name"], label=label, group=own_group, locked=bool(reason),
                reason=_reason_text(label, reason), lookups=lookups, lookup_unlocks=unlocks,
                operators=_operators(f)))
        if related:
            for f, target in references:
                choices.extend(self._related_choices(f, target))
        return choices + self.computed_choices(object_name)

    def _related_choices(self, reference: dict, target: dict) -> list[FieldChoice]:
        """The fields of the record a reference points to (one level: ``Owner.Email``),
        shown in the sheet only."""
        relationship = reference["relationshipName"]
        name = _relationship_label(reference)
        group = _("%(relationship)s (%(object)s) fields") % {
            "relationship": name, "object": target.get("label") or target.get("name", "")}
        reason = _reason_text("", _("it is a field of a related record"))
        return [
            FieldChoice(value=f"{relationship}.{f['name']}",
                        label=f"{name} › {f.get('label') or f['name']}",
                        group=group, locked=True, reason=reason, operators=_operators(f),
                        column_title=f"{name} {f.get('label') or f['name']}")
            for f in _sorted(target.get("fields", []))
            if f.get("type") not in UNSHOWN_TYPES
        ]

    def computed_choices(self, object_name: str) -> list[FieldChoice]:
        """The computed Case columns of a Service Cloud install: Smartsheet only."""
        if self.install.kind != InstallKind.SERVICE_CLOUD or object_name != COMPUTED_OBJECT:
            return []
        group = _("Computed by the connector")
        return [FieldChoice(value=f.name, label=_("%(label)s (computed)") % {"label": f.label},
                            group=group, locked=True,
                            reason=_reason_text(f.label, _("computed by the connector")))
                for f in COMPUTED_FIELDS.values()]

    # -- sheets and columns --------------------------------------------------------------
    def sheet_choices(self) -> list[dict]:
        """Every sheet shared with the user; those they cannot sync (below Editor access)
        disabled, with the reason."""
        out = []
        for s in self.sheets():
            level = (s.get("accessLevel") or "").upper()
            ok = access_at_least(level, "EDITOR")
            out.append({
                "id": s["id"], "name": s.get("name") or str(s["id"]),
                "permalink": s.get("permalink") or "", "access_level": level,
                "disabled": not ok,
                "reason": "" if ok else _("%(level)s access: syncing needs Editor access") % {
                    "level": ACCESS_WORDS.get(level, level.title())},
            })
        return out

    def column_choices(self, sheet_id: int | None, *, exclude_ids: set[int] = frozenset()
                       ) -> list[dict]:
        """The sheet's columns a field may map to: not system columns, not the columns
        the connector owns (by title, or by id once a run tracks them)."""
        owned = {t.lower() for titles in owned_title_choices(self.install.kind) for t in titles}
        return [
            {"id": c["id"], "title": c["title"], "type": c.get("type", "TEXT_NUMBER"),
             "operators": [v for v in FilterOperator.values
                           if v in column_operators(c.get("type", "TEXT_NUMBER"))]}
            for c in self.columns(sheet_id)
            if not c.get("systemColumnType") and c["id"] not in exclude_ids
            and (c.get("title") or "").strip().lower() not in owned
        ]


def _relationship_label(reference: dict) -> str:
    """"Owner" for the field "Owner ID" (what Salesforce's own pages call the related
    record)."""
    label = reference.get("label") or reference.get("relationshipName") or ""
    return label[:-3] if label.endswith(" ID") else label


def _sorted(fields: list[dict]) -> list[dict]:
    return sorted(fields, key=lambda f: ((f.get("label") or f["name"]).lower(), f["name"]))


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
