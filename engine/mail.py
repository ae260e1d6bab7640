"""The mail outbox, sent by the worker after the transactions that wrote it committed.

A worker claims one due row at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's single
writer serializes the claims), marks it ``sending`` with a lease, sends it over SMTP outside any
transaction, then records the outcome. Several workers never send one mail twice; a worker that
dies between sending and recording leaves its row to be sent again once the lease is over (the
one window in which a mail can go twice). A temporary failure (a 4xx answer, the server
unreachable) is retried with exponential backoff up to ``max_attempts``; a permanent refusal (5xx)
fails the mail at once. Nothing here can block or undo the change a mail tells of.

The words are not the engine's: the caller passes ``render``, which turns a :class:`Mail` into
a :class:`Letter` in the recipient's language (the web layer's catalogs).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine import db as dbutil
from engine.db import transaction
from engine.models import User
from engine.models_notify import MailOutbox
from engine.models_notify import MailState
from engine.models_notify import Notification

log = logging.getLogger(__name__)
TLS_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    tls: str = "none"  # none | starttls | ssl
    sender: str = "schemeflow@localhost"
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"SCHEMEFLOW_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {self.tls!r}")


@dataclass(frozen=True)
class Retry:
    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)  # then 2, 4, 8 … minutes
    max_delay: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(minutes=10)  # a claimed mail is due again after this (its worker died)

    def delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.first_delay * 2 ** max(attempts - 1, 0)
        return min(delay, self.max_delay)


@dataclass(frozen=True)
class Mail:
    """One claimed mail with what its words are made of."""

    id: int
    to_address: str
    language: str
    attempts: int  # this attempt's number: the claim's token
    kind: str
    params: dict[str, Any]
    notification_id: int
    task_id: str | None
    pilot_id: int | None
    recipient: str


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class _Permanent(Exception):
    """The server refused the mail for good (5xx)."""


def send_due(db: sessionmaker[Session], smtp: SmtpSettings, render: Callable[[Mail], Letter], *,
             retry: Retry | None = None, limit: int = 200) -> Outcome:
    """Send mails now due, one claim at a time; stop early while the server is unreachable."""
    retry, outcome = retry or Retry(), Outcome()
    while outcome.sent + outcome.retried + outcome.failed < limit:
        mail = _claim(db, retry)
        if mail is None:
            break
        try:
            letter = render(mail)
        except Exception as exc:  # noqa: BLE001 - a mail that cannot be worded is given up, not retried forever
            log.exception("mail %s cannot be rendered", mail.id)
            _record(db, mail, error=f"cannot be rendered: {type(exc).__name__}: {exc}", retry=None)
            outcome.failed += 1
            continue
        try:
            deliver(smtp, mail.to_address, letter)
        except _Permanent as exc:
            _record(db, mail, error=str(exc), retry=None)
            outcome.failed += 1
        except (smtplib.SMTPException, OSError) as exc:
            failed = _record(db, mail, error=f"{type(exc).__name__}: {exc}", retry=retry)
            outcome.failed += failed
            outcome.retried += not failed
            if _unreachable(exc):
                break  # the rest wait for the next round instead of each timing out
        else:
            _record(db, mail, error=None, retry=None)
            outcome.sent += 1
    return outcome


def _unreachable(exc: OSError) -> bool:
    # smtplib's errors are OSErrors too: only a failed or dropped connection stops the round.
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)) or \
        not isinstance(exc, smtplib.SMTPException)


def _claim(db: sessionmaker[Session], retry: Retry) -> Mail | None:
    now = clock.now()
    with transaction(db) as session:
        stmt = (select(MailOutbox).where(MailOutbox.state.in_([MailState.PENDING, MailState.SENDING]),
                                         MailOutbox.next_attempt_at <= now)
                .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(1))
        row = session.scalar(dbutil.lock_skip_locked(session, stmt))
        while row is not None and row.attempts >= retry.max_attempts:  # its worker died on the last try
            row.state, row.last_error = MailState.FAILED, (row.last_error or "the worker stopped while sending")
            session.flush()
            row = session.scalar(dbutil.lock_skip_locked(session, stmt))
        if row is None:
            return None
        row.state, row.attempts, row.next_attempt_at = MailState.SENDING, row.attempts + 1, now + retry.lease
        note = session.get_one(Notification, row.notification_id)
        recipient = session.get_one(User, note.recipient_id)
        return Mail(row.id, row.to_address, row.language, row.attempts, note.kind.value, dict(note.params), note.id,
                    note.task_id, note.pilot_id, recipient.label)


def _record(db: sessionmaker[Session], mail: Mail, *, error: str | None, retry: Retry | None) -> bool:
    """Record a sending's outcome (sent; failed; or due again later); return whether it failed for good."""
    now = clock.now()
    if error is None:
        values: dict[str, Any] = {"state": MailState.SENT, "sent_at": now, "last_error": None}
    elif retry is not None and mail.attempts < retry.max_attempts:
        values = {"state": MailState.PENDING, "next_attempt_at": now + retry.delay(mail.attempts),
                  "last_error": error[:2000]}
    else:
        values = {"state": MailState.FAILED, "last_error": error[:2000]}
    if error is not None:
        log.warning("mail %s to notification %s: attempt %s failed: %s", mail.id, mail.notification_id,
                    mail.attempts, error)
    with transaction(db) as session:
        # Only while the claim is still ours (same attempt, still sending): a lease taken over stays theirs.
        session.execute(update(MailOutbox).where(MailOutbox.id == mail.id, MailOutbox.attempts == mail.attempts,
                                                 MailOutbox.state == MailState.SENDING).values(values))
    return bool(values["state"] == MailState.FAILED)


def deliver(smtp: SmtpSettings, to_address: str, letter: Letter) -> None:
    """Send one message; a 5xx answer raises _Permanent, anything temporary an SMTPException or OSError."""
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = letter.subject, smtp.sender, to_address
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    message.set_content(letter.body)
    try:
        with _connect(smtp) as server:
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            raise _Permanent(f"recipient refused: {exc.recipients}") from exc
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError):
            raise _Permanent(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.tls == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
    server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.tls == "starttls":
        server.starttls(context=ssl.create_default_context())
    return server



def counts(db: sessionmaker[Session]) -> dict[str, int]:
    """How many mails are in each state (for operators)."""
    with db() as session:
        return {state.value: count for state, count in session.execute(
            select(MailOutbox.state, func.count()).group_by(MailOutbox.state)).tuples()}
