"""The command line's part in notifications: `user add --email`, and `schemeflow worker --once`
sending the mail outbox to a real SMTP server."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from click.testing import Result
from sqlalchemy import select

import engine
from config import Config
from engine.models import User
from engine.models_notify import MailOutbox
from engine.models_notify import MailState
from engine.models_notify import Notification
from tests.smtp_server import running
from tests.webui.test_cli import PASSWORD
from webui.cli import main


def add(cli: CliRunner, name: str, *extra: str) -> Result:
    return cli.invoke(main, ["user", "add", name, "--role", "ministry", *extra], input=f"{PASSWORD}\n{PASSWORD}\n")


def test_user_add_takes_an_email_address(cli: CliRunner) -> None:
    assert add(cli, "zhang", "--email", "Zhang@Ministry.example.cn").exit_code == 0
    with engine.make_sessionmaker(Config.DATABASE_URL)() as s:
        assert s.scalar(select(User.email).where(User.username == "zhang")) == "Zhang@ministry.example.cn"
    bad = add(cli, "li", "--email", "li-at-ministry")
    assert bad.exit_code == 1 and "e-mail address" in bad.output
    with engine.make_sessionmaker(Config.DATABASE_URL)() as s:
        assert s.scalar(select(User.id).where(User.username == "li")) is None


def test_worker_once_sends_the_outbox(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert add(cli, "zhang", "--email", "zhang@ministry.example.cn").exit_code == 0
    db = engine.make_sessionmaker(Config.DATABASE_URL)
    with db.begin() as s:
        uid = s.scalar(select(User.id).where(User.username == "zhang"))
        assert uid is not None
        note = Notification(recipient_id=uid, kind=engine.NotificationKind.OVERDUE,
                            params={"task": "审核实施方案 / Review scheme", "pilot": "宁波市",
                                    "due_at": "2026-03-01T02:00:00+00:00"})
        s.add(MailOutbox(notification=note, to_address="zhang@ministry.example.cn", language="zh",
                         state=MailState.PENDING, next_attempt_at=engine.clock.now()))
    with running() as (inbox, port):
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", port), ("BASE_URL", "https://sf.example.cn")):
            monkeypatch.setattr(Config, name, value)
        result = cli.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "mail: 1 sent, 0 to retry, 0 failed." in result.output, result.output
    (message,) = inbox.messages
    assert message["Subject"] == "【智慧城市试点】已超期：审核实施方案"
    assert "已于 2026-03-01 10:00 到期" in message.get_content()  # China time
    assert f"https://sf.example.cn/notifications/{note.id}" in message.get_content()


def test_worker_refuses_an_unknown_tls_mode(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(Config, "SMTP_TLS", "tls1.0")
    result = cli.invoke(main, ["worker", "--once"])
    assert result.exit_code == 1 and "SCHEMEFLOW_SMTP_TLS" in result.output


def test_worker_once_without_a_mail_server_says_so(cli: CliRunner) -> None:
    result = cli.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "no SCHEMEFLOW_SMTP_HOST set" in result.output
