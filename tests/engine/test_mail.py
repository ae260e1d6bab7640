"""Mail through a real SMTP server (aiosmtpd on a local port): the messages that arrive, in the
recipient's language with a link; a failing server retried with backoff and finally given up,
the completion untouched; two workers at once sending each mail once."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine.models import Role
from engine.models import User
from engine.models_notify import MailOutbox
from engine.models_notify import MailState
from engine.models_notify import Notification
from tests.helpers import Clock
from tests.helpers import World
from tests.smtp_server import Inbox
from tests.smtp_server import free_port
from tests.smtp_server import running
from webui.notice_texts import mail_renderer

BASE = "https://pilot.example.cn"
RENDER = mail_renderer(BASE)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, engine.mail.SmtpSettings]]:
    with running() as (inbox, port):
        yield inbox, engine.mail.SmtpSettings(host="127.0.0.1", port=port, sender="noreply@pilot.example.cn",
                                              timeout=5)


def with_email(world: World, user: str, email: str, language: str = "zh") -> None:
    with world.db.begin() as s:
        s.execute(update(User).where(User.id == world.uid(user)).values(email=email, language=language))


def submitted(world: World) -> int:
    """A two-step instance whose report is in review (its reviewers were told)."""
    iid = engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    return iid


def mails(world: World) -> list[MailOutbox]:
    with world.db() as s:
        return list(s.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def test_mails_arrive_in_each_recipients_language_with_a_link(two_step: World, smtp: Any) -> None:
    inbox, settings = smtp
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    with_email(two_step, "prov_a2", "li@prov-a.example.cn", language="en")
    submitted(two_step)
    outcome = engine.mail.send_due(two_step.db, settings, RENDER)
    assert (outcome.sent, outcome.retried, outcome.failed) == (2, 0, 0)
    by_to = {m["To"]: m for m in inbox.messages}
    assert sorted(by_to) == ["li@prov-a.example.cn", "wang@prov-a.example.cn"]
    zh, en = by_to["wang@prov-a.example.cn"], by_to["li@prov-a.example.cn"]
    assert zh["Subject"] == "【智慧城市试点】新待办：Review report"
    assert "宁波市的任务“Review report”已进入您的待办列表。" in zh.get_content()
    assert en["Subject"] == "[Smart City Pilot] New task: Review report"
    assert "is waiting in your task list" in en.get_content() and "待办" not in en.get_content()
    ids = {m.to_address: m.notification_id for m in mails(two_step)}
    assert f"{BASE}/notifications/{ids['wang@prov-a.example.cn']}" in zh.get_content()
    assert zh["From"] == "noreply@pilot.example.cn"
    assert [m.state for m in mails(two_step)] == [MailState.SENT, MailState.SENT]
    assert engine.mail.send_due(two_step.db, settings, RENDER).sent == 0  # nothing goes twice


def test_a_refusing_server_is_retried_with_backoff_then_given_up(two_step: World, smtp: Any, at: Clock) -> None:
    inbox, settings = smtp
    inbox.answer = "451 4.3.0 try again later"
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    iid = submitted(two_step)  # the completion stands whatever the mail server says
    assert two_step.ready_ids(iid) == ["review"]
    retry = engine.mail.Retry(max_attempts=3, first_delay=timedelta(minutes=1))
    waits = []
    for _ in range(3):
        outcome = engine.mail.send_due(two_step.db, settings, RENDER, retry=retry)
        (mail,) = mails(two_step)
        waits.append(mail.next_attempt_at - at.now())
        assert engine.mail.send_due(two_step.db, settings, RENDER, retry=retry).retried == 0  # not due yet
        at.advance(minutes=10)
    assert (outcome.failed, mail.state, mail.attempts) == (1, MailState.FAILED, 3)
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=2)] and "451" in (mail.last_error or "")
    assert inbox.messages == [] and two_step.ready_ids(iid) == ["review"]


def test_a_permanent_refusal_fails_at_once(two_step: World, smtp: Any) -> None:
    inbox, settings = smtp
    inbox.answer = "554 5.7.1 rejected"
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    submitted(two_step)
    assert engine.mail.send_due(two_step.db, settings, RENDER).failed == 1
    assert [(m.state, m.attempts) for m in mails(two_step)] == [(MailState.FAILED, 1)]


def test_a_closed_port_waits_for_the_next_round(two_step: World, at: Clock) -> None:
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    with_email(two_step, "prov_a2", "li@prov-a.example.cn")
    submitted(two_step)
    closed = engine.mail.SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    outcome = engine.mail.send_due(two_step.db, closed, RENDER)
    assert (outcome.sent, outcome.retried) == (0, 1)  # the second mail was not even tried
    assert sorted((m.state, m.attempts) for m in mails(two_step)) == [(MailState.PENDING, 0), (MailState.PENDING, 1)]


def test_two_workers_at_once_send_each_mail_once(db_engine: Engine, smtp: Any) -> None:
    inbox, settings = smtp
    real = sessionmaker(db_engine, expire_on_commit=False)  # committed for real: two threads share it
    with real.begin() as s:
        user = User(username="mail-race", role=Role.MINISTRY, password_hash="x", email="race@example.cn")
        s.add(user)
        s.flush()
        notes = [Notification(recipient_id=user.id, kind=engine.NotificationKind.DUE_SOON, params={"task": f"t{i}"})
                 for i in range(30)]
        s.add_all(notes)
        s.flush()
        s.add_all(MailOutbox(notification_id=n.id, to_address=f"r{i}@example.cn", language="zh",
                             state=MailState.PENDING, next_attempt_at=engine.clock.now()) for i, n in enumerate(notes))
    try:
        workers = [threading.Thread(target=engine.mail.send_due, args=(real, settings, RENDER)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert sorted(m["To"] for m in inbox.messages) == sorted(f"r{i}@example.cn" for i in range(30))
    finally:
        _remove(real, user.id)


def _remove(db: sessionmaker[Session], user_id: int) -> None:
    with db.begin() as s:
        ids = select(Notification.id).where(Notification.recipient_id == user_id)
        s.execute(delete(MailOutbox).where(MailOutbox.notification_id.in_(ids)))
        s.execute(delete(Notification).where(Notification.recipient_id == user_id))
        s.execute(delete(User).where(User.id == user_id))


def test_a_mail_left_sending_by_a_dead_worker_goes_out_after_its_lease(two_step: World, smtp: Any,
                                                                       at: Clock) -> None:
    inbox, settings = smtp
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    with_email(two_step, "prov_a2", "li@prov-a.example.cn")
    submitted(two_step)
    first, second = mails(two_step)
    with two_step.db.begin() as s:  # a worker claimed both, then was killed before sending
        s.execute(update(MailOutbox).values(state=MailState.SENDING, attempts=1,
                                            next_attempt_at=at.now() + timedelta(minutes=10)))
        s.execute(update(MailOutbox).where(MailOutbox.id == second.id).values(attempts=3))  # its last try
    retry = engine.mail.Retry(max_attempts=3)
    assert engine.mail.send_due(two_step.db, settings, RENDER, retry=retry).sent == 0  # leases still running
    at.advance(minutes=11)
    outcome = engine.mail.send_due(two_step.db, settings, RENDER, retry=retry)
    assert outcome.sent == 1 and [m["To"] for m in inbox.messages] == ["wang@prov-a.example.cn"]
    assert [(m.state, m.attempts) for m in mails(two_step)] == [(MailState.SENT, 2), (MailState.FAILED, 3)]


def test_a_mail_that_cannot_be_worded_fails_and_the_rest_go_out(two_step: World, smtp: Any) -> None:
    inbox, settings = smtp
    with_email(two_step, "prov_a", "wang@prov-a.example.cn")
    with_email(two_step, "prov_a2", "li@prov-a.example.cn")
    submitted(two_step)
    broken = mails(two_step)[0].id

    def render(mail: engine.mail.Mail) -> engine.mail.Letter:
        if mail.id == broken:
            raise KeyError("a placeholder the catalog does not know")
        return RENDER(mail)

    outcome = engine.mail.send_due(two_step.db, settings, render)
    assert (outcome.sent, outcome.failed) == (1, 1) and len(inbox.messages) == 1
    assert "cannot be rendered" in (mails(two_step)[0].last_error or "")
