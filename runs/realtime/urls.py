"""Routes of real-time sync, included at ``hooks/`` by ``connector/urls.py``."""

from __future__ import annotations

from django.urls import path

from runs.realtime import views

app_name = "realtime"
urlpatterns = [
    path("smartsheet/<int:workflow_id>/", views.smartsheet_callback, name="smartsheet-callback"),
]
