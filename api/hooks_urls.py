"""Routes of the real-time receivers, included at ``hooks/`` by ``sheetforce.urls``."""

from __future__ import annotations

from django.urls import path

from api.views import webhooks

app_name = "realtime"
urlpatterns = [
    path("smartsheet/<int:workflow_id>/", webhooks.smartsheet_callback,
         name="smartsheet-callback"),
]
