"""``manage.py setup_schedules``: create the scheduler tick and cleanup schedules."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from runs.scheduling import ensure_schedules


class Command(BaseCommand):
    help = "Create or repair the django-q2 schedules (scheduler tick, run cleanup). Idempotent."

    def handle(self, *args, **options) -> None:
        for schedule in ensure_schedules():
            self.stdout.write(f"{schedule.name}: {schedule.func} (next run {schedule.next_run})")
