"""The wizard's metadata through the caller's own connections (under an install).

``GET installs/{id}/salesforce/objects/``, ``.../objects/{name}/fields/``,
``installs/{id}/smartsheet/sheets/``, ``.../sheets/{sheet_id}/columns/``.
Every answer comes live from the services (nothing cached between requests).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.errors import connector_errors
from api.serializers.workflows import (
    ColumnSerializer,
    SalesforceFieldSerializer,
    SalesforceObjectSerializer,
    SheetSerializer,
)
from connector.models import Install, InstallKind
from connector.selectors import installs_visible_to
from core.api import ApiError, BaseAPIView, error_responses, parse_id
from workflows.metadata import Metadata
from workflows.service_cloud import COMPUTED_FIELDS, COMPUTED_OBJECT, sla_status_options
from workflows.validation import (
    ResolvedField,
    column_operators,
    field_operators,
    read_only_reason,
)


def _install(request, install_id) -> Install:
    if parse_id(install_id) is None:
        raise ApiError(_("Not found."), status_code=404)
    install = installs_visible_to(request.user).filter(pk=install_id).first()
    if install is None:
        raise ApiError(_("Not found."), status_code=404)
    return install


def _computed_fields() -> list[dict]:
    """The computed Case columns: mappable to Smartsheet only, never filters."""
    return [{
        "name": f.name, "label": _("%(label)s (computed)") % {"label": f.label}, "type": f.type,
        "updateable": False, "createable": False, "nillable": True, "reference_to": [],
        "relationship_name": None,
        "picklist_values": [{"value": v, "label": v, "active": True}
                            for v in (sla_status_options() if f.type == "picklist" else ())],
        "read_only_reason": _("computed by the connector: it can only flow to Smartsheet"),
        "filter_operators": [],
    } for f in COMPUTED_FIELDS.values()]


class SalesforceObjectsView(BaseAPIView):
    @extend_schema(responses={200: SalesforceObjectSerializer(many=True),
                              **error_responses(404, 409, 502, 503)})
    def get(self, request, install_id: int):
        meta = Metadata(user=request.user, install=_install(request, install_id))
        with connector_errors():
            objects = meta.objects()
        return Response([
            {"name": o["name"], "label": o.get("label") or o["name"],
             "createable": bool(o.get("createable")), "updateable": bool(o.get("updateable"))}
            for o in objects
        ])


class SalesforceFieldsView(BaseAPIView):
    @extend_schema(responses={200: SalesforceFieldSerializer(many=True),
                              **error_responses(404, 409, 502, 503)})
    def get(self, request, install_id: int, name: str):
        install = _install(request, install_id)
        meta = Metadata(user=request.user, install=install)
        if not meta.object_allowed(name):
            raise ApiError(_("Not found."), status_code=404)
        with connector_errors():
            describe = meta.describe(name)
        if describe is None:
            raise ApiError(_("Not found."), status_code=404)
        data = []
        for f in describe.get("fields", []):
            resolved = ResolvedField(path=f["name"], field=f, object_name=describe.get("name", name),
                                     via_relationship=False)
            data.append({
                "name": f["name"], "label": f.get("label") or f["name"],
                "type": f.get("type", "string"), "updateable": bool(f.get("updateable")),
                "createable": bool(f.get("createable")), "nillable": bool(f.get("nillable")),
                "reference_to": list(f.get("referenceTo") or []),
                "relationship_name": f.get("relationshipName"),
                "picklist_values": [
                    {"value": p.get("value", ""), "label": p.get("label"),
                     "active": bool(p.get("active", True))}
                    for p in f.get("picklistValues") or []
                ],
                "read_only_reason": read_only_reason(resolved),
                "filter_operators": sorted(field_operators(f)),
            })
        if install.kind == InstallKind.SERVICE_CLOUD and describe.get("name", name) == COMPUTED_OBJECT:
            data += _computed_fields()
        return Response(data)


class SmartsheetSheetsView(BaseAPIView):
    @extend_schema(responses={200: SheetSerializer(many=True),
                              **error_responses(404, 409, 502, 503)})
    def get(self, request, install_id: int):
        meta = Metadata(user=request.user, install=_install(request, install_id))
        with connector_errors():
            sheets = meta.sheets()
        return Response([
            {"id": s["id"], "name": s.get("name", ""), "access_level": s.get("accessLevel")}
            for s in sheets
        ])


class SmartsheetColumnsView(BaseAPIView):
    @extend_schema(responses={200: ColumnSerializer(many=True),
                              **error_responses(404, 409, 502, 503)})
    def get(self, request, install_id: int, sheet_id: int):
        meta = Metadata(user=request.user, install=_install(request, install_id))
        if parse_id(sheet_id) is None:
            raise ApiError(_("Not found."), status_code=404)
        with connector_errors():
            columns = meta.columns(int(sheet_id))
        return Response([
            {"id": c["id"], "title": c.get("title", ""), "type": c.get("type", "TEXT_NUMBER"),
             "primary": bool(c.get("primary")),
             "filter_operators": sorted(column_operators(c.get("type", "TEXT_NUMBER")))}
            for c in columns
        ])
