"""(c) Three workers at once fire 500 due timers and send the 500 notifications they cause: each
timer fires once, each mail arrives once. (d) A worker killed with SIGKILL in the middle of a
batch: after a restart the rest go out, none twice. Real worker processes, a real SMTP server."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

import engine
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import User
from tests import smtp_server
from tests.reliability.conftest import CLI
from tests.reliability.conftest import Site
from tests.reliability.conftest import cli_env

N = 500
TIMER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D_wait" targetNamespace="http://schemeflow.test">
  <bpmn:process id="wait_then_report" name="等待后报告" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l_city" name="City">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>report</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="等一秒">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1S"</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="report" name="提交报告">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="report"/>
    <bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def waiting(site: Site) -> list[int]:
    """N instances, each of its own pilot whose city user has an e-mail address, each at a timer
    that is due a second later."""
    engine.deploy(site.db, [("wait_then_report.bpmn", TIMER_BPMN.encode())], user_id=site.world.uid("admin"))
    pilots = site.add_pilots(N)
    with site.db.begin() as s:
        s.execute(update(User).where(User.username.like("city_x%"))
                  .values(email=User.username + "@city.example", email_notifications=True))
    ids = [engine.start(site.db, "wait_then_report", user_id=site.world.uid("prov_a"), pilot_id=p)
           for p, _ in pilots]
    time.sleep(1.2)
    return ids


@pytest.fixture
def inbox() -> Iterator[tuple[smtp_server.Inbox, int]]:
    with smtp_server.running() as found:
        yield found


def start_worker(site: Site, smtp_port: int, tmp: Path, n: int) -> subprocess.Popen[bytes]:
    env = cli_env(site.url, SCHEMEFLOW_SMTP_HOST="127.0.0.1", SCHEMEFLOW_SMTP_PORT=str(smtp_port),
                  SCHEMEFLOW_MAIL_FROM="schemeflow@province.example", SCHEMEFLOW_HOME=str(tmp),
                  SCHEMEFLOW_MAIL_LEASE_SECONDS="5")
    with (tmp / f"worker-{n}.log").open("ab") as log:
        return subprocess.Popen([*CLI, "worker", "--interval", "1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_until(done: object, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.25)
    pytest.fail("the workers did not finish in time")


def fired(site: Site, ids: list[int]) -> Counter[int]:
    with site.db() as s:
        return Counter(s.scalars(select(AuditEvent.instance_id).where(
            AuditEvent.action == "timer_fired", AuditEvent.instance_id.in_(ids))))


def assert_each_once(site: Site, ids: list[int], inbox: smtp_server.Inbox) -> None:
    counts = fired(site, ids)
    assert len(counts) == N and set(counts.values()) == {1}, Counter(counts.values())
    with site.db() as s:
        tasks = s.execute(select(HumanTask.instance_id, func.count()).where(HumanTask.instance_id.in_(ids))
                          .group_by(HumanTask.instance_id)).all()
    assert len(tasks) == N and {n for _, n in tasks} == {1}  # one 提交报告 each, no second token
    ids_seen = Counter(m["Message-ID"] for m in inbox.messages)
    recipients = Counter(m["To"] for m in inbox.messages)
    assert len(ids_seen) == N and set(ids_seen.values()) == {1}, Counter(ids_seen.values())
    assert len(recipients) == N and set(recipients.values()) == {1}


def test_three_workers_fire_each_timer_and_send_each_mail_once(site: Site, waiting: list[int],
                                                               inbox: tuple[smtp_server.Inbox, int],
                                                               tmp_path: Path) -> None:
    messages, port = inbox
    workers = [start_worker(site, port, tmp_path, n) for n in range(3)]
    try:
        wait_until(lambda: len(messages.messages) >= N and sum(fired(site, waiting).values()) >= N)
        time.sleep(2)  # a second round of every worker: still nothing twice
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            assert w.wait(30) == 0  # a clean stop
    assert_each_once(site, waiting, messages)


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next(site: Site, waiting: list[int],
                                                               inbox: tuple[smtp_server.Inbox, int],
                                                               tmp_path: Path) -> None:
    messages, port = inbox
    first = start_worker(site, port, tmp_path, 0)
    wait_until(lambda: sum(fired(site, waiting).values()) >= N // 5)
    os.killpg(first.pid, signal.SIGKILL)  # mid-batch: its open transaction dies with it
    first.wait(10)
    partly = sum(fired(site, waiting).values())
    assert N // 5 <= partly < N, partly
    again = [start_worker(site, port, tmp_path, n) for n in (1, 2)]
    try:
        wait_until(lambda: len(messages.messages) >= N and sum(fired(site, waiting).values()) >= N)
        time.sleep(2)
    finally:
        for w in again:
            os.killpg(w.pid, signal.SIGTERM)
        for w in again:
            w.wait(30)
    assert_each_once(site, waiting, messages)
