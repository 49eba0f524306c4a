"""Routes of the real-time receivers, included at ``hooks/`` by ``sheetforce.urls``."""

from __future__ import annotations

from django.urls import path

import core.ids  # noqa: F401  (registers the <id:…> converter)
from api.views import webhooks

app_name = "realtime"
urlpatterns = [
    path("smartsheet/<id:workflow_id>/", webhooks.smartsheet_callback,
         name="smartsheet-callback"),
]
