"""How the console shows machine data to people: tables instead of JSON, plain labels,
badges and dates. Everything here escapes what it is given (``format_html``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import grouped

EMPTY = "—"

#: Labels of keys that machine data (run summaries, audit entries) carries.
LABELS = {
    "rows_to_add": gettext_lazy("Rows to add"),
    "rows_to_update": gettext_lazy("Rows to update"),
    "rows_to_move": gettext_lazy("Rows to move"),
    "rows_to_remove": gettext_lazy("Rows to remove"),
    "group_rows_to_add": gettext_lazy("Group rows to add"),
    "errors": gettext_lazy("Errors"),
    "conflicts": gettext_lazy("Conflicts"),
    "error_items": gettext_lazy("First errors"),
    "records_to_create": gettext_lazy("Records to create"),
    "records_to_update": gettext_lazy("Records to update"),
    "fields_to_update": gettext_lazy("Fields to update"),
    "groups_to_add": gettext_lazy("Group rows to add"),
    "unlinks": gettext_lazy("Rows unlinked"),
    "calls": gettext_lazy("API calls"),
    "full": gettext_lazy("Full reconciliation"),
    "is_active": gettext_lazy("Active"),
    "system_admin": gettext_lazy("System Admin"),
    "connector_admin": gettext_lazy("Connector Admin"),
    "licensed": gettext_lazy("Licensed"),
    "salesforce_user": gettext_lazy("Salesforce user"),
    "service_cloud_user": gettext_lazy("Service Cloud user"),
    "tls_ca_bundle": gettext_lazy("TLS CA bundle"),
    "sla_hours": gettext_lazy("SLA targets (hours)"),
    "business_hours": gettext_lazy("Business hours"),
    "use_business_hours": gettext_lazy("Count business hours only"),
    "api_budget_percent": gettext_lazy("Daily API budget (%)"),
    "polling_interval_minutes": gettext_lazy("Polling interval (minutes)"),
    "salesforce_object": gettext_lazy("Salesforce object"),
    "salesforce_filters": gettext_lazy("Salesforce filters"),
    "smartsheet_filters": gettext_lazy("Smartsheet filters"),
    "remove_rows_on_filter_exit": gettext_lazy("Remove rows that leave the filter"),
    "remove_rows_on_delete": gettext_lazy("Remove rows of deleted records"),
    "status_message": gettext_lazy("Status message"),
}
_WORDS = {"salesforce": "Salesforce", "smartsheet": "Smartsheet", "api": "API", "url": "URL",
          "id": "ID", "sla": "SLA", "oauth": "OAuth", "tls": "TLS", "ca": "CA"}
DAYS = (gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"), gettext_lazy("Thu"),
        gettext_lazy("Fri"), gettext_lazy("Sat"), gettext_lazy("Sun"))


def label(key: str) -> str:
    """A person's word for a data key: ``rows_to_add`` → "Rows to add"; a field of the
    models the console shows (audit entries carry their names) → its verbose name."""
    if key in LABELS:
        return str(LABELS[key])
    verbose = _field_label(str(key))
    if verbose:
        return verbose
    words = [w for w in re.split(r"[_\s]+", str(key)) if w]
    if not words:
        return str(key)
    out = [_WORDS.get(w.lower(), w) for w in words]
    first = out[0]
    out[0] = first if first in _WORDS.values() else first[:1].upper() + first[1:]
    return " ".join(out)


def _field_label(name: str) -> str | None:
    from accounts.models import User
    from connector.models import Install
    from workflows.models import Workflow

    # The most generic wording first: a key shared by two models ("language") gets it.
    for model in (User, Workflow, Install):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        verbose = getattr(field, "verbose_name", None)
        # Only a name someone wrote (translated); Django's own ("sheet id") reads worse
        # than the key's wording below.
        if isinstance(verbose, Promise):
            text = str(verbose)
            return text[:1].upper() + text[1:]
    return None


def when(moment: datetime | None) -> str:
    """"5 Dec 00:48" in the console's time zone (the year when it is not this one)."""
    if moment is None:
        return EMPTY
    local = timezone.localtime(moment)
    pattern = "j M H:i" if local.year == timezone.localtime().year else "j M Y H:i"
    return date_format(local, pattern)


def value_html(value: Any) -> SafeString | str:
    """One value as text: yes/no, lists as lists, mappings as small tables, "—" for none."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Mapping):
        return values_table(value)
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return format_html('<ul class="sf-list">{}</ul>', format_html_join(
                "", "<li>{}</li>", ((value_html(v),) for v in value)))
        return format_html_join("", "<div>{}</div>", ((value_html(v),) for v in value))
    if isinstance(value, int | float):
        return (grouped(value) if isinstance(value, int)
                else grouped(value, decimals=2))
    return str(value)


def values_table(data: Mapping[str, Any], *, empty: str = EMPTY) -> SafeString | str:
    """A mapping as a two-column table of labelled values (nested mappings nest)."""
    if not data:
        return empty
    rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>',
                            ((label(k), value_html(v)) for k, v in data.items()))
    return format_html('<table class="sf-values"><tbody>{}</tbody></table>', rows)


def changes_table(before: Mapping[str, Any], after: Mapping[str, Any]) -> SafeString | str:
    """What changed: one row per key, its value before and after."""
    keys = [*before, *(k for k in after if k not in before)]
    if not keys:
        return EMPTY
    rows = format_html_join(
        "", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
        ((label(k), value_html(before.get(k)) if k in before else EMPTY,
          value_html(after.get(k)) if k in after else EMPTY) for k in keys))
    return format_html(
        '<table class="sf-values sf-changes"><thead><tr><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        _("Field"), _("Before"), _("After"), rows)


def grid(headers: Iterable[str], rows: Iterable[Iterable[Any]], *,
         empty: str = EMPTY) -> SafeString | str:
    """A plain table with a header row (cells may be safe HTML)."""
    body = format_html_join("", "<tr>{}</tr>", (
        (format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows))
    if not body:
        return empty
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    return format_html('<table class="sf-grid"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                       "</table>", head, body)


#: Badge colour per status word (the product's badges).
BADGE_KIND = {"succeeded": "ok", "partial": "warn", "failed": "bad", "cancelled": "muted",
              "queued": "info", "running": "info", "active": "ok", "paused_limit": "warn",
              "disabled": "bad", "enabled": "ok", "paused": "warn", "off": "muted"}


def badge(text: str, kind: str = "") -> SafeString:
    return format_html('<span class="sf-badge sf-{}">{}</span>', BADGE_KIND.get(kind, kind)
                       or "muted", text)
