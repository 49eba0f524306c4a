"""Error emails: after a run with sync errors, one email per recipient; after a run that
failed as a whole, one email to the owner.

Recipients are the workflow owner (every new error) and each culprit — the person whose
edit caused an error (``RunError.culprit_email``) — for the errors they caused. An error
whose fingerprint already appeared on an earlier run of the workflow was mailed then and
is not mailed again, so a row that stays broken does not flood anyone's inbox.

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

from runs.models import FINISHED_STATUSES, Run, RunError, RunStatus

log = logging.getLogger(__name__)


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


def run_errors_recipients(*, run: Run) -> list[Email]:
    """Who gets mailed about which of the run's errors (new ones only)."""
    errors = run_errors_fingerprint(run=run)
    seen_before = set(
        RunError.objects.filter(
            run__workflow_id=run.workflow_id, run_id__lt=run.pk,
            fingerprint__in={e.fingerprint for e in errors},
        ).values_list("fingerprint", flat=True)
    )
    fresh = [e for e in errors if e.fingerprint not in seen_before]
    if not fresh:
        return []
    emails: dict[str, Email] = {}
    owner_email = (run.workflow.owner.email or "").strip().lower()
    if owner_email:
        emails[owner_email] = Email(to=run.workflow.owner.email, errors=list(fresh), is_owner=True)
    for error in fresh:
        culprit = (error.culprit_email or "").strip().lower()
        if not culprit or culprit == owner_email:
            continue
        emails.setdefault(culprit, Email(to=error.culprit_email.strip())).errors.append(error)
    return list(emails.values())


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
        context = {
            "run": run,
            "workflow": run.workflow,
            "errors": email.errors,
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
