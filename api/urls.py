"""The REST API (``/api/``): version 1 endpoints, the OpenAPI document and its docs;
the Smartsheet webhook receiver lives at ``/hooks/`` (see ``sheetforce.urls``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

import core.ids  # noqa: F401  (registers the <id:…> converter)
from api.views.accounts import ApiTokenViewSet, MeView, TokenView, UserViewSet
from api.views.audit import AuditEntryViewSet
from api.views.connector import ConnectionViewSet, InstallViewSet
from api.views.metadata import (
    SalesforceFieldsView,
    SalesforceObjectsView,
    SmartsheetColumnsView,
    SmartsheetSheetsView,
)
from api.views.organization import OrganizationWorkflowViewSet
from api.views.runs import RunViewSet
from api.views.workflows import WorkflowViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("users", UserViewSet, basename="api-user")
router.register("tokens", ApiTokenViewSet, basename="api-apitoken")
router.register("installs", InstallViewSet, basename="api-install")
router.register("connections", ConnectionViewSet, basename="api-connection")
router.register("workflows", WorkflowViewSet, basename="api-workflow")
router.register("runs", RunViewSet, basename="api-run")
router.register("audit", AuditEntryViewSet, basename="api-audit")
router.register("organization/workflows", OrganizationWorkflowViewSet,
                basename="api-organization-workflow")

v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("installs/<id:install_id>/salesforce/objects/", SalesforceObjectsView.as_view(),
         name="api-salesforce-objects"),
    path("installs/<id:install_id>/salesforce/objects/<str:name>/fields/",
         SalesforceFieldsView.as_view(), name="api-salesforce-fields"),
    path("installs/<id:install_id>/smartsheet/sheets/", SmartsheetSheetsView.as_view(),
         name="api-smartsheet-sheets"),
    path("installs/<id:install_id>/smartsheet/sheets/<id:sheet_id>/columns/",
         SmartsheetColumnsView.as_view(), name="api-smartsheet-columns"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the page works under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
