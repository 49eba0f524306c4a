"""Runs API: the runs of the workflows the caller sees, their errors and conflicts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from api.serializers.runs import ConflictSerializer, RunErrorSerializer, RunSerializer
from core.api import ApiError, BaseViewSet, error_responses, id_param, parse_id
from runs.models import Run, RunStatus
from runs.selectors import runs_visible_to


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
        qs = runs_visible_to(user=self.request.user)
        if self.action != "list":
            return qs
        workflow = id_param(self.request, "workflow")
        if workflow is not None:
            qs = qs.filter(workflow_id=workflow)
        wanted = self.request.query_params.get("status")
        if wanted not in (None, ""):
            if wanted not in RunStatus.values:
                raise ApiError(_("Unknown status."), errors={
                    "status": [f"Choose one of: {', '.join(RunStatus.values)}."]})
            qs = qs.filter(status=wanted)
        return qs

    def _run(self, pk) -> Run:
        run = None
        if parse_id(pk) is not None:
            run = runs_visible_to(user=self.request.user).filter(pk=int(pk)).first()
        if run is None:
            raise ApiError(_("Not found."), status_code=404)
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
