"""Runs API, and the workflows endpoint with the parts that need ``runs``.

``WorkflowViewSet`` extends ``workflows.api.views.BaseWorkflowViewSet`` with the first
run after create, ``preview/`` (dry run through the engine) and ``run/``.
"""

from __future__ import annotations

import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.common import ApiError, BaseViewSet, error_responses, id_param, parse_id
from connector.api.common import connector_errors
from runs.api.serializers import (
    ConflictSerializer,
    PreviewSerializer,
    RunErrorSerializer,
    RunRequestedSerializer,
    RunSerializer,
    ServiceReportSerializer,
    WorkflowWithRunSerializer,
)
from runs.models import Run, RunStatus, RunTrigger
from runs.selectors import run_list_visible_to
from runs.services import RunRefused, run_request_after_save, run_request_for_user
from workflows.api.common import workflow_errors
from workflows.api.views import BaseWorkflowViewSet
from workflows.selectors import workflow_get_for_user
from workflows.spec import spec_from_workflow

log = logging.getLogger(__name__)


#: The engine's systemic failure kinds → HTTP status of the preview answer.
SYNC_FAILED_STATUS = {
    "auth": 409, "revoked": 409, "config": 409, "not_found": 409, "permission": 403,
    "limit": 503, "transient": 502, "timeout": 504,
}


@extend_schema_view(
    list=extend_schema(responses={200: WorkflowWithRunSerializer(many=True),
                                  **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: WorkflowWithRunSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: WorkflowWithRunSerializer,
                                    **error_responses(400, 403, 409)}),
    partial_update=extend_schema(responses={200: WorkflowWithRunSerializer,
                                            **error_responses(400, 403, 404, 409)}),
)
class WorkflowViewSet(BaseWorkflowViewSet):
    serializer_class = WorkflowWithRunSerializer

    def after_create(self, workflow) -> None:
        # A refused first run (paused or disabled install) leaves the workflow saved.
        run_request_after_save(workflow=workflow, user=self.request.user, created=True)

    def after_update(self, workflow) -> None:
        run_request_after_save(workflow=workflow, user=self.request.user, created=False)

    @extend_schema(request=None, responses={200: PreviewSerializer,
                                            **error_responses(403, 404, 409, 502, 503, 504)})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """Dry run: what the next run would change. Writes nothing (owner only)."""
        from runs.engine import SyncFailed
        from runs.engine import preview as engine_preview

        workflow = workflow_get_for_user(user=request.user, workflow_id=pk)
        if workflow.owner_id != request.user.pk:
            raise ApiError("Only the owner previews a workflow (it reads through the owner's "
                           "connections).", status_code=403)
        with connector_errors():
            try:
                result = engine_preview(spec_from_workflow(workflow), user=request.user,
                                        workflow=workflow)
            except SyncFailed as exc:
                raise ApiError(exc.message, status_code=SYNC_FAILED_STATUS.get(exc.kind, 502),
                               errors={"preview": [exc.message]}) from exc
        return Response(_preview_body(result))

    @extend_schema(request=WorkflowWithRunSerializer,
                   responses={200: PreviewSerializer, **error_responses(400, 403, 409, 502, 503, 504)})
    @action(detail=False, methods=["post"], url_path="preview", url_name="preview-draft")
    def preview_draft(self, request):
        """Dry run of an unsaved draft (the body of a create): validates, writes nothing."""
        from runs.engine import SyncFailed
        from runs.engine import preview as engine_preview
        from workflows.services import workflow_validate

        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with workflow_errors():
            spec = workflow_validate(
                user=request.user, install=v["install"], direction=v["direction"],
                salesforce_object=v["salesforce_object"], sheet_id=v.get("sheet_id"),
                new_sheet_name=v.get("new_sheet_name", ""),
                mappings=[dict(m) for m in v["mappings"]],
                salesforce_filters=[dict(f) for f in v.get("salesforce_filters", [])],
                smartsheet_filters=[dict(f) for f in v.get("smartsheet_filters", [])],
                row_groups=[dict(g) for g in v.get("row_groups", [])],
                name=v["name"], conflict_policy=v.get("conflict_policy", "salesforce_wins"),
            )
            try:
                result = engine_preview(spec, user=request.user, workflow=None)
            except SyncFailed as exc:
                raise ApiError(exc.message, status_code=SYNC_FAILED_STATUS.get(exc.kind, 502),
                               errors={"preview": [exc.message]}) from exc
        return Response(_preview_body(result))

    @extend_schema(request=None, responses={202: RunRequestedSerializer,
                                            **error_responses(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Request a run now (coalesced with one already queued)."""
        workflow = workflow_get_for_user(user=request.user, workflow_id=pk)
        try:
            run = run_request_for_user(user=request.user, workflow=workflow,
                                       trigger=RunTrigger.API)
        except RunRefused as exc:
            raise ApiError(exc.message, status_code=409) from exc
        return Response({"run": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)


    @extend_schema(responses={200: ServiceReportSerializer,
                              **error_responses(404, 409, 502)})
    @action(detail=True, methods=["get"], url_path="service-report", url_name="service-report")
    def service_report(self, request, pk=None):
        """SLA compliance, time to close, cases at risk, escalations and key accounts of a
        Case workflow's cases, read live through the owner's connection (one paged
        query). Owner and team admins; 404 for other workflows and non-Case ones."""
        from runs.service_cloud.services import (
            ReportUnavailable,
            report_as_dict,
            service_report_for_workflow,
        )

        workflow = workflow_get_for_user(user=request.user, workflow_id=pk)
        try:
            report = service_report_for_workflow(workflow=workflow)
        except ReportUnavailable as exc:
            message = "Not found." if exc.status == 404 else exc.message
            raise ApiError(message, status_code=exc.status) from exc
        return Response(report_as_dict(report))


def _jsonable(value) -> bool:
    return isinstance(value, int | float | str | bool | type(None) | list | dict)


def _preview_body(result: dict) -> dict:
    """The engine's summary with the four contract counts always present."""
    smartsheet = result.get("smartsheet", {})
    salesforce = result.get("salesforce", {})
    return {
        **{k: v for k, v in result.items() if k not in ("smartsheet", "salesforce")
           and isinstance(k, str) and _jsonable(v)},
        "smartsheet": {"rows_to_add": int(smartsheet.get("rows_to_add", 0)),
                       "rows_to_update": int(smartsheet.get("rows_to_update", 0))},
        "salesforce": {"records_to_create": int(salesforce.get("records_to_create", 0)),
                       "records_to_update": int(salesforce.get("records_to_update", 0))},
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("workflow", OpenApiTypes.INT, description="Runs of this workflow."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=RunStatus.values),
        ],
        responses={200: RunSerializer(many=True), **error_responses(400, 404)},
    ),
    retrieve=extend_schema(responses={200: RunSerializer, **error_responses(404)}),
)
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Runs of the workflows the caller sees, newest first."""

    serializer_class = RunSerializer
    queryset = Run.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        qs = run_list_visible_to(user=self.request.user)
        if self.action != "list":
            return qs
        workflow = id_param(self.request, "workflow")
        if workflow is not None:
            qs = qs.filter(workflow_id=workflow)
        wanted = self.request.query_params.get("status")
        if wanted not in (None, ""):
            if wanted not in RunStatus.values:
                raise ApiError("Unknown status.", errors={
                    "status": [f"Choose one of: {', '.join(RunStatus.values)}."]})
            qs = qs.filter(status=wanted)
        return qs

    def _run(self, pk) -> Run:
        run = None
        if parse_id(pk) is not None:
            run = run_list_visible_to(user=self.request.user).filter(pk=int(pk)).first()
        if run is None:
            raise ApiError("Not found.", status_code=404)
        return run

    @extend_schema(responses={200: RunErrorSerializer(many=True), **error_responses(404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def errors(self, request, pk=None):
        run = self._run(pk)
        return Response(RunErrorSerializer(run.errors.order_by("row_number", "id"), many=True).data)

    @extend_schema(responses={200: ConflictSerializer(many=True), **error_responses(404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def conflicts(self, request, pk=None):
        run = self._run(pk)
        return Response(ConflictSerializer(run.conflicts.order_by("id"), many=True).data)
