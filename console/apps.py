from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SheetforceAdminConfig(AdminConfig):
    """Django's admin app, with the console's site (roles, team scope, sign-in, the team
    overview as home)."""

    default_site = "console.site.ConsoleSite"


class ConsoleConfig(AppConfig):
    """Every admin registration: the admin console."""

    name = "console"
    verbose_name = _("Admin console")
