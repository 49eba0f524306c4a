from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who changed what, when: one entry per change of an install, a person's roles and
    licences, a workflow or a connection, whichever interface made it."""

    name = "audit"
    verbose_name = _("Audit log")
