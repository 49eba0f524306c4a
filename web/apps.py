from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The HTML interface. Rightmost app: it may import every other app."""

    name = "web"
    verbose_name = _("Web interface")
