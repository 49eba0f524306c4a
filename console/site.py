"""The console's admin site: the product's site (roles, team scope, one sign-in) with the
team overview as its home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from console.overview import team_overview
from core.admin import SheetforceAdminSite


class ConsoleSite(SheetforceAdminSite):
    site_header = _("sheetforce console")
    site_title = _("sheetforce console")
    index_title = _("Team console")
    index_template = "admin/index.html"
    empty_value_display = "—"

    #: The list pages need the width at 1280 px: the sections are in the header instead.
    enable_nav_sidebar = False
    #: The order of the console's sections (the header's links).
    ORDER = ("accounts.user", "accounts.apitoken", "connector.install",
             "connector.connection", "workflows.workflow", "runs.run", "runs.link",
             "audit.auditentry", "accounts.team")

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {name: i for i, name in enumerate(self.ORDER)}

        def key(model) -> int:
            return rank.get(f"{model['model']._meta.app_label}.{model['object_name'].lower()}",
                            len(rank))

        for app in apps:
            app["models"].sort(key=key)
        apps.sort(key=lambda app: min((key(m) for m in app["models"]), default=len(rank)))
        return apps

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={**team_overview(request),
                                                     **(extra_context or {})})
