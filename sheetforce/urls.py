"""URL configuration: the admin console, the HTML interface (``web``), the REST API and
the real-time receivers (``api``)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("hooks/", include("api.hooks_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]
