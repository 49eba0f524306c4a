"""URL configuration: the admin console, the HTML interface (``web``), the REST API,
the real-time receivers and the operations endpoints (``api``)."""

from django.contrib import admin
from django.urls import include, path

from api.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("hooks/", include("api.hooks_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]
