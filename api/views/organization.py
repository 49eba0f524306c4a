"""``GET /api/v1/organization/workflows/``: every workflow of the caller's team, as the
connector's documentation says everyone with access sees them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from api.serializers.workflows import OrganizationWorkflowSerializer
from core.api import BaseViewSet, error_responses
from runs.selectors import workflows_with_last_run
from workflows.models import Workflow
from workflows.selectors import workflows_of_organization


@extend_schema_view(list=extend_schema(
    responses={200: OrganizationWorkflowSerializer(many=True), **error_responses(404)}))
class OrganizationWorkflowViewSet(mixins.ListModelMixin, BaseViewSet):
    """Read-only; enabling, disabling and details stay on ``/api/v1/workflows/``."""

    serializer_class = OrganizationWorkflowSerializer
    queryset = Workflow.objects.none()  # for the schema; get_queryset scopes to the team

    def get_queryset(self):
        return workflows_with_last_run(workflows_of_organization(self.request.user)).order_by(
            "name", "id")
