"""The columns the connector owns in every synced sheet, and the sheet columns a workflow
tracks by id once a run has found them."""

from __future__ import annotations

from collections.abc import Mapping as MappingOf

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from workflows.models import Filter, FilterSide, Mapping, Workflow


def id_column_title(install_kind: str) -> str:
    """The record id column's title, in the active language: "Salesforce ID", or "Service
    Cloud ID" on Service Cloud installs (as Smartsheet's own connectors name them)."""
    if install_kind == "service_cloud":
        return _("Service Cloud ID")
    return _("Salesforce ID")


def sync_error_title() -> str:
    return _("Sync Error")


def titles_in_every_language(make) -> list[str]:
    """``make()`` in every language of the product (the active one first)."""
    titles = [make()]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            title = make()
        if title not in titles:
            titles.append(title)
    return titles


def owned_column_titles(install_kind: str) -> tuple[str, str]:
    """(record id column, Sync Error column) titles a new sheet of ``install_kind`` gets,
    in the active language (the install's, when a run or a preparation writes them)."""
    return id_column_title(install_kind), sync_error_title()


def owned_title_choices(install_kind: str) -> tuple[list[str], list[str]]:
    """Every title an existing owned column may carry: (record id column, Sync Error
    column), in every language — and the other kind's id title too (a "Salesforce ID"
    column serves a Service Cloud sheet synced before that column had its own name)."""
    other = "salesforce" if install_kind == "service_cloud" else "service_cloud"
    ids = [*titles_in_every_language(lambda: id_column_title(install_kind)),
           *titles_in_every_language(lambda: id_column_title(other))]
    return ids, titles_in_every_language(sync_error_title)


def owned_columns_missing(columns: list[dict] | tuple[dict, ...], install_kind: str
                          ) -> list[str]:
    """The owned columns' titles (in the active language) that ``columns`` (a sheet's raw
    columns) lack, whatever the language of those it has."""
    titles = {c.get("title") for c in columns}
    id_choices, error_choices = owned_title_choices(install_kind)
    id_title, error_title = owned_column_titles(install_kind)
    missing = []
    if not titles & set(id_choices):
        missing.append(id_title)
    if not titles & set(error_choices):
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
