"""Filter and row-group checks of a draft (a mixin of the draft checker).

Uses the checker's ``d`` (the draft), ``describe``, ``sheet``, ``columns_by_title`` and
``add(key, message)``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from workflows.models import VALUELESS_OPERATORS, Direction, FilterOperator, FilterSide
from workflows.spec import FilterSpec, MappingSpec, RowGroupSpec
from workflows.validation.fields import (
    PathError,
    column_operators,
    column_type_for_field,
    column_value_problem,
    field_operators,
    field_value_problem,
    resolve_path,
)

MAX_TEXT = 4000


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class FilterChecks:
    # -- filters -----------------------------------------------------------------------
    def _operator_and_value(self, key: str, prefix: str, raw: dict,
                            allowed: frozenset[str], what: str) -> tuple[str, str] | None:
        operator = _text(raw.get("operator"))
        value = "" if raw.get("value") is None else str(raw.get("value"))
        if operator not in FilterOperator.values:
            self.add(key, prefix + _("choose a condition: %(values)s.")
                     % {"values": ", ".join(FilterOperator.values)})
            return None
        if not allowed:
            self.add(key, prefix + _("%(what)s cannot be used in a filter.") % {"what": what})
            return None
        if operator not in allowed:
            label = FilterOperator(operator).label
            choices = ", ".join(sorted(str(FilterOperator(o).label) for o in allowed))
            self.add(key, prefix + _("'%(condition)s' does not apply to %(what)s; use "
                                     "%(choices)s.") % {"condition": label, "what": what,
                                                         "choices": choices})
            return None
        if operator in VALUELESS_OPERATORS:
            return operator, ""
        if not value.strip():
            self.add(key, prefix + _("enter a value."))
            return None
        if len(value) > MAX_TEXT:
            self.add(key, prefix + _("use at most %(count)s characters.")
                     % {"count": MAX_TEXT})
            return None
        return operator, value

    def salesforce_filters(self, mapped_fields: dict[str, dict]) -> list[FilterSpec]:
        result = []
        for n, raw in enumerate(self.d.salesforce_filters, start=1):
            raw = raw if isinstance(raw, dict) else {}
            prefix = _("Row %(number)s: ") % {"number": n}
            try:
                resolved = resolve_path(self.describe, self.d.salesforce_object,
                                        _text(raw.get("field")))
            except PathError as exc:
                self.add("salesforce_filters", prefix + str(exc))
                continue
            what = f"'{resolved.path}'"
            checked = self._operator_and_value(
                "salesforce_filters", prefix, raw, field_operators(resolved.field), what)
            if checked is None:
                continue
            operator, value = checked
            if value:
                problem = field_value_problem(resolved.field, operator, value)
                if problem:
                    self.add("salesforce_filters", prefix + problem)
                    continue
            result.append(FilterSpec(side=FilterSide.SALESFORCE, field=resolved.path,
                                     operator=operator, value=value))
        return result

    def smartsheet_filters(self, mappings: list[MappingSpec],
                           mapped_fields: dict[str, dict]) -> list[FilterSpec]:
        result = []
        by_title = {m.column_title.lower(): m for m in mappings}
        for n, raw in enumerate(self.d.smartsheet_filters, start=1):
            raw = raw if isinstance(raw, dict) else {}
            prefix = _("Row %(number)s: ") % {"number": n}
            title = _text(raw.get("column") if "column" in raw else raw.get("field"))
            if not title:
                self.add("smartsheet_filters", prefix + _("choose a column."))
                continue
            column = self.columns_by_title.get(title.lower())
            if column is None and title.lower() in by_title:
                # A column the first run will add: its type follows the Salesforce field.
                m = by_title[title.lower()]
                field_info = mapped_fields.get(m.salesforce_field, {})
                column = {"title": m.column_title, "type": column_type_for_field(field_info)}
            if column is None:
                where = f"'{self.sheet.name}'" if self.sheet else _("the new sheet")
                self.add("smartsheet_filters", prefix + _("%(sheet)s has no column '%(column)s'.")
                         % {"sheet": where, "column": title})
                continue
            ctype = column.get("type", "TEXT_NUMBER")
            checked = self._operator_and_value(
                "smartsheet_filters", prefix, raw, column_operators(ctype),
                _("the %(type)s column '%(column)s'") % {
                    "type": ctype.lower().replace("_", " "), "column": column["title"]})
            if checked is None:
                continue
            operator, value = checked
            if value:
                problem = column_value_problem(column, operator, value)
                if problem:
                    self.add("smartsheet_filters", prefix + problem)
                    continue
                if ctype == "CHECKBOX":
                    value = value.strip().lower()
            result.append(FilterSpec(side=FilterSide.SMARTSHEET, field=column["title"],
                                     operator=operator, value=value,
                                     column_id=column.get("id")))
        return result

    # -- row groups --------------------------------------------------------------------
    def row_groups(self) -> list[RowGroupSpec]:
        result = []
        if self.d.row_groups and self.d.direction == Direction.TO_SALESFORCE:
            self.add("row_groups", _("Row groups arrange rows that come from Salesforce; a "
                                     "Smartsheet to Salesforce workflow has none."))
            return result
        for n, raw in enumerate(self.d.row_groups, start=1):
            raw = raw if isinstance(raw, dict) else {}
            prefix = _("Level %(number)s: ") % {"number": n}
            path, value = _text(raw.get("field")), _text(raw.get("value"))
            if bool(path) == bool(value):
                self.add("row_groups", prefix + _("group by a field or by a value (one of them)."))
                continue
            if value:
                if len(value) > 255:
                    self.add("row_groups", prefix + _("use at most 255 characters."))
                    continue
                result.append(RowGroupSpec(level=n, value=value))
                continue
            try:
                resolved = resolve_path(self.describe, self.d.salesforce_object, path)
            except PathError as exc:
                self.add("row_groups", prefix + str(exc))
                continue
            result.append(RowGroupSpec(level=n, field=resolved.path))
        return result
