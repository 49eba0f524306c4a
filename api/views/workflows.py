"""Workflows API: list (filtered), retrieve, create, PATCH, delete; ``preview/`` (a dry
run of a saved workflow or of a draft), ``run/``, ``transfer/``, ``errors/`` (open errors,
also ``errors/grouped/``) and ``service-report/``.

Saving goes through ``runs.services.workflow_save``, which also starts the first run or
the run an edit needs.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.selectors import users_of_team
from api.errors import connector_errors, workflow_errors
from api.serializers.runs import (
    OpenErrorGroupSerializer,
    OpenErrorSerializer,
    PreviewSerializer,
    RunRequestedSerializer,
    ServiceReportSerializer,
    WorkflowWithRunSerializer,
)
from api.serializers.workflows import WorkflowTransferSerializer, WorkflowUpdateSerializer
from core.api import ApiError, BaseViewSet, error_responses, id_param
from runs.engine import SyncFailed
from runs.engine import preview as engine_preview
from runs.errors import grouped_by_message
from runs.models import RunTrigger
from runs.selectors import open_errors_of_workflow
from runs.service_cloud.services import (
    ReportUnavailable,
    report_as_dict,
    service_report_for_workflow,
)
from runs.services import RunRefused, run_request_for_user, workflow_save
from workflows.models import Workflow
from workflows.permissions import user_can_transfer_workflow
from workflows.selectors import workflow_visible_to, workflows_visible_to
from workflows.services import (
    TransferRefused,
    workflow_delete,
    workflow_transfer,
    workflow_validate,
)
from workflows.spec import spec_from_workflow

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


#: The engine's systemic failure kinds → HTTP status of the preview answer.
SYNC_FAILED_STATUS = {
    "auth": 409, "revoked": 409, "config": 409, "not_found": 409, "permission": 403,
    "limit": 503, "transient": 502, "timeout": 504,
}


class WorkflowViewSet(BaseViewSet):
    serializer_class = WorkflowWithRunSerializer
    queryset = Workflow.objects.none()  # for the schema; get_queryset scopes to the caller
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Workflow]:
        return workflows_visible_to(self.request.user).prefetch_related(
            "mappings", "filters", "row_groups").order_by("name", "id")

    def get_object(self) -> Workflow:
        return workflow_visible_to(user=self.request.user, workflow_id=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("enabled", OpenApiTypes.BOOL, description="Only enabled (true) or disabled (false) workflows."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Owner's user id."),
            OpenApiParameter("install", OpenApiTypes.INT, description="Install id."),
        ],
        responses={200: WorkflowWithRunSerializer(many=True), **error_responses(400, 404)},
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
                raise ApiError(_("'enabled' must be true or false."),
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

    @extend_schema(responses={200: WorkflowWithRunSerializer, **error_responses(404)})
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={201: WorkflowWithRunSerializer, **error_responses(400, 403, 409)})
    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with workflow_errors():
            # A refused first run (paused or disabled install) leaves the workflow saved.
            saved = workflow_save(
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
                remove_rows_on_filter_exit=v.get("remove_rows_on_filter_exit", False),
                remove_rows_on_delete=v.get("remove_rows_on_delete", False),
                allow_duplicates=v.get("allow_duplicates", False),
            )
        workflow = workflow_visible_to(user=request.user, workflow_id=saved.workflow.pk)
        return Response(self.get_serializer(workflow).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkflowUpdateSerializer,
                   responses={200: WorkflowWithRunSerializer,
                              **error_responses(400, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        workflow = self.get_object()
        data = WorkflowUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        for key in ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups"):
            if key in changes:
                changes[key] = [dict(item) for item in changes[key]]
        with workflow_errors():
            saved = workflow_save(user=request.user, workflow=workflow, **changes)
        workflow = workflow_visible_to(user=request.user, workflow_id=saved.workflow.pk)
        return Response(self.get_serializer(workflow).data)

    @extend_schema(responses={204: None, **error_responses(403, 404)})
    def destroy(self, request, pk=None):
        workflow_delete(user=request.user, workflow=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: PreviewSerializer,
                                            **error_responses(403, 404, 409, 502, 503, 504)})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """Dry run: what the next run would change. Writes nothing (owner only)."""
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        if workflow.owner_id != request.user.pk:
            raise ApiError(_("Only the owner previews a workflow (it reads through the owner's "
                           "connections)."), status_code=403)
        with connector_errors():
            try:
                result = engine_preview(spec_from_workflow(workflow), user=request.user,
                                        workflow=workflow)
            except SyncFailed as exc:
                raise ApiError(exc.message, status_code=SYNC_FAILED_STATUS.get(exc.kind, 502),
                               errors={"preview": [exc.message]}) from exc
        return Response(_preview_body(result))

    @extend_schema(request=WorkflowWithRunSerializer, operation_id="workflows_preview_draft",
                   responses={200: PreviewSerializer, **error_responses(400, 403, 409, 502, 503, 504)})
    @action(detail=False, methods=["post"], url_path="preview", url_name="preview-draft")
    def preview_draft(self, request):
        """Dry run of an unsaved draft (the body of a create): validates, writes nothing."""
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
                polling_interval_minutes=v.get("polling_interval_minutes"),
                remove_rows_on_filter_exit=v.get("remove_rows_on_filter_exit", False),
                remove_rows_on_delete=v.get("remove_rows_on_delete", False),
                allow_duplicates=v.get("allow_duplicates", False),
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
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        try:
            run = run_request_for_user(user=request.user, workflow=workflow,
                                       trigger=RunTrigger.API)
        except RunRefused as exc:
            raise ApiError(exc.message, status_code=409) from exc
        return Response({"run": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=WorkflowTransferSerializer,
                   responses={200: WorkflowWithRunSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the workflow to another member of its team (System Admins): its links,
        history and open errors stay; later runs act as the new owner."""
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        if not user_can_transfer_workflow(user=request.user, workflow=workflow):
            raise ApiError(_("Only a System Admin of the team transfers workflows."),
                           status_code=403)
        data = WorkflowTransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_owner = users_of_team(team_id=workflow.owner.team_id).filter(
            pk=data.validated_data["owner"]).first()
        if new_owner is None:
            message = _("No member of this workflow's team has that id.")
            raise ApiError(message, errors={"owner": [message]})
        try:
            workflow_transfer(actor=request.user, workflow=workflow, new_owner=new_owner)
        except TransferRefused as exc:
            raise ApiError(exc.message, errors={"owner": [exc.message]}) from exc
        workflow = workflow_visible_to(user=request.user, workflow_id=workflow.pk)
        return Response(self.get_serializer(workflow).data)

    @extend_schema(responses={200: ServiceReportSerializer,
                              **error_responses(404, 409, 502)})
    @action(detail=True, methods=["get"], url_path="service-report", url_name="service-report")
    def service_report(self, request, pk=None):
        """SLA compliance, time to close, cases at risk, escalations and key accounts of a
        Case workflow's cases, read live through the owner's connection (one paged
        query). Owner and team admins; 404 for other workflows and non-Case ones."""
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        try:
            report = service_report_for_workflow(workflow=workflow)
        except ReportUnavailable as exc:
            message = "Not found." if exc.status == 404 else exc.message
            raise ApiError(message, status_code=exc.status) from exc
        return Response(report_as_dict(report))

    @extend_schema(responses={200: OpenErrorSerializer(many=True), **error_responses(404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def errors(self, request, pk=None):
        """The workflow's open errors: each stays open until its row or record syncs
        cleanly (every run retries it), with when it was first and last seen and how many
        runs met it."""
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        return Response(OpenErrorSerializer(open_errors_of_workflow(workflow=workflow),
                                            many=True).data)

    @extend_schema(responses={200: OpenErrorGroupSerializer(many=True), **error_responses(404)})
    @action(detail=True, methods=["get"], pagination_class=None, url_path="errors/grouped",
            url_name="errors-grouped")
    def errors_grouped(self, request, pk=None):
        """The workflow's open errors grouped by identical message, the largest group
        first."""
        workflow = workflow_visible_to(user=request.user, workflow_id=pk)
        groups = grouped_by_message(open_errors_of_workflow(workflow=workflow))
        return Response(OpenErrorGroupSerializer(
            [{"message": g.message, "count": g.count, "errors": g.errors} for g in groups],
            many=True).data)


def _preview_body(result: dict) -> dict:
    """The engine's summary in the documented shape (every count present)."""
    smartsheet = result.get("smartsheet", {})
    salesforce = result.get("salesforce", {})
    return {
        "smartsheet": {k: int(smartsheet.get(k, 0)) for k in (
            "rows_to_add", "group_rows_to_add", "rows_to_update", "rows_to_move",
            "rows_to_remove")},
        "salesforce": {k: int(salesforce.get(k, 0)) for k in (
            "records_to_create", "records_to_update")},
        "fields_to_update": {str(k): int(v)
                             for k, v in (result.get("fields_to_update") or {}).items()},
        "errors": int(result.get("errors", 0)),
        "error_items": list(result.get("error_items") or []),
        "conflicts": int(result.get("conflicts", 0)),
        "unlinks": int(result.get("unlinks", 0)),
        "full": bool(result.get("full", True)),
    }
