"""URL configuration. Each app owns its own ``urls.py``; the API lives under /api/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("connector.web_urls")),
    path("", include("workflows.urls")),
    path("", include("runs.urls")),
    path("api/", include("connector.api_urls")),
]
