"""The columns the connector owns in every synced sheet, and the sheet columns a workflow
tracks by id once a run has found them."""

from __future__ import annotations

from collections.abc import Mapping as MappingOf

from workflows.models import Filter, FilterSide, Mapping, Workflow

#: The record id column's title: "Salesforce ID", or "Service Cloud ID" on Service Cloud
#: installs (as Smartsheet's own connectors name it).
ID_COLUMN_TITLES = {"salesforce": "Salesforce ID", "service_cloud": "Service Cloud ID"}
SYNC_ERROR_TITLE = "Sync Error"


def owned_column_titles(install_kind: str) -> tuple[str, str]:
    """(record id column, Sync Error column) titles a sheet of ``install_kind`` gets. The
    engine looks for them by title until it has found them once, then by id."""
    return ID_COLUMN_TITLES.get(install_kind, ID_COLUMN_TITLES["salesforce"]), SYNC_ERROR_TITLE


def owned_columns_missing(columns: list[dict] | tuple[dict, ...], install_kind: str
                          ) -> list[str]:
    """The owned columns' titles that ``columns`` (a sheet's raw columns) lack. A Service
    Cloud sheet synced before its id column had its own title has a "Salesforce ID"
    column: the engine takes that one too."""
    titles = {c.get("title") for c in columns}
    id_title, error_title = owned_column_titles(install_kind)
    missing = []
    if id_title not in titles and ID_COLUMN_TITLES["salesforce"] not in titles:
        missing.append(id_title)
    if error_title not in titles:
        missing.append(error_title)
    return missing


def owned_column_specs(install_kind: str) -> list[dict]:
    """The owned columns as Smartsheet's add-columns call takes them."""
    return [{"title": t, "type": "TEXT_NUMBER"} for t in owned_column_titles(install_kind)]


def workflow_remember_column_ids(*, workflow: Workflow, column_ids: MappingOf[str, int]) -> None:
    """Track by id the sheet columns ``workflow`` still names by title only, so that a
    column renamed in the sheet keeps syncing. ``column_ids``: title → id of columns
    found in the sheet. Mappings and Smartsheet filters that have an id keep it."""
    for title, column_id in column_ids.items():
        Mapping.objects.filter(workflow=workflow, column_title=title,
                               column_id__isnull=True).update(column_id=column_id)
        Filter.objects.filter(workflow=workflow, side=FilterSide.SMARTSHEET, field=title,
                              column_id__isnull=True).update(column_id=column_id)
