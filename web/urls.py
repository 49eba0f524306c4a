"""URLs of the HTML interface (included at "/")."""

from __future__ import annotations

from django.urls import path

import core.ids  # noqa: F401  (registers the <id:…> converter)
from web.views import auth, connections, profile, reports, runs, sheets, workflows
from web.wizard import filters as wizard_filters
from web.wizard import save as wizard_save
from web.wizard import views as wizard

urlpatterns = [
    path("", workflows.dashboard, name="dashboard"),
    path("signin/", auth.SignInView.as_view(), name="login"),
    path("signout/", auth.SignOutView.as_view(), name="logout"),
    path("profile/", profile.profile_page, name="profile"),
    path("organization/", workflows.organization_page, name="organization"),
    path("profile/tokens/", profile.profile_token_create, name="profile_token_create"),
    path("profile/tokens/<id:token_id>/revoke/", profile.profile_token_revoke,
         name="profile_token_revoke"),
    # Connections and the OAuth flows.
    path("connections/", connections.connections_page, name="connections"),
    path("connections/<id:install_id>/<str:service>/connect/", connections.connection_start,
         name="connection_start"),
    path("connections/<id:install_id>/<str:service>/callback/", connections.connection_callback,
         name="connection_callback"),
    path("connections/<id:connection_id>/disconnect/", connections.connection_disconnect,
         name="connection_disconnect"),
    # The Settings menu.
    path("workflows/<id:workflow_id>/rename/", workflows.workflow_rename_page, name="workflow_rename"),
    path("workflows/<id:workflow_id>/enabled/", workflows.workflow_set_enabled_action,
         name="workflow_set_enabled"),
    path("workflows/<id:workflow_id>/delete/", workflows.workflow_delete_page, name="workflow_delete"),
    # Runs.
    path("workflows/<id:workflow_id>/runs/", runs.run_history, name="run_history"),
    path("workflows/<id:workflow_id>/run/", runs.workflow_run_now, name="workflow_run_now"),
    path("runs/<id:run_id>/", runs.run_detail, name="run_detail"),
    path("runs/<id:run_id>/progress/", runs.run_progress, name="run_progress"),
    # Service reports (Service Cloud).
    path("workflows/<id:workflow_id>/report/", reports.workflow_report, name="workflow_report"),
    path("installs/<id:install_id>/report/", reports.install_report, name="install_report"),
    # Preparing a sheet (its Admin adds the connector's columns for its Editors).
    path("installs/<id:install_id>/sheets/<id:sheet_id>/prepare/", sheets.sheet_prepare_page,
         name="sheet_prepare"),
    # The wizard.
    path("workflows/new/", wizard.wizard_start, name="wizard_start"),
    path("workflows/<id:workflow_id>/edit/", wizard.wizard_edit, name="wizard_edit"),
    path("wizard/settings/", wizard.SettingsStep.as_view(), name="wizard_settings"),
    path("wizard/fields/", wizard.FieldsStep.as_view(), name="wizard_fields"),
    path("wizard/filters/", wizard_filters.FiltersStep.as_view(), name="wizard_filters"),
    path("wizard/groups/", wizard_filters.GroupsStep.as_view(), name="wizard_groups"),
    path("wizard/options/", wizard_save.OptionsStep.as_view(), name="wizard_options"),
    path("wizard/save/", wizard_save.SaveStep.as_view(), name="wizard_save"),
    path("wizard/cancel/", wizard.wizard_cancel, name="wizard_cancel"),
]
