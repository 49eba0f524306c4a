"""The pure check of a whole draft: direction, object, sheet, mappings, filters, groups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.models import (
    ConflictPolicy,
    Direction,
    MappingDirection,
)
from workflows.service_cloud import COMPUTED_FIELDS, SERVICE_CLOUD_OBJECTS
from workflows.spec import MappingSpec, WorkflowSpec
from workflows.validation.errors import WorkflowValidationError
from workflows.validation.fields import (
    RAW_REFERENCE_REASON,
    DescribeFn,
    PathError,
    column_read_only_reason,
    read_only_reason,
    resolve_path,
)
from workflows.validation.filters import FilterChecks
from workflows.validation.sheet import SheetChecks

MAX_TEXT = 4000
MAX_COLUMNS = 400

_ALLOWED_MAPPING_DIRECTIONS = {
    Direction.TO_SMARTSHEET: {MappingDirection.TO_SMARTSHEET},
    Direction.TO_SALESFORCE: {MappingDirection.TO_SALESFORCE},
    Direction.BIDIRECTIONAL: set(MappingDirection.values),
}
_DIRECTION_WORDS = {
    Direction.TO_SMARTSHEET: gettext_lazy(
        "a Salesforce to Smartsheet workflow only sends fields to Smartsheet."),
    Direction.TO_SALESFORCE: gettext_lazy(
        "a Smartsheet to Salesforce workflow only sends columns to Salesforce."),
}


@dataclass(frozen=True)
class SheetInfo:
    """The existing sheet of a draft: id, name, access level and columns (raw dicts);
    its address; who may prepare it (its owner's and admins' names, read from its shares
    when the draft needs one of them; empty when unknown)."""

    id: int
    name: str
    columns: tuple[dict, ...]
    access_level: str = ""
    permalink: str = ""
    admins: tuple[str, ...] = ()


@dataclass
class Draft:
    """A workflow as the wizard or the API sends it (mapping/filter/group dicts)."""

    direction: str
    salesforce_object: str
    sheet_id: int | None = None
    new_sheet_name: str = ""
    mappings: list[dict] = field(default_factory=list)
    salesforce_filters: list[dict] = field(default_factory=list)
    smartsheet_filters: list[dict] = field(default_factory=list)
    row_groups: list[dict] = field(default_factory=list)
    name: str = ""
    conflict_policy: str = ConflictPolicy.SALESFORCE_WINS
    polling_interval_minutes: int | None = None
    remove_rows_on_filter_exit: bool = False
    remove_rows_on_delete: bool = False
    allow_duplicates: bool = False


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class _Checker(FilterChecks, SheetChecks):
    def __init__(self, *, draft: Draft, describe: DescribeFn, sheet: SheetInfo | None,
                 install_kind: str, install_polling_minutes: int, install_id: int,
                 owner_id: int, workflow_id: int | None, own_column_ids: frozenset[int],
                 check_name: bool) -> None:
        self.d = draft
        self.describe = describe
        self.sheet = sheet
        self.install_kind = install_kind
        self.install_polling = install_polling_minutes
        self.install_id = install_id
        self.owner_id = owner_id
        self.workflow_id = workflow_id
        self.own_column_ids = own_column_ids
        self.check_name = check_name
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.columns_by_title = {
            (c.get("title") or "").strip().lower(): c for c in (sheet.columns if sheet else ())
        }

    def add(self, key: str, message: str) -> None:
        self.errors[key].append(message)

    # -- settings ----------------------------------------------------------------------
    def settings(self) -> bool:
        d = self.d
        ok = True
        if self.check_name:
            if not _text(d.name):
                self.add("name", _("Name the workflow."))
            elif len(_text(d.name)) > 200:
                self.add("name", _("Use at most 200 characters."))
        if d.direction not in Direction.values:
            self.add("direction", _("Choose one of: %(values)s.") % {"values": ", ".join(Direction.values)})
            ok = False
        if d.conflict_policy not in ConflictPolicy.values:
            self.add("conflict_policy", _("Choose one of: %(values)s.") % {"values": ", ".join(ConflictPolicy.values)})
        if d.polling_interval_minutes is not None:
            try:
                minutes = int(d.polling_interval_minutes)
            except (TypeError, ValueError):
                minutes = None
            if minutes is None or minutes > 1440:
                self.add("polling_interval_minutes",
                         _("Enter a whole number of minutes (at most 1440, once a day)."))
            elif minutes < self.install_polling:
                self.add(
                    "polling_interval_minutes",
                    _("The install polls every %(minutes)s minutes; a workflow may only poll "
                      "less often.") % {"minutes": self.install_polling},
                )
        has_sheet = self.d.sheet_id not in (None, "")
        new_name = _text(d.new_sheet_name)
        if has_sheet and new_name:
            self.add("new_sheet_name", _("Choose an existing sheet or a new sheet name, not both."))
        elif not has_sheet and not new_name:
            self.add("sheet_id", _("Choose a sheet, or give a name for a new sheet."))
        elif new_name and len(new_name) > 50:
            # Smartsheet limits sheet names to 50 characters.
            self.add("new_sheet_name", _("Use at most 50 characters for a sheet name."))
        if self.sheet is not None:
            self.sheet_access()
        obj = _text(d.salesforce_object)
        info = self.describe(obj) if obj else None
        if not obj:
            self.add("salesforce_object", _("Choose a Salesforce object."))
            ok = False
        elif info is None:
            self.add("salesforce_object", _("'%(object)s' is not a Salesforce object you can read.") % {"object": obj})
            ok = False
        elif self.install_kind == "service_cloud" and info.get("name") not in SERVICE_CLOUD_OBJECTS:
            self.add(
                "salesforce_object",
                _("A Service Cloud install syncs %(objects)s; not '%(object)s'.")
                % {"objects": ", ".join(SERVICE_CLOUD_OBJECTS), "object": obj},
            )
            ok = False
        elif info.get("queryable") is False:
            self.add("salesforce_object", _("Salesforce does not let you read '%(object)s'.") % {"object": obj})
            ok = False
        else:
            d.salesforce_object = info.get("name", obj)
        return ok

    # -- mappings ----------------------------------------------------------------------
    def mappings(self) -> list[MappingSpec]:
        d = self.d
        result: list[MappingSpec] = []
        if not d.mappings:
            self.add("mappings", _("Map at least one field to a column."))
            return result
        if len(d.mappings) > MAX_COLUMNS:
            self.add("mappings", _("Map at most %(count)s columns.") % {"count": MAX_COLUMNS})
            return result
        seen_columns: dict[str, int] = {}
        written_fields: dict[str, int] = {}
        for n, raw in enumerate(d.mappings, start=1):
            spec = self._mapping(n, raw if isinstance(raw, dict) else {}, seen_columns,
                                 written_fields)
            if spec is not None:
                result.append(spec)
        return result

    def _default_direction(self, read_only: bool) -> str:
        if self.d.direction == Direction.TO_SALESFORCE:
            return MappingDirection.TO_SALESFORCE
        if self.d.direction == Direction.BIDIRECTIONAL and not read_only:
            return MappingDirection.BOTH
        return MappingDirection.TO_SMARTSHEET

    def _mapping(self, n: int, raw: dict, seen_columns: dict[str, int],
                 written_fields: dict[str, int]) -> MappingSpec | None:
        prefix = _("Row %(number)s: ") % {"number": n}
        path = _text(raw.get("salesforce_field"))
        title = _text(raw.get("column") if "column" in raw else raw.get("column_title"))
        new_column = _bool(raw.get("new_column", False))
        lookup = _text(raw.get("lookup_field"))
        direction = _text(raw.get("direction"))
        ok = True
        if not title:
            self.add("mappings", prefix + _("choose a column."))
            ok = False
        elif len(title) > 255:
            self.add("mappings", prefix + _("a column title has at most 255 characters."))
            ok = False
        elif title.lower() in seen_columns:
            self.add(
                "mappings",
                prefix + _("the column '%(column)s' is already mapped in row %(row)s; map each "
                           "column once.") % {"column": title, "row": seen_columns[title.lower()]},
            )
            ok = False
        else:
            seen_columns[title.lower()] = n

        if path.startswith("$"):
            return self._computed(n, path, title, direction, lookup) if ok else None

        try:
            resolved = resolve_path(self.describe, self.d.salesforce_object, path)
        except PathError as exc:
            self.add("mappings", prefix + str(exc))
            return None
        reason = read_only_reason(resolved, lookup=bool(lookup))
        computed = "" if new_column or self.sheet is None else column_read_only_reason(
            self.columns_by_title.get(title.lower()))
        if not direction:
            direction = (MappingDirection.TO_SALESFORCE if computed and not reason
                         and self.d.direction != Direction.TO_SMARTSHEET
                         else self._default_direction(bool(reason)))
        if direction not in MappingDirection.values:
            self.add("mappings", prefix + _("choose a direction: %(values)s.") % {"values": ", ".join(MappingDirection.values)})
            return None
        if direction not in _ALLOWED_MAPPING_DIRECTIONS.get(self.d.direction, set()):
            self.add("mappings", prefix + str(_DIRECTION_WORDS[self.d.direction]))
            ok = False
        elif reason and direction != MappingDirection.TO_SMARTSHEET:
            self.add(
                "mappings",
                prefix + (_("'%(path)s' can only flow to Smartsheet: %(reason)s.") % {
                    "path": resolved.path, "reason": reason}
                          if reason == RAW_REFERENCE_REASON else
                          _("'%(path)s' is read-only: it can only flow to Smartsheet.")
                          % {"path": resolved.path}),
            )
            ok = False
        elif computed and direction != MappingDirection.TO_SALESFORCE:
            self.add("mappings", prefix + _(
                "the column '%(column)s' is read-only (%(reason)s): it can only flow to "
                "Salesforce.") % {"column": title, "reason": computed})
            ok = False
        if direction != MappingDirection.TO_SMARTSHEET and not reason:
            key = resolved.path.lower()
            if key in written_fields:
                self.add(
                    "mappings",
                    prefix + _("'%(path)s' is already written from row %(row)s; one column "
                               "per Salesforce field.") % {"path": resolved.path,
                                                           "row": written_fields[key]},
                )
                ok = False
            else:
                written_fields[key] = n

        if lookup:
            ok = self._lookup(prefix, resolved, lookup) and ok
            if ok:
                lookup = self._lookup_name

        column_id = self._column(prefix, title, new_column) if title else None
        if not ok or column_id is False:
            return None
        return MappingSpec(
            salesforce_field=resolved.path, column_title=title, direction=direction,
            column_id=column_id or None, new_column=new_column or self.sheet is None,
            lookup_field=lookup,
        )

    def _computed(self, n: int, path: str, title: str, direction: str,
                  lookup: str) -> MappingSpec | None:
        prefix = _("Row %(number)s: ") % {"number": n}
        if path not in COMPUTED_FIELDS or self.install_kind != "service_cloud" or (
            self.d.salesforce_object != "Case"
        ):
            self.add("mappings", prefix + _("'%(path)s' is not a field of %(object)s.") % {"path": path, "object": self.d.salesforce_object})
            return None
        if direction not in ("", MappingDirection.TO_SMARTSHEET) or lookup:
            self.add(
                "mappings",
                prefix + _("'%(label)s' is computed: it can only flow to Smartsheet.")
                % {"label": COMPUTED_FIELDS[path].label},
            )
            return None
        if self.d.direction == Direction.TO_SALESFORCE:
            self.add("mappings", prefix + str(_DIRECTION_WORDS[Direction.TO_SALESFORCE]))
            return None
        column_id = self._column(prefix, title, True)
        if column_id is False:
            return None
        return MappingSpec(salesforce_field=path, column_title=title,
                           direction=MappingDirection.TO_SMARTSHEET,
                           column_id=column_id or None, new_column=True)

    _lookup_name = ""

    def _lookup(self, prefix: str, resolved, lookup: str) -> bool:
        ftype = resolved.field.get("type")
        targets = resolved.field.get("referenceTo") or []
        if ftype != "reference" or not targets:
            self.add(
                "mappings",
                prefix + _("'look up by' is only for reference fields; '%(path)s' is a "
                           "%(type)s field.") % {"path": resolved.path, "type": ftype},
            )
            return False
        target = self.describe(targets[0])
        found = None
        if target is not None:
            found = next(
                (f for f in target.get("fields", []) if f["name"].lower() == lookup.lower()), None
            )
        if found is None:
            self.add("mappings", prefix + _("'%(object)s' has no field '%(field)s' to look up "
                                            "by.") % {"object": targets[0], "field": lookup})
            return False
        self._lookup_name = found["name"]
        return True

    def _column(self, prefix: str, title: str, new_column: bool) -> int | None | bool:
        """The column id (None for a column still to create); False after an error."""
        if self.owned_title(title):
            self.add("mappings", prefix + _("'%(title)s' is the connector's own column: map "
                                            "the field to another column.") % {"title": title})
            return False
        if self.sheet is None:
            return None
        column = self.columns_by_title.get(title.lower())
        if new_column:
            if column is not None and column.get("id") not in self.own_column_ids:
                self.add(
                    "mappings",
                    prefix + _("'%(sheet)s' already has a column '%(column)s': map to it "
                               "instead of adding a new one.") % {"sheet": self.sheet.name,
                                                                  "column": title},
                )
                return False
            if column is None and not self.may_add_columns():
                self.add("mappings", prefix + self.new_column_refusal(title))
                return False
            return column.get("id") if column is not None else None
        if column is None:
            self.add(
                "mappings",
                prefix + _("'%(sheet)s' has no column '%(column)s'. Choose a column, or add it "
                           "as a new column.") % {"sheet": self.sheet.name, "column": title},
            )
            return False
        return column.get("id")


def check_draft(*, draft: Draft, describe: DescribeFn, sheet: SheetInfo | None,
                install_kind: str, install_id: int, owner_id: int,
                install_polling_minutes: int = 1, workflow_id: int | None = None,
                own_column_ids: frozenset[int] = frozenset(),
                check_name: bool = True) -> WorkflowSpec:
    """Check ``draft`` and return its spec, or raise :class:`WorkflowValidationError`.

    ``sheet`` is ``None`` when the draft creates a new sheet (``new_sheet_name``); every
    mapped column is then new. ``own_column_ids`` are the ids of columns this workflow
    already added (an edited workflow may keep mapping them as "new columns").
    Messages name the row ("Row 2: ...") and say what to do.
    """
    c = _Checker(draft=draft, describe=describe, sheet=sheet, install_kind=install_kind,
                 install_polling_minutes=install_polling_minutes, install_id=install_id,
                 owner_id=owner_id, workflow_id=workflow_id, own_column_ids=own_column_ids,
                 check_name=check_name)
    if not c.settings():
        raise WorkflowValidationError(c.errors)
    mappings = c.mappings()
    mapped_fields: dict[str, dict] = {}
    for m in mappings:
        if not m.salesforce_field.startswith("$"):
            mapped_fields[m.salesforce_field] = resolve_path(
                describe, draft.salesforce_object, m.salesforce_field).field
    filters = c.salesforce_filters(mapped_fields) + c.smartsheet_filters(mappings, mapped_fields)
    groups = c.row_groups()
    if c.errors:
        raise WorkflowValidationError(c.errors)
    return WorkflowSpec(
        id=workflow_id,
        name=_text(draft.name),
        direction=draft.direction,
        salesforce_object=draft.salesforce_object,
        install_id=install_id,
        owner_id=owner_id,
        sheet_id=sheet.id if sheet else None,
        sheet_name=sheet.name if sheet else _text(draft.new_sheet_name),
        new_sheet_name="" if sheet else _text(draft.new_sheet_name),
        conflict_policy=draft.conflict_policy,
        remove_rows_on_filter_exit=bool(draft.remove_rows_on_filter_exit),
        remove_rows_on_delete=bool(draft.remove_rows_on_delete),
        allow_duplicates=bool(draft.allow_duplicates),
        mappings=tuple(mappings),
        filters=tuple(filters),
        row_groups=tuple(groups),
        extra={"polling_interval_minutes": draft.polling_interval_minutes,
               "sheet_permalink": sheet.permalink if sheet else ""},
    )
