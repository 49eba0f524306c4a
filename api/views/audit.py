"""The audit log (System Admins): who changed what, when — newest first, of their team."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins

from api.serializers.audit import AuditEntrySerializer
from audit.models import AuditAction, AuditEntry, AuditTarget
from audit.selectors import audit_entries_visible_to
from core.api import ApiError, BaseViewSet, error_responses, id_param


class AuditEntryViewSet(mixins.ListModelMixin, BaseViewSet):
    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.none()  # for the schema; get_queryset scopes to the team

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_system_admin:
            raise ApiError(_("Only System Admins read the audit log."), status_code=403)

    def get_queryset(self):
        qs = audit_entries_visible_to(self.request.user)
        params = self.request.query_params
        for name, choices in (("action", AuditAction), ("target_type", AuditTarget)):
            value = params.get(name)
            if value not in (None, ""):
                if value not in choices.values:
                    raise ApiError(_("Unknown %(name)s %(value)r.") % {"name": name, "value": value},
                                   errors={name: [_("Use one of: %(values)s.")
                                                  % {"values": ", ".join(choices.values)}]})
                qs = qs.filter(**{name: value})
        for name, lookup in (("actor", "actor_id"), ("target_id", "target_id")):
            value = id_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{lookup: value})
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, enum=AuditAction.values,
                             description="Only this kind of change."),
            OpenApiParameter("actor", OpenApiTypes.INT, description="Who (user id)."),
            OpenApiParameter("target_type", OpenApiTypes.STR, enum=AuditTarget.values,
                             description="Only changes to this kind of thing."),
            OpenApiParameter("target_id", OpenApiTypes.INT,
                             description="Only changes to this one (with target_type)."),
        ],
        responses={200: AuditEntrySerializer(many=True), **error_responses(400, 403, 404)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
