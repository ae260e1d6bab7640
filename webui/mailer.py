"""The worker's notification round: deadline notices now due, then the mail outbox over SMTP,
with the settings from config.py (no SMTP host: the mails wait, in-app notices still appear)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from config import Config
from webui.notice_texts import mail_renderer

log = logging.getLogger("schemeflow.worker")


@dataclass(frozen=True)
class Round:
    noticed: int  # tasks whose deadline notice went out
    mail: engine.mail.Outcome | None  # None: no SMTP host configured


def smtp_settings(config: type[Config] = Config) -> engine.mail.SmtpSettings | None:
    if not config.SMTP_HOST:
        return None
    return engine.mail.SmtpSettings(host=config.SMTP_HOST, port=config.SMTP_PORT, user=config.SMTP_USER,
                                    password=config.SMTP_PASSWORD, tls=config.SMTP_TLS.strip().lower(),
                                    sender=config.MAIL_FROM)


def notification_round(db: sessionmaker[Session], config: type[Config] = Config) -> Round:
    """Write the deadline notices now due, then send the mails now due."""
    noticed = engine.deadlines.send_deadline_notices(db, lead=timedelta(hours=config.REMINDER_LEAD_HOURS))
    smtp = smtp_settings(config)
    if smtp is None:
        return Round(noticed, None)
    outcome = engine.mail.send_due(db, smtp, mail_renderer(config.BASE_URL),
                                   retry=engine.mail.Retry(max_attempts=config.MAIL_MAX_ATTEMPTS))
    if outcome.sent or outcome.retried or outcome.failed:
        log.info("mail: %d sent, %d to retry, %d failed", outcome.sent, outcome.retried, outcome.failed)
    return Round(noticed, outcome)
