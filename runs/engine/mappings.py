"""Resolving a workflow spec against the describe and the sheet's columns.

The describe facts are cached in ``SyncState.field_cache`` by the caller, so a poll costs
no describe call; this module only turns them into :class:`MappingInfo`.
"""

from __future__ import annotations

from runs.engine.columns import ColumnFacts
from runs.engine.computed import computed_info
from runs.engine.convert import ANY_TYPE, FieldInfo
from runs.engine.types import MappingInfo
from runs.service_cloud.metrics import INPUT_FIELDS
from workflows.service_cloud import COMPUTED_FIELDS, COMPUTED_OBJECT, is_computed
from workflows.spec import WorkflowSpec


class ConfigurationError(ValueError):
    """The workflow refers to something that no longer exists (a field, a column)."""


def needed_fields(spec: WorkflowSpec) -> list[str]:
    """The object's own field names the engine needs described (sorted); computed
    ``$`` columns are included (their FieldInfo is synthesized, not described)."""
    names = {m.salesforce_field for m in spec.mappings}
    names |= {g.field for g in spec.row_groups if g.field}
    names |= {f.field for f in spec.salesforce_filters}
    return sorted(n for n in names if n and "." not in n)


def field_infos_from_describe(describe: dict, names: list[str]) -> dict[str, FieldInfo]:
    by_name = {f["name"].lower(): f for f in describe.get("fields", [])}
    out: dict[str, FieldInfo] = {}
    for name in names:
        if is_computed(name):
            if name not in COMPUTED_FIELDS or describe.get("name") != COMPUTED_OBJECT:
                raise ConfigurationError(
                    f"'{name}' is a computed column of Service Cloud cases only: edit the "
                    "workflow's mappings.")
            out[name] = computed_info(name)
            continue
        raw = by_name.get(name.lower())
        if raw is None:
            raise ConfigurationError(
                f"The field {name} no longer exists on {describe.get('name', 'the object')}: "
                "edit the workflow's mappings.")
        out[name] = FieldInfo.from_describe(raw)
    return out


def info_for(path: str, infos: dict[str, FieldInfo]) -> FieldInfo:
    """The FieldInfo of a path; relationship paths are not described (pass-through)."""
    if "." in path:
        return FieldInfo(name=path, type=ANY_TYPE)
    info = infos.get(path)
    if info is None:
        raise ConfigurationError(f"The field {path} is not available.")
    return info


def resolve_mappings(spec: WorkflowSpec, infos: dict[str, FieldInfo],
                     columns_by_title: dict[str, int],
                     columns: dict[int, ColumnFacts] | None = None) -> list[MappingInfo]:
    """MappingInfo for every mapping; ``column_id`` from the spec or the column title.

    A column Smartsheet computes (a column formula, a system column) is never written:
    its mapping flows to Salesforce only, whatever its direction says.
    """
    out = []
    columns = columns or {}
    for m in spec.mappings:
        column_id = m.column_id or columns_by_title.get(m.column_title)
        column = columns.get(column_id) if column_id is not None else None
        to_ss = m.direction in ("to_smartsheet", "both") and not (column and column.computed)
        to_sf = m.direction in ("to_salesforce", "both")
        path = m.salesforce_field
        if is_computed(path):
            # Computed from the case's inputs by the planner; never read nor written back.
            info = infos.get(path) or computed_info(path)
            out.append(MappingInfo(spec=m, key=m.key, column_id=column_id, info=info,
                                   read_path=path, write_field=None, createable=False,
                                   to_smartsheet=not (column and column.computed),
                                   to_salesforce=False, updateable=False, column=column,
                                   field_label=m.column_title))
            continue
        if "." in path:
            out.append(MappingInfo(spec=m, key=m.key, column_id=column_id,
                                   info=FieldInfo(name=path, type=ANY_TYPE), read_path=path,
                                   write_field=None, createable=False, to_smartsheet=to_ss,
                                   to_salesforce=False, updateable=False, column=column,
                                   field_label=path))
            continue
        field = info_for(path, infos)
        writable = field.updateable or field.createable
        label = field.label or path
        if m.lookup_field:
            if not field.relationship_name or not field.reference_to:
                raise ConfigurationError(f"{path} is not a lookup field.")
            target = "User" if "User" in field.reference_to else field.reference_to[0]
            out.append(MappingInfo(
                spec=m, key=m.key, column_id=column_id,
                # Blank clears the reference: refused when the reference is required.
                info=FieldInfo(name=m.lookup_field, type="string", nillable=field.nillable),
                read_path=f"{field.relationship_name}.{m.lookup_field}",
                write_field=path if writable else None, createable=field.createable,
                to_smartsheet=to_ss, to_salesforce=to_sf, lookup=(target, m.lookup_field),
                updateable=field.updateable, column=column, field_label=label))
            continue
        out.append(MappingInfo(
            spec=m, key=m.key, column_id=column_id, info=field, read_path=path,
            write_field=path if writable else None, createable=field.createable,
            to_smartsheet=to_ss, to_salesforce=to_sf, updateable=field.updateable,
            column=column, field_label=label))
    return out


def query_paths(spec: WorkflowSpec, mappings: list[MappingInfo]) -> list[str]:
    """Every path the record query selects beyond the audit fields."""
    paths: list[str] = []
    computed = False
    for m in mappings:
        if is_computed(m.read_path):
            computed = True  # its inputs are selected below, once
            continue
        paths.append(m.read_path)
        if m.lookup is not None:
            paths.append(m.spec.salesforce_field)
    paths += [g.field for g in spec.row_groups if g.field]
    if computed:
        paths += INPUT_FIELDS  # same query: the metrics cost no extra call
    return paths
