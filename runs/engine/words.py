"""What the engine writes into sheets, in the install's language: the titles of the
columns it owns and the messages of its Sync Error cells.

Every function here translates with the active language: the pipeline runs the plan and
apply phases inside ``translation.override(install.language)``. Owned columns are
tracked by id, so a new language never adds columns; a sheet whose owned columns are not
tracked yet is searched for their title in every language.

Error messages say what is wrong in plain words and what to do about it; they never name
an API error code (the clients turn those into kinds, see
``connector.clients.errors.ITEM_KINDS``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.numbers import grouped
from workflows.columns import id_column_title, sync_error_title, titles_in_every_language

#: The longest value a Smartsheet cell holds.
CELL_MAX = 4000


def in_install_language(install) -> translation.override:
    """The install's language while active (the deployment's when it has none): for all a
    run writes — sheet cells, its errors, its own failure, a pause of its install."""
    return translation.override(getattr(install, "language", "") or settings.LANGUAGE_CODE)


# -- owned columns (their titles live with the workflows: the wizard prepares sheets too) --
__all__ = ["id_column_title", "sync_error_title", "titles_in_every_language"]


def deleted_message() -> str:
    return _("Deleted in Salesforce")


# -- error messages ------------------------------------------------------------------------
def _quoted(value) -> str:
    text = str(value)
    return f"'{text[:80]}…'" if len(text) > 80 else f"'{text}'"


def refused_by_salesforce(kind: str, *, column: str = "", field: str = "", value=None,
                          detail: str = "", creating: bool = False) -> str:
    """Salesforce refused a record the sheet sent (a create or update): the row's edit is
    what to change. ``detail`` is Salesforce's own message (it names the rule or field)."""
    column_text = _quoted(column) if column else ""
    field = field or _("a field")
    if kind == "picklist":
        if value is not None and column:
            return _("%(value)s is not a value of the Salesforce picklist %(field)s: choose "
                     "one of its values in the column %(column)s, or ask a Salesforce admin "
                     "to add it.") % {"value": _quoted(value), "field": field,
                                      "column": column_text}
        return _("A value is not one of the values of the Salesforce picklist %(field)s: "
                 "choose one of them, or ask a Salesforce admin to add it.") % {
                     "field": field}
    if kind == "required":
        if column:
            return _("%(field)s is required in Salesforce: fill in the column %(column)s.") % {
                "field": field, "column": column_text}
        return _("%(field)s is required in Salesforce and no column of this workflow fills "
                 "it: map a column to it, or fill it in Salesforce.") % {"field": field}
    if kind == "validation_rule":
        return _("A Salesforce validation rule refused the change: %(rule)s. Change the row so "
                 "that it meets the rule.") % {"rule": detail.rstrip(".") or _("no reason given")}
    if kind == "permission":
        return _("The workflow owner may not edit %(field)s in Salesforce (a read-only field, "
                 "or no permission): set the mapping to Salesforce → Smartsheet only, or ask "
                 "a Salesforce admin for access.") % {"field": field}
    if kind == "duplicate":
        return _("Salesforce found a duplicate of this record (%(detail)s): change the row so "
                 "that it differs, or merge the records in Salesforce.") % {
                     "detail": detail.rstrip(".") or _("a duplicate rule")}
    if kind == "too_long":
        return _("The value of %(column)s is too long for %(field)s in Salesforce: shorten "
                 "it.") % {"column": column_text or _("a column"), "field": field}
    if kind == "type":
        return _("The value of %(column)s is not of the type of %(field)s in Salesforce "
                 "(%(detail)s): correct it.") % {"column": column_text or _("a column"),
                                                 "field": field,
                                                 "detail": detail.rstrip(".")}
    if kind == "record_not_found":
        return _("The record was deleted in Salesforce.")
    if creating:
        return _("Salesforce did not create the record: %(detail)s") % {"detail": detail}
    return _("Salesforce refused the change: %(detail)s") % {"detail": detail}


def refused_by_smartsheet(kind: str, *, column: str = "", value=None, detail: str = "",
                          verb: str = "update") -> str:
    """Smartsheet refused a row the engine wrote from Salesforce (an add, update or move):
    the sheet's setup, or the record, is what to change."""
    column_text = _quoted(column) if column else _("a column")
    if kind == "picklist":
        if value is not None:
            return _("%(value)s is not an option of the column %(column)s: add it to the "
                     "column's options, or map the field to a text column.") % {
                         "value": _quoted(value), "column": column_text}
        return _("A value is not an option of the column %(column)s: add it to the column's "
                 "options, or map the field to a text column.") % {"column": column_text}
    if kind == "permission":
        return _("The column %(column)s cannot be written (a locked column, a formula or a "
                 "system column): unlock it, or map the field to another column.") % {
                     "column": column_text}
    if kind == "too_long":
        return _("The value is too long for the column %(column)s (%(max)s characters at "
                 "most): shorten it in Salesforce.") % {"column": column_text,
                                                        "max": grouped(CELL_MAX)}
    if kind == "type":
        return _("The value does not fit the type of the column %(column)s: change the "
                 "column's type, or map the field to a text column.") % {"column": column_text}
    if verb == "add":
        return _("Could not add a row: %(detail)s") % {"detail": detail}
    if verb == "move":
        return _("Could not move the row: %(detail)s") % {"detail": detail}
    return _("Could not update the row: %(detail)s") % {"detail": detail}


def group_row_refused(value, detail: str) -> str:
    return _("Could not add the group row %(value)s: %(detail)s") % {
        "value": _quoted(value), "detail": detail}


def cannot_convert(column: str, detail: str) -> str:
    """A cell the planner cannot turn into the field's value (``detail`` says why)."""
    return _("%(column)s: %(detail)s") % {"column": column, "detail": detail}


def lookup_failed(column: str, lookup: tuple[str, str], value, *, several: bool) -> str:
    """A typed value of a lookup column (a user's name for OwnerId) that matches no
    record, or several."""
    values = {"column": column, "object": lookup[0], "field": lookup[1],
              "value": _quoted(value)}
    if several:
        return _("%(column)s: several %(object)s with %(field)s %(value)s: make it "
                 "unique in Salesforce, or type another value.") % values
    return _("%(column)s: no %(object)s with %(field)s %(value)s: check the spelling, or "
             "create it in Salesforce first.") % values


def invalid_id(value, object_name: str) -> str:
    return _("%(value)s is not a valid %(object)s id: paste the id from the record's "
             "address in Salesforce, or clear the cell.") % {"value": _quoted(value),
                                                            "object": object_name}


def no_such_record(record_id: str, object_name: str) -> str:
    return _("No %(object)s with id %(id)s exists: check the id, or clear the cell.") % {
        "object": object_name, "id": record_id}


def already_synced(record_id: str) -> str:
    return _("%(id)s is already synced with another row: clear one of the two "
             "cells.") % {"id": record_id}
