"""Error emails: after a run with sync errors, one email per recipient; after a run that
failed as a whole, one email to the owner.

Recipients are the workflow owner (every new error) and each culprit — the person whose
edit caused an error (``RunError.culprit_email``: the cell's last editor for a sheet edit,
the record's last modifier when a user of the install for a Salesforce edit) — for the
errors they caused. An error already open before the run with the same message
(``RunError.repeat``) was mailed then and is not mailed again, so a row that stays broken
does not flood anyone's inbox; one that was fixed and breaks again is news.

Each email groups identical messages (with their count and the rows under them), shows
at most :data:`MAX_LINES` of them and links to the run page; it is written in the
recipient's language (a person's profile, else the install's).

A failed run (a revoked connection, a deleted sheet, a removed field) has no row errors
but stops the workflow: its owner is mailed the run's message, once — the same failure
on the next polls is not mailed again until a run succeeds or the message changes.

Emails carry row numbers, record ids, fields and messages, and a link to the run page;
never tokens or credentials.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from runs.errors import grouped_by_message
from runs.models import FINISHED_STATUSES, Run, RunError, RunStatus

log = logging.getLogger(__name__)

#: Lines of errors an email shows at most (one per message); the run page has them all.
MAX_LINES = 20
#: Rows named on one line at most.
ROWS_PER_LINE = 5


def error_fingerprint(*, workflow_id: int, error: RunError) -> str:
    """Workflow + row/record + field + message hash: the same problem, run after run."""
    message_hash = hashlib.sha256(error.message.strip().encode()).hexdigest()
    where = f"row:{error.row_id}" if error.row_id else f"record:{error.record_id}"
    key = f"{workflow_id}|{where}|{error.field}|{message_hash}"
    return hashlib.sha256(key.encode()).hexdigest()


def run_errors_fingerprint(*, run: Run) -> list[RunError]:
    """Fill in the fingerprint of the run's errors where the engine left it blank."""
    errors = list(RunError.objects.filter(run=run).order_by("row_number", "id"))
    missing = [e for e in errors if not e.fingerprint]
    for error in missing:
        error.fingerprint = error_fingerprint(workflow_id=run.workflow_id, error=error)
    if missing:
        RunError.objects.bulk_update(missing, ["fingerprint"])
    return errors


@dataclass
class Email:
    to: str
    errors: list[RunError] = field(default_factory=list)
    is_owner: bool = False
    language: str = ""


def run_errors_recipients(*, run: Run) -> list[Email]:
    """Who gets mailed about which of the run's errors (the news only: not those that
    were already open with the same message)."""
    errors = run_errors_fingerprint(run=run)
    fresh = [e for e in errors if not e.repeat]
    if not fresh:
        return []
    workflow = run.workflow
    fallback = workflow.install.language or settings.LANGUAGE_CODE
    emails: dict[str, Email] = {}
    owner = workflow.owner
    owner_email = (owner.email or "").strip().lower()
    if owner_email:
        emails[owner_email] = Email(to=owner.email, errors=list(fresh), is_owner=True,
                                    language=owner.language or fallback)
    for error in fresh:
        culprit = (error.culprit_email or "").strip().lower()
        if not culprit or culprit == owner_email:
            continue
        emails.setdefault(culprit, Email(to=error.culprit_email.strip())).errors.append(error)
    people = {u.email.strip().lower(): u for u in User.objects.filter(
        email__in=[e.to for e in emails.values() if not e.is_owner], is_active=True)}
    for email in emails.values():
        if not email.is_owner:
            person = people.get(email.to.lower())
            email.language = (person.language if person is not None else "") or fallback
    return list(emails.values())


def email_lines(errors: list[RunError]) -> tuple[list, int]:
    """The groups an email shows (at most :data:`MAX_LINES`) and how many it leaves to
    the run page."""
    groups = grouped_by_message(errors)
    if len(groups) <= MAX_LINES:
        return groups, 0
    return groups[:MAX_LINES - 1], len(groups) - (MAX_LINES - 1)


def run_url(*, run: Run) -> str:
    return f"{settings.PUBLIC_BASE_URL}/runs/{run.pk}/"


def run_errors_notify(*, run: Run, connection=None) -> int:
    """Send the error emails of ``run``; return how many were sent.

    One message per recipient, text and HTML, through Django's email backend
    (``EMAIL_URL``). A failure to send is logged, never raised into the worker.
    """
    recipients = run_errors_recipients(run=run)
    if not recipients:
        return 0
    connection = connection or get_connection(fail_silently=False)
    sent = 0
    for email in recipients:
        groups, more = email_lines(email.errors)
        with translation.override(email.language or settings.LANGUAGE_CODE):
            context = {
                "run": run,
                "workflow": run.workflow,
                "errors": email.errors,
                "lines": [{"message": g.message, "count": g.count,
                           "items": g.items(ROWS_PER_LINE)} for g in groups],
                "more": more,
                "is_owner": email.is_owner,
                "run_url": run_url(run=run),
            }
            subject = render_to_string("runs/email/run_errors_subject.txt", context).strip()
            message = EmailMultiAlternatives(
                subject=" ".join(subject.split()),
                body=render_to_string("runs/email/run_errors.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[email.to],
                connection=connection,
            )
            message.attach_alternative(render_to_string("runs/email/run_errors.html", context),
                                       "text/html")
        try:
            sent += message.send()
        except Exception:  # noqa: BLE001 - mail trouble must not fail the run
            log.exception("could not mail run %s errors to a recipient", run.pk)
    return sent


def run_failure_needs_mail(*, run: Run) -> bool:
    """A FAILED run is news unless the workflow's previous finished run failed the same
    way (an unbroken repeat of the same message)."""
    if run.status != RunStatus.FAILED:
        return False
    previous = (Run.objects.filter(workflow_id=run.workflow_id, pk__lt=run.pk,
                                   status__in=FINISHED_STATUSES)
                .order_by("-pk").values("status", "message").first())
    return not (previous and previous["status"] == RunStatus.FAILED
                and previous["message"].strip() == run.message.strip())


def run_failure_notify(*, run: Run, connection=None) -> int:
    """Mail the owner that ``run`` failed as a whole (see :func:`run_failure_needs_mail`);
    return how many emails were sent. A failure to send is logged, never raised."""
    owner = run.workflow.owner
    if not (owner.email or "").strip() or not run_failure_needs_mail(run=run):
        return 0
    context = {"run": run, "workflow": run.workflow, "run_url": run_url(run=run)}
    subject = render_to_string("runs/email/run_failed_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("runs/email/run_failed.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email.strip()],
        connection=connection or get_connection(fail_silently=False),
    )
    message.attach_alternative(render_to_string("runs/email/run_failed.html", context),
                               "text/html")
    try:
        return message.send()
    except Exception:  # noqa: BLE001 - mail trouble must not fail the worker
        log.exception("could not mail the failure of run %s", run.pk)
        return 0
