"""Operating instances: sending a pilot back to an earlier step (timers after the reset fire once,
at the right time) and retrying an instance in error."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

import engine
from engine import migration
from engine.models import AuditEvent
from engine.models import HumanTask
from tests.engine.bpmn_versions import HEAD
from tests.engine.bpmn_versions import Version
from tests.helpers import Clock
from tests.helpers import World

BACKS = Version("backs", [("submit", "City"), ("review", "Province"), ("approve", "Ministry")],
                timers={"submit": ("P10D", False), "review": ("P30D", True)})


def _start(world: World, key: str = "backs") -> int:
    return engine.start(world.db, key, user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def _count(world: World, iid: int, action: str) -> int:
    with world.db() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == action)) or 0


def _targets(world: World, iid: int) -> list[str]:
    return [t.bpmn_id for t in engine.admin.instance(world.db, iid, user_id=world.uid("admin")).send_back]


def test_sending_back_offers_the_step_again_and_arms_its_timer_once(world: World, at: Clock) -> None:
    BACKS.deploy(world.db)
    iid = _start(world)
    at.advance(days=1)
    first = world.do("city_a1", iid, "submit", {})
    review = world.task(iid, "review")
    at.advance(days=4)
    sent_back_at = at.now()
    new_id = engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("admin"), reason="缺少附件")
    assert world.ready_ids(iid) == ["submit"] and new_id != first.id
    with world.db() as s:
        rows = {r.id: r for r in s.scalars(select(HumanTask).where(HumanTask.instance_id == iid))}
    assert (rows[first.id].state.value, rows[review.id].state.value) == ("completed", "cancelled")
    assert (rows[new_id].state.value, rows[new_id].round) == ("ready", 2)
    view = engine.get_instance(world.db, iid, user_id=world.uid("admin"))
    assert view.next_timer_at == sent_back_at + timedelta(days=10)
    at.advance(days=9, hours=23)
    assert engine.fire_due_timers(world.db) == 0  # not immediately, not on the withdrawn review's clock
    at.advance(hours=1, seconds=1)
    assert engine.fire_due_timers(world.db) == 1
    at.advance(days=40)
    assert engine.fire_due_timers(world.db) == 0  # once; the withdrawn review's timer is gone
    assert _count(world, iid, "timer_fired") == 1
    assert world.ready_ids(iid) == ["submit"]  # the reminder does not interrupt
    world.do("city_a1", iid, "submit", {})
    assert world.ready_ids(iid) == ["review"]


def test_a_send_back_is_on_the_timeline_with_its_reason(world: World, at: Clock) -> None:
    BACKS.deploy(world.db)
    iid = _start(world)
    first = world.do("city_a1", iid, "submit", {})
    engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("admin"), reason="缺少附件")
    page = engine.pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_a"))
    event = [e for e in page.instances[0].events if e.action == "instance_sent_back"][0]
    assert (event.step, event.message) == ("submit", "缺少附件")


def test_only_steps_still_in_the_state_can_be_sent_back_to(world: World, at: Clock) -> None:
    BACKS.deploy(world.db)
    iid = _start(world)
    first = world.do("city_a1", iid, "submit", {})
    world.do("prov_a", iid, "review", {})
    assert _targets(world, iid) == ["review"]  # submit was pruned from SpiffWorkflow's tree
    with pytest.raises(engine.InvalidState) as refused:
        engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("admin"), reason="x")
    assert refused.value.reason == "cannot_send_back"


def test_sending_back_needs_a_reason_an_admin_and_a_running_instance(world: World, at: Clock) -> None:
    BACKS.deploy(world.db)
    iid = _start(world)
    first = world.do("city_a1", iid, "submit", {})
    with pytest.raises(engine.InvalidData):
        engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("admin"), reason=" ")
    with pytest.raises(engine.Forbidden):
        engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("prov_a"), reason="x")
    engine.suspend(world.db, iid, user_id=world.uid("admin"), reason="pause")
    with pytest.raises(engine.InvalidState) as refused:
        engine.operations.send_back(world.db, iid, first.id, user_id=world.uid("admin"), reason="x")
    assert refused.value.reason == "instance_suspended"


def _failing(condition: str) -> bytes:
    return (HEAD.format(key="fails") + '<bpmn:process id="fails" name="fails" isExecutable="true"><bpmn:laneSet>'
            '<bpmn:lane id="l" name="City"><bpmn:flowNodeRef>after</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:exclusiveGateway id="gw" default="f_other"/><bpmn:userTask id="after" name="after"/>'
            '<bpmn:endEvent id="other"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="gw"/>'
            '<bpmn:sequenceFlow id="f_after" sourceRef="gw" targetRef="after"><bpmn:conditionExpression>'
            f'{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f_other" sourceRef="gw" targetRef="other"/>'
            '</bpmn:process></bpmn:definitions>').encode()


def test_retry_stays_in_error_until_the_cause_is_fixed(world: World, at: Clock) -> None:
    engine.deploy(world.db, [("fails.bpmn", _failing("no_such_value &gt; 1"))], user_id=engine.SYSTEM)
    iid = _start(world, "fails")
    at.advance(days=1, seconds=1)
    engine.fire_due_timers(world.db)
    assert world.instance_state(iid) == "error"
    admin = world.uid("admin")
    again = engine.operations.retry(world.db, iid, user_id=admin)
    assert not again.ok and again.error and "no_such_value" in again.error
    view = engine.get_instance(world.db, iid, user_id=admin)
    assert (view.state, view.error) == ("error", again.error)
    engine.deploy(world.db, [("fails.bpmn", _failing("pilot_id is not None"))], user_id=engine.SYSTEM)
    migration.migrate(world.db, [iid], to_version=2, user_id=admin, reason="fix the condition")
    assert engine.operations.retry(world.db, iid, user_id=admin).ok
    assert world.instance_state(iid) == "running" and world.ready_ids(iid) == ["after"]
    assert _count(world, iid, "instance_retried") == 1 and _count(world, iid, "instance_error") == 2
    with pytest.raises(engine.InvalidState) as refused:
        engine.operations.retry(world.db, iid, user_id=admin)
    assert refused.value.reason == "not_in_error"
