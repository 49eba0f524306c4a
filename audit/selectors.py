"""Reads of the audit log, scoped to who may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Newest first: a System Admin sees their team's entries, a superuser everyone's,
    anybody else none."""
    qs = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.system_admin and user.team_id is not None:
        return qs.filter(team_id=user.team_id)
    return qs.none()
