"""Recording changes. The domain services call :func:`audit_record` right after each
change they make, so the console, the product's pages and the API are recorded alike."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditAction, AuditEntry

log = logging.getLogger(__name__)

#: What a secret's new value is recorded as: never the value, not even encrypted.
SECRET_CHANGED = "changed"


def _plain(values: Mapping[str, Any] | None) -> dict:
    """JSON-ready copy (dates, decimals, lazy strings become text)."""
    return json.loads(json.dumps(dict(values or {}), cls=DjangoJSONEncoder))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any], *,
                  secret: Iterable[str] = ()) -> tuple[dict, dict]:
    """The keys whose value differs (no value and an empty one are the same), as
    (before, after). A key in ``secret`` is recorded as "" → :data:`SECRET_CHANGED`
    whatever its values were."""
    secret = set(secret)
    old, new = {}, {}
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key), after.get(key)
        if was == now or (_empty(was) and _empty(now)):
            continue
        if key in secret:
            old[key], new[key] = "", SECRET_CHANGED
        else:
            old[key], new[key] = before.get(key), after.get(key)
    return old, new


def audit_record(*, actor, action: AuditAction | str, target, team_id: int | None,
                 before: Mapping[str, Any] | None = None,
                 after: Mapping[str, Any] | None = None,
                 label: str | None = None) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target`` (a model instance, or anything
    with ``pk``; its kind is the action's prefix). ``before`` / ``after`` hold only what
    changed, never a secret (see :func:`audit_changes`); ``label`` overrides
    ``str(target)`` (e.g. for a target about to be deleted)."""
    action = AuditAction(action)
    name = ""
    if actor is not None:
        name = (getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "")
                or str(actor))
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None, actor_name=name[:255],
        team_id=team_id, action=action, target_type=action.value.split(".")[0],
        target_id=getattr(target, "pk", None), target_label=(label or str(target))[:255],
        before=_plain(before), after=_plain(after))
    log.info("audit: %s %s %s by user %s", action.value, entry.target_type, entry.target_id,
             getattr(actor, "pk", None))
    return entry
