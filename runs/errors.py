"""Errors as people read them: identical messages grouped, each group with its count and
the rows (or records) under it — on the run page, in emails, in the API's grouped view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class ErrorGroup:
    """Errors sharing one message (RunErrors or OpenErrors, in their order)."""

    message: str
    errors: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.errors)

    def items(self, limit: int | None = None) -> str:
        """The rows or records of the group, named as a person finds them ("row 3
        (Beta)", "Gamma"): the first ``limit`` of them, then how many more."""
        shown = self.errors if limit is None else self.errors[:limit]
        names = [item_name(e) for e in shown]
        more = self.count - len(shown)
        if more > 0:
            names.append(_("and %(count)s more") % {"count": more})
        return ", ".join(names)


def item_name(error) -> str:
    """The row or record an error is about, as a person finds it."""
    if error.row_number:
        if error.primary_value:
            return _("row %(number)s (%(name)s)") % {"number": error.row_number,
                                                      "name": error.primary_value}
        return _("row %(number)s") % {"number": error.row_number}
    if error.record_name:
        return error.record_name
    if error.primary_value:
        return error.primary_value
    if error.record_id:
        return _("record %(id)s") % {"id": error.record_id}
    if error.row_id:
        return _("row id %(id)s") % {"id": error.row_id}
    return _("the workflow")


def grouped_by_message(errors: Iterable) -> list[ErrorGroup]:
    """Errors grouped by identical message, the largest group first (then first met)."""
    groups: dict[str, ErrorGroup] = {}
    for error in errors:
        groups.setdefault(error.message, ErrorGroup(message=error.message)).errors.append(error)
    return sorted(groups.values(), key=lambda g: -g.count)
