from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SheetforceAdminConfig(AdminConfig):
    """Django's admin app, with the product's own site (roles, team scope, sign-in)."""

    default_site = "core.admin.SheetforceAdminSite"


class ConsoleConfig(AppConfig):
    """Every admin registration: the admin console."""

    name = "console"
    verbose_name = "Admin console"
