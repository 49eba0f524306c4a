"""Error emails: recipients, one email each, dedupe by fingerprint, real SMTP."""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import get_connection
from django.test import override_settings

from runs.models import RunError, RunStatus
from runs.notifications import error_fingerprint, run_errors_notify
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "00Dxx0000001gPL!ARgAQO.secret-access-token"


def partial_run(wf, **fields):
    return factories.run(wf, status=RunStatus.PARTIAL, errors_count=1, **fields)


def test_it_mails_the_owner_every_error_and_each_culprit_their_own(alice):
    wf = factories.workflow(alice, name="Pipeline")
    run = partial_run(wf)
    factories.run_error(run, row_id=11, row_number=3, primary_value="Beta", column="Stage",
                        message="Bad stage 'Won?'", culprit="Bob Chen",
                        culprit_email="bob@example.com")
    factories.run_error(run, row_id=12, row_number=4, column="Amount", message="Not a number",
                        culprit="Carol Diaz", culprit_email="Carol@Example.com")
    factories.run_error(run, row_id=13, row_number=5, column="Amount", message="Not a number",
                        culprit="Carol Diaz", culprit_email="carol@example.com")
    factories.run_error(run, record_id="001000000000001AAA", record_name="Gamma",
                        field="Name", message="Required")

    assert run_errors_notify(run=run) == 3
    by_recipient = {m.to[0].lower(): m for m in mail.outbox}
    assert set(by_recipient) == {"alice@example.com", "bob@example.com", "carol@example.com"}
    owner_mail = by_recipient["alice@example.com"].body
    # Identical messages are grouped, with their count and the rows under them.
    for text in ("- row 3 (Beta): Bad stage 'Won?'", "- [2×] row 4, row 5: Not a number",
                 "- Gamma: Required", f"/runs/{run.pk}/"):
        assert text in owner_mail
    bob_mail = by_recipient["bob@example.com"].body
    assert "row 3" in bob_mail and "row 4" not in bob_mail
    carol_mail = by_recipient["carol@example.com"].body
    assert "[2×] row 4, row 5" in carol_mail and "row 3" not in carol_mail
    html, mimetype = by_recipient["bob@example.com"].alternatives[0]
    assert mimetype == "text/html" and "Bad stage &#x27;Won?&#x27;" in html
    assert "Pipeline" in by_recipient["bob@example.com"].subject


def test_it_sends_one_email_when_the_owner_is_also_the_culprit(alice):
    wf = factories.workflow(alice)
    run = partial_run(wf)
    factories.run_error(run, row_id=1, row_number=1, culprit_email="alice@example.com")
    assert run_errors_notify(run=run) == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_it_does_not_mail_an_error_that_was_already_open(alice):
    wf = factories.workflow(alice)
    first = partial_run(wf)
    factories.run_error(first, row_id=7, row_number=2, column="Stage", message="Bad stage",
                        culprit_email="bob@example.com")
    assert run_errors_notify(run=first) == 2

    mail.outbox.clear()
    second = partial_run(wf)
    factories.run_error(second, row_id=7, row_number=2, column="Stage", message="Bad stage",
                        culprit_email="bob@example.com", repeat=True)
    assert run_errors_notify(run=second) == 0
    assert mail.outbox == []

    third = partial_run(wf)
    factories.run_error(third, row_id=7, row_number=2, column="Stage", message="Bad stage",
                        culprit_email="bob@example.com", repeat=True)
    factories.run_error(third, row_id=8, row_number=9, column="Stage", message="Bad stage",
                        culprit_email="bob@example.com")
    assert run_errors_notify(run=third) == 2
    assert all("row 9" in m.body and "row 2" not in m.body for m in mail.outbox)


def test_it_writes_to_each_recipient_in_their_language(alice, bob):
    from django.utils import translation

    bob.language = "fr"
    bob.save(update_fields=["language"])
    wf = factories.workflow(alice, name="Pipeline")
    run = partial_run(wf)
    factories.run_error(run, row_id=1, row_number=1, message="Bad", culprit_email="bob@example.com")
    with translation.override("fr"):
        expected = translation.gettext("See the run:")

    assert run_errors_notify(run=run) == 2
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "See the run:" in by_recipient["alice@example.com"]
    assert expected in by_recipient["bob@example.com"]


def test_the_fingerprint_keeps_an_engine_fingerprint_and_separates_workflows(alice):
    wf, other = factories.workflow(alice), factories.workflow(alice)
    run = partial_run(wf)
    given = factories.run_error(run, row_id=1, fingerprint="engine-made")
    blank = factories.run_error(run, row_id=1)
    run_errors_notify(run=run)
    assert RunError.objects.get(pk=given.pk).fingerprint == "engine-made"
    stored = RunError.objects.get(pk=blank.pk).fingerprint
    assert stored == error_fingerprint(workflow_id=wf.pk, error=blank)
    assert stored != error_fingerprint(workflow_id=other.pk, error=blank)


def test_it_mails_nothing_without_errors(alice):
    run = factories.run(factories.workflow(alice), status=RunStatus.SUCCEEDED)
    assert run_errors_notify(run=run) == 0
    assert mail.outbox == []


class Inbox:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server():
    """A real SMTP server on a free loopback port, the product's mail sent to it; yields
    the inbox (its ``envelopes``)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=controller.port, EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
            PUBLIC_BASE_URL="https://sync.example.com",
        ):
            yield inbox
    finally:
        controller.stop()


def test_it_sends_through_a_real_smtp_server_without_secrets(alice):
    with smtp_server() as inbox:
        inst = factories.install(salesforce_client_secret=SECRET)
        wf = factories.workflow(alice, inst)
        run = partial_run(wf)
        factories.run_error(run, row_id=5, row_number=5, field="Close Date",
                            message="Not a date: 31/02", culprit_email="bob@example.com")
        assert run_errors_notify(run=run, connection=get_connection()) == 2
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == ["alice@example.com", "bob@example.com"]
    raw = inbox.envelopes[0].content.decode()
    assert "Not a date: 31/02" in raw
    assert f"https://sync.example.com/runs/{run.pk}/" in raw
    assert "text/html" in raw
    assert SECRET not in raw and "secret" not in raw.lower()


def plain_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_it_groups_a_large_run_into_one_short_email_per_recipient_over_smtp(alice):
    with smtp_server() as inbox:
        wf = factories.workflow(alice, name="Pipeline")
        run = factories.run(wf, status=RunStatus.PARTIAL, errors_count=40)
        for n in range(12):  # one message, twelve rows: one line
            factories.run_error(run, row_id=100 + n, row_number=n + 2, column="Stage",
                                message="'Won?' is not an option of the column 'Stage'",
                                culprit_email="bob@example.com")
        for n in range(28):  # 28 different messages: more than an email shows
            factories.run_error(run, row_id=200 + n, row_number=n + 20, column="Amount",
                                message=f"'{n}x' is not a number")
        assert run_errors_notify(run=run, connection=get_connection()) == 2
    by_recipient = {e.rcpt_tos[0]: plain_text(e.content) for e in inbox.envelopes}
    assert sorted(by_recipient) == ["alice@example.com", "bob@example.com"]
    text = by_recipient["alice@example.com"]
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 20
    assert lines[0].startswith("- [12×] row 2, row 3, row 4, row 5, row 6, and 7 more: ")
    assert lines[-1] == "- ...and 10 more problems: see the run."
    assert f"https://sync.example.com/runs/{run.pk}/" in text
    bob = by_recipient["bob@example.com"]
    assert "[12×]" in bob and "is not a number" not in bob


def test_it_mails_the_owner_once_when_runs_fail_and_again_after_a_recovery(alice):
    from django.utils.html import escape

    from runs.notifications import run_failure_notify

    wf = factories.workflow(alice, name="Pipeline")
    why = "Salesforce refused the owner's sign-in: reconnect your Salesforce account."
    first = factories.run(wf, status=RunStatus.FAILED, message=why)
    assert run_failure_notify(run=first) == 1
    [sent] = mail.outbox
    assert sent.to == ["alice@example.com"] and "Pipeline" in sent.subject
    assert why in sent.body and f"/runs/{first.pk}/" in sent.body
    assert escape(why) in sent.alternatives[0][0]

    repeat = factories.run(wf, status=RunStatus.FAILED, message=why)
    assert run_failure_notify(run=repeat) == 0  # the same failure, poll after poll
    other = factories.run(wf, status=RunStatus.FAILED, message="The sheet was deleted.")
    assert run_failure_notify(run=other) == 1  # a different problem is news
    factories.run(wf, status=RunStatus.SUCCEEDED)
    again = factories.run(wf, status=RunStatus.FAILED, message="The sheet was deleted.")
    assert run_failure_notify(run=again) == 1  # broken again after a recovery
    assert run_failure_notify(run=factories.run(wf, status=RunStatus.SUCCEEDED)) == 0
    assert len(mail.outbox) == 3
