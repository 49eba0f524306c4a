"""Sheet columns a workflow tracks by id once a run has found them."""

from __future__ import annotations

from collections.abc import Mapping as MappingOf

from workflows.models import Filter, FilterSide, Mapping, Workflow


def workflow_remember_column_ids(*, workflow: Workflow, column_ids: MappingOf[str, int]) -> None:
    """Track by id the sheet columns ``workflow`` still names by title only, so that a
    column renamed in the sheet keeps syncing. ``column_ids``: title → id of columns
    found in the sheet. Mappings and Smartsheet filters that have an id keep it."""
    for title, column_id in column_ids.items():
        Mapping.objects.filter(workflow=workflow, column_title=title,
                               column_id__isnull=True).update(column_id=column_id)
        Filter.objects.filter(workflow=workflow, side=FilterSide.SMARTSHEET, field=title,
                              column_id__isnull=True).update(column_id=column_id)
