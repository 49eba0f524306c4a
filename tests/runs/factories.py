"""Small factories for the runs tests: the personas, an install, workflows, runs.

Alice owns the workflows; Bob is on her team (a System Admin unless told otherwise);
Charlie is outside the team.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts.models import Team, User
from connector.models import Install
from runs.models import Run, RunError, RunStatus, RunTrigger
from workflows.models import Direction, Workflow

_sheet_ids = itertools.count(7_000_000_000_001)


def team(name: str = "Acme") -> Team:
    return Team.objects.get_or_create(name=name)[0]


def alice() -> User:
    return User.objects.get_or_create(
        username="alice", defaults={"email": "alice@example.com", "team": team(),
                                    "licensed": True, "salesforce_user": True},
    )[0]


def bob(*, system_admin: bool = True) -> User:
    return User.objects.get_or_create(
        username="bob", defaults={"email": "bob@example.com", "team": team(),
                                  "system_admin": system_admin, "licensed": True},
    )[0]


def charlie() -> User:
    return User.objects.get_or_create(
        username="charlie", defaults={"email": "charlie@example.com", "team": team("Globex"),
                                      "system_admin": True, "licensed": True},
    )[0]


def install(**fields) -> Install:
    fields.setdefault("name", "Acme org")
    fields.setdefault("team", team())
    return Install.objects.create(**fields)


def workflow(*, owner: User | None = None, install_: Install | None = None, **fields) -> Workflow:
    owner = owner or alice()
    fields.setdefault("name", f"Accounts {next(_sheet_ids) % 1000}")
    fields.setdefault("direction", Direction.TO_SMARTSHEET)
    fields.setdefault("sheet_id", next(_sheet_ids))
    fields.setdefault("salesforce_object", "Account")
    return Workflow.objects.create(owner=owner, install=install_ or install(), **fields)


def run(*, workflow_: Workflow, status: str = RunStatus.QUEUED, age: timedelta | None = None,
        **fields) -> Run:
    fields.setdefault("trigger", RunTrigger.MANUAL)
    created = Run.objects.create(workflow=workflow_, status=status, **fields)
    if age is not None:
        # queued_at is auto_now_add: move it back with an update.
        Run.objects.filter(pk=created.pk).update(queued_at=timezone.now() - age)
        created.refresh_from_db()
    return created


def run_error(*, run_: Run, **fields) -> RunError:
    fields.setdefault("message", "Value does not match a picklist option.")
    return RunError.objects.create(run=run_, **fields)
