from django.apps import AppConfig


class ConnectorConfig(AppConfig):
    name = "connector"
    verbose_name = "Connector"

    def ready(self) -> None:
        from connector import checks  # noqa: F401  (registers system checks)


from django.contrib.admin.apps import AdminConfig  # noqa: E402


class SheetforceAdminConfig(AdminConfig):
    default_site = "connector.admin_site.SheetforceAdminSite"
