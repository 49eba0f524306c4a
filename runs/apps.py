from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    name = "runs"
    verbose_name = _("Runs")

    def ready(self) -> None:
        # Deployment plumbing, not core flow: `migrate` leaves the scheduler tick and the
        # daily cleanup in place (idempotent), so a deploy needs no extra step.
        from runs.scheduling import ensure_schedules_after_migrate

        post_migrate.connect(ensure_schedules_after_migrate, sender=self,
                             dispatch_uid="runs.ensure_schedules")
