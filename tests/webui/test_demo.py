"""The demo shows every role its real work: played once on the test database (SQLite or
PostgreSQL) as of today, and once as of an early January, when the year's reports turn over."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from config import TestConfig
from engine import clock
from engine import stats
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User
from tests.webui.conftest import sign_in
from webui import create_app
from webui import demo
from webui.layout import DUE_SOON


@dataclass
class Demo:
    db: sessionmaker[Session]
    now: datetime

    def uid(self, username: str) -> int:
        with self.db() as s:
            found = s.scalar(select(User.id).where(User.username == username))
        assert found is not None, username
        return found

    def open_tasks(self, username: str) -> list[HumanTask]:
        return [t for scope in ("group", "mine")
                for t in engine.tasks_for(self.db, self.uid(username), engine.TaskQuery(scope=scope)).items]


def early_january() -> datetime:
    """2 January next year: last year's reports are due, this year's just opened."""
    return datetime(datetime.now(clock.CHINA).year + 1, 1, 2, 10, tzinfo=clock.CHINA)


@pytest.fixture(scope="module", params=["today", "early January"])
def played(request: pytest.FixtureRequest, db_engine: Engine) -> Iterator[Demo]:
    """The demo loaded into a transaction kept for the module's tests, then rolled back."""
    conn = db_engine.connect()
    outer = conn.begin()
    db = sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    now = clock.now() if request.param == "today" else early_january().astimezone(UTC)
    demo.load(db, echo=lambda _line: None, now=now)
    assert clock.now() - datetime.now(UTC) < timedelta(seconds=5)  # the clock is the wall clock again
    with clock.frozen_at(now + timedelta(minutes=1)):  # a minute after the demo was loaded
        yield Demo(db, clock.now())
    outer.rollback()
    conn.close()


def test_the_ministry_has_acceptance_assessments_to_do(played: Demo) -> None:
    assessments = [t for t in played.open_tasks("ministry") if t.bpmn_id == "assess_acceptance"]
    assert len(assessments) >= 2
    assert all(t.due_at is not None and (t.due_at - t.created_at).days == 90 for t in assessments)


def test_pilots_were_accepted_with_one_two_and_three_stars_and_one_was_not(played: Demo) -> None:
    admin = played.uid("admin")
    done, _ = engine.list_instances(played.db, user_id=admin, state="completed", process="pilot_lifecycle")
    outcomes = set()
    for instance in done:
        final = [e for e in engine.instance_events(played.db, instance.id, user_id=admin)
                 if e.action == "instance_completed"]
        outcomes.add((final[0].data_after["result"], final[0].data_after["stars"]))
    assert {("pass", 1), ("pass", 2), ("pass", 3), ("fail", 0)} <= outcomes


def test_a_province_has_two_reviewers_one_holding_a_task_the_other_could_take_over(played: Demo) -> None:
    with played.db() as s:
        reviewers = list(s.scalars(select(User).where(User.role == Role.PROVINCE)))
    by_province: dict[int | None, list[User]] = {}
    for u in reviewers:
        by_province.setdefault(u.province_id, []).append(u)
    pairs = [us for us in by_province.values() if len(us) >= 2]
    assert pairs, "no province has two reviewers"
    first, second = pairs[0][:2]
    assert first.display_name and second.display_name and first.display_name != second.display_name
    held = [engine.counts_for(played.db, u.id, scopes=("held",))["held"] for u in (first, second)]
    assert sum(held) >= 1


def test_provincial_tasks_are_overdue_and_due_soon(played: Demo) -> None:
    with played.db() as s:
        rows = list(s.scalars(select(HumanTask).where(HumanTask.state == TaskStatus.READY,
                                                     HumanTask.role == Role.PROVINCE,
                                                     HumanTask.due_at.is_not(None))))
    now = played.now
    overdue = {t.bpmn_id for t in rows if t.due_at is not None and t.due_at < now}
    soon = {t.bpmn_id for t in rows if t.due_at is not None and now <= t.due_at <= now + DUE_SOON}
    assert overdue and soon
    assert {"review_annual_report", "review_task_book"} & overdue


def test_the_inboxes_show_the_badges(played: Demo) -> None:
    app = create_app(TestConfig)
    app.extensions["schemeflow.db"] = played.db
    badges: set[str] = set()
    with played.db() as s:
        names = list(s.scalars(select(User.username).where(User.role == Role.PROVINCE)))
    for name in names:
        browser = sign_in(app.test_client(), name, demo.PASSWORD)
        for scope in ("group", "mine"):
            html = browser.get(f"/tasks/?scope={scope}").get_data(as_text=True)
            badges |= set(re.findall(r'data-badge="([a-z-]+)"', html))
    assert {"overdue", "due-soon"} <= badges


def test_the_dashboard_has_real_durations(played: Demo) -> None:
    d = stats.dashboard(played.db, user_id=played.uid("ministry"))
    steps = {s.bpmn_id: s for s in d.steps}
    assert {"submit_scheme", "review_scheme", "review_task_book", "review_annual_report", "verify_rectification",
            "assess_acceptance", "summarize_experience"} <= steps.keys()
    assert all(s.median_hours > 24 for s in steps.values()), {b: s.median_hours for b, s in steps.items()}
    assert len({round(s.median_hours) for s in steps.values()}) >= len(steps) - 2  # varied, not one figure
    assert d.overdue and max(r.rounds for r in d.rounds if r.bpmn_id == "submit_scheme") >= 3


def test_a_scheme_in_round_two_or_more_keeps_the_round_one_comment(played: Demo) -> None:
    with played.db() as s:
        later = s.scalars(select(HumanTask).where(HumanTask.bpmn_id == "submit_scheme",
                                                  HumanTask.state == TaskStatus.READY, HumanTask.round >= 2)).first()
        assert later is not None
        first_review = s.scalar(select(HumanTask).where(HumanTask.instance_id == later.instance_id,
                                                        HumanTask.bpmn_id == "review_scheme", HumanTask.round == 1))
    assert first_review is not None and first_review.data is not None
    assert first_review.data["decision"] == "revise" and "请补充量化指标" in first_review.data["comment"]


def test_every_stage_of_the_programme_is_somewhere(played: Demo) -> None:
    d = stats.dashboard(played.db, user_id=played.uid("admin"))
    stages = {s.key: s.count for s in d.stages}
    assert {"submit_scheme", "review_scheme", "submit_task_book", "review_task_book", "review_annual_report",
            "submit_annual_report", "verify_rectification", "assess_acceptance"} <= stages.keys()
    assert stages["completed"] >= 4
    with played.db() as s:
        inspected = s.scalar(select(AuditEvent.id).where(AuditEvent.action == "message_sent",
                                                         AuditEvent.message == "open_inspection"))
        again = s.scalar(select(HumanTask.id).where(HumanTask.bpmn_id == "submit_rectification",
                                                    HumanTask.round >= 2))
    assert inspected is not None and again is not None


def test_history_spreads_over_years_and_timers_fired_on_their_own_time(played: Demo) -> None:
    with played.db() as s:
        started = list(s.scalars(select(Instance.started_at)))
        fired = [e.data_after for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "timer_fired"))]
        later = s.scalar(select(AuditEvent.id).where(AuditEvent.instance_id.is_not(None), AuditEvent.at > played.now))
        alerts = s.scalar(select(HumanTask.id).where(HumanTask.bpmn_id == "overdue_alert_scheme",
                                                     HumanTask.state == TaskStatus.READY))
    assert min(started) < played.now - timedelta(days=3 * 365) and max(started) > played.now - timedelta(days=60)
    assert later is None  # nothing happened after "now"
    names = [n for f in fired for n in f["fired"]]
    assert "12 月 1 日 / 1 December" in names and "20 天 / 20 days" in names
    assert [f for f in fired if not f["fired"]] == []  # every firing fired something
    assert alerts is not None  # a city 30 days late: the province was alerted


def test_every_demo_user_has_a_chinese_display_name(played: Demo) -> None:
    with played.db() as s:
        names = list(s.scalars(select(User.display_name)))
    assert names and all(n and re.search(r"[\u4e00-\u9fff]", n) for n in names)
