"""URL configuration: the Django admin, the HTML interface (``web``) and the REST API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("connector.api_urls")),
    path("hooks/", include("runs.realtime.urls")),
    path("", include("web.urls")),
]
