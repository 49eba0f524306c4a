"""Workflows API: list (filtered), retrieve, create, PATCH, delete.

``runs.api.views.WorkflowViewSet`` extends this class with the first run after create,
``preview/`` and ``run/`` (this app may not import ``runs``); the URL conf routes
``/api/v1/workflows/`` to that subclass.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.common import ApiError, BaseViewSet, error_responses, id_param
from workflows.api.common import workflow_errors
from workflows.api.serializers import WorkflowSerializer, WorkflowUpdateSerializer
from workflows.models import Workflow
from workflows.selectors import workflow_get_for_user, workflows_visible_to
from workflows.services import workflow_create, workflow_delete, workflow_update

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


class BaseWorkflowViewSet(BaseViewSet):
    serializer_class = WorkflowSerializer
    queryset = Workflow.objects.none()  # for the schema; get_queryset scopes to the caller
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Workflow]:
        return workflows_visible_to(self.request.user).prefetch_related(
            "mappings", "filters", "row_groups").order_by("name", "id")

    def get_object(self) -> Workflow:
        return workflow_get_for_user(user=self.request.user, workflow_id=self.kwargs["pk"])

    def after_create(self, workflow: Workflow) -> None:
        """Hook for the runs layer (the first run)."""

    def after_update(self, workflow: Workflow) -> None:
        """Hook for the runs layer (a run that applies changed settings)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("enabled", OpenApiTypes.BOOL, description="Only enabled (true) or disabled (false) workflows."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Owner's user id."),
            OpenApiParameter("install", OpenApiTypes.INT, description="Install id."),
        ],
        responses={200: WorkflowSerializer(many=True), **error_responses(400, 404)},
    )
    def list(self, request):
        qs = self.get_queryset()
        enabled = request.query_params.get("enabled")
        if enabled not in (None, ""):
            if enabled.lower() in _TRUE:
                qs = qs.filter(enabled=True)
            elif enabled.lower() in _FALSE:
                qs = qs.filter(enabled=False)
            else:
                raise ApiError("'enabled' must be true or false.",
                               errors={"enabled": ["Use true or false."]})
        owner = id_param(request, "owner")
        if owner is not None:
            qs = qs.filter(owner_id=owner)
        install = id_param(request, "install")
        if install is not None:
            qs = qs.filter(install_id=install)
        page = self.paginate_queryset(qs)
        data = self.get_serializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: WorkflowSerializer, **error_responses(404)})
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={201: WorkflowSerializer, **error_responses(400, 403, 409)})
    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with workflow_errors():
            workflow = workflow_create(
                user=request.user, install=v["install"], name=v["name"],
                direction=v["direction"], salesforce_object=v["salesforce_object"],
                sheet_id=v.get("sheet_id"), new_sheet_name=v.get("new_sheet_name", ""),
                mappings=[dict(m) for m in v["mappings"]],
                salesforce_filters=[dict(f) for f in v.get("salesforce_filters", [])],
                smartsheet_filters=[dict(f) for f in v.get("smartsheet_filters", [])],
                row_groups=[dict(g) for g in v.get("row_groups", [])],
                conflict_policy=v.get("conflict_policy", "salesforce_wins"),
                enabled=v.get("enabled", True), start_first_run=v.get("start_first_run", True),
                polling_interval_minutes=v.get("polling_interval_minutes"),
            )
        self.after_create(workflow)
        workflow = workflow_get_for_user(user=request.user, workflow_id=workflow.pk)
        return Response(self.get_serializer(workflow).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkflowUpdateSerializer,
                   responses={200: WorkflowSerializer, **error_responses(400, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        workflow = self.get_object()
        data = WorkflowUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        for key in ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups"):
            if key in changes:
                changes[key] = [dict(item) for item in changes[key]]
        with workflow_errors():
            workflow = workflow_update(user=request.user, workflow=workflow, **changes)
        self.after_update(workflow)
        workflow = workflow_get_for_user(user=request.user, workflow_id=workflow.pk)
        return Response(self.get_serializer(workflow).data)

    @extend_schema(responses={204: None, **error_responses(403, 404)})
    def destroy(self, request, pk=None):
        workflow_delete(user=request.user, workflow=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
