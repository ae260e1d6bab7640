"""Runtime through its users: start, see, claim, complete, conflicts, admin operations."""
from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

import engine
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from tests.helpers import Clock
from tests.helpers import World


def start(world: World, pilot: str = "A1", user: str = "prov_a") -> int:
    return engine.start(world.db, "two_step", user_id=world.uid(user), pilot_id=world.pilots[pilot])


def group(world: World, user: str) -> list[HumanTask]:
    return engine.tasks_for(world.db, world.uid(user), engine.TaskQuery(scope="group")).items


def test_it_starts_an_instance_and_offers_the_first_task_to_its_city(two_step: World) -> None:
    iid = start(two_step)
    tasks = group(two_step, "city_a1")
    assert [(t.bpmn_id, t.instance_id, t.lane, t.round) for t in tasks] == [("submit", iid, "City", 1)]
    assert tasks[0].due_at is not None  # the reminder timer is the task's latest timer
    assert two_step.instance_state(iid) == "running"


def test_it_walks_approval_with_audit_events(two_step: World, at: Clock) -> None:
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v1", "spent_wan": 12.5})
    assert two_step.ready_ids(iid) == ["review"]
    two_step.do("prov_a", iid, "review", {"decision": "approve"})
    assert two_step.instance_state(iid) == "completed"
    actions = [e.action for e in engine.instance_events(two_step.db, iid, user_id=two_step.uid("admin"))]
    assert actions == ["instance_started", "task_claimed", "task_completed", "task_claimed", "task_completed",
                       "instance_completed"]
    done = engine.tasks_for(two_step.db, two_step.uid("city_a1"), engine.TaskQuery(scope="completed")).items
    assert [t.data for t in done] == [{"summary": "Scheme v1", "spent_wan": 12.5}]


def test_revision_rounds_are_counted_and_prefilled(two_step: World) -> None:
    iid = start(two_step)
    for n in range(1, 4):
        task = two_step.task(iid, "submit")
        assert task.round == n
        two_step.do("city_a1", iid, "submit", {"summary": f"Scheme v{n}"})
        two_step.do("prov_a", iid, "review", {"decision": "revise", "comment": f"fix {n}"})
    again = two_step.task(iid, "submit")
    view = engine.get_task(two_step.db, again.id, user_id=two_step.uid("city_a1"))
    assert again.round == 4 and view.data == {"summary": "Scheme v3"}
    assert view.schema is not None and view.schema["required"] == ["summary"]
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v4"})
    review = engine.get_task(two_step.db, two_step.task(iid, "review").id, user_id=two_step.uid("prov_a"))
    assert review.data == {}  # a review starts empty in every round: no earlier decision or comment


def test_a_city_user_neither_sees_nor_completes_another_pilots_task(two_step: World) -> None:
    iid = start(two_step, "A1")
    task = two_step.task(iid, "submit")
    assert group(two_step, "city_a2") == [] and group(two_step, "city_b1") == []
    with pytest.raises(engine.NotFound):
        engine.get_task(two_step.db, task.id, user_id=two_step.uid("city_b1"))
    with pytest.raises(engine.NotFound):  # another pilot's instance does not exist for this user
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a2"), data={"summary": "hijack"})
    with pytest.raises(engine.NotFound):
        engine.get_instance(two_step.db, iid, user_id=two_step.uid("city_a2"))
    assert two_step.ready_ids(iid) == ["submit"]


def test_a_province_sees_nothing_of_another_province(two_step: World) -> None:
    iid = start(two_step, "B1", user="prov_b")
    two_step.do("city_b1", iid, "submit", {"summary": "Fujian scheme"})
    assert [t.bpmn_id for t in group(two_step, "prov_b")] == ["review"]
    assert group(two_step, "prov_a") == []
    items, total = engine.list_instances(two_step.db, user_id=two_step.uid("prov_a"))
    assert (items, total) == ([], 0)
    with pytest.raises(engine.NotFound):
        engine.instance_events(two_step.db, iid, user_id=two_step.uid("prov_a"))
    with pytest.raises(engine.Forbidden):
        engine.start(two_step.db, "two_step", user_id=two_step.uid("prov_a"), pilot_id=two_step.pilots["B1"])


def test_a_province_task_is_not_for_the_city(two_step: World) -> None:
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme"})
    review = two_step.task(iid, "review")
    with pytest.raises(engine.Forbidden):
        engine.complete(two_step.db, review.id, user_id=two_step.uid("city_a1"), data={"decision": "approve"})
    with pytest.raises(engine.Forbidden):
        engine.complete(two_step.db, review.id, user_id=two_step.uid("ministry"), data={"decision": "approve"})


def test_invalid_data_is_refused_with_one_detail_per_field_and_changes_nothing(two_step: World) -> None:
    iid = start(two_step)
    task = two_step.task(iid, "submit")
    with pytest.raises(engine.InvalidData) as err:
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"),
                        data={"summary": "x", "spent_wan": -1, "decision": "approve"})
    fields = sorted(d["field"] for d in err.value.details)
    assert fields == ["decision", "spent_wan", "summary"]
    assert two_step.ready_ids(iid) == ["submit"]


def test_completing_twice_is_a_conflict(two_step: World) -> None:
    iid = start(two_step)
    task = two_step.do("city_a1", iid, "submit", {"summary": "Scheme"})
    with pytest.raises(engine.ConflictError):
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "again"})


def test_a_stale_version_conflicts_and_changes_nothing(two_step: World) -> None:
    iid = start(two_step)
    task = two_step.task(iid, "submit")
    opened = engine.get_task(two_step.db, task.id, user_id=two_step.uid("city_a1")).instance.instance_version
    with two_step.db.begin() as s:  # someone else changes the instance meanwhile
        s.get(Instance, iid).stage = "touched"
    with pytest.raises(engine.ConflictError):
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "late"},
                        instance_version=opened)
    assert two_step.ready_ids(iid) == ["submit"]


def test_claims_are_exclusive_and_reassignable_within_the_province(two_step: World) -> None:
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme"})
    review = two_step.task(iid, "review")
    engine.claim(two_step.db, review.id, user_id=two_step.uid("prov_a"))
    with pytest.raises(engine.ConflictError):
        engine.claim(two_step.db, review.id, user_id=two_step.uid("prov_a2"))
    with pytest.raises(engine.ConflictError):
        engine.complete(two_step.db, review.id, user_id=two_step.uid("prov_a2"), data={"decision": "approve"})
    mine = engine.tasks_for(two_step.db, two_step.uid("prov_a"), engine.TaskQuery(scope="mine")).items
    assert [t.id for t in mine] == [review.id] and group(two_step, "prov_a2") == []
    engine.reassign(two_step.db, review.id, user_id=two_step.uid("prov_a"), to_user_id=two_step.uid("prov_a2"))
    with pytest.raises(engine.InvalidData):
        engine.reassign(two_step.db, review.id, user_id=two_step.uid("prov_a2"), to_user_id=two_step.uid("prov_b"))
    engine.complete(two_step.db, review.id, user_id=two_step.uid("prov_a2"), data={"decision": "approve"})
    assert two_step.instance_state(iid) == "completed"


def test_unclaim_returns_the_task_to_the_group(two_step: World) -> None:
    iid = start(two_step)
    task = two_step.task(iid, "submit")
    engine.claim(two_step.db, task.id, user_id=two_step.uid("city_a1"))
    assert group(two_step, "city_a1") == []
    engine.unclaim(two_step.db, task.id, user_id=two_step.uid("city_a1"))
    assert [t.id for t in group(two_step, "city_a1")] == [task.id]


def test_a_due_timer_fires_when_the_clock_passes_it(two_step: World, at: Clock) -> None:
    iid = start(two_step)
    with two_step.db() as s:
        due = s.get(Instance, iid).next_timer_at
    assert due is not None
    assert engine.fire_due_timers(two_step.db) == 0
    at.advance(days=11)
    assert engine.fire_due_timers(two_step.db) == 1
    actions = [e.action for e in engine.instance_events(two_step.db, iid, user_id=two_step.uid("admin"))]
    assert "timer_fired" in actions
    assert two_step.ready_ids(iid) == ["submit"]  # non-interrupting: the task stays
    with two_step.db() as s:
        assert s.get(Instance, iid).next_timer_at is None


def test_a_clock_standing_exactly_on_a_timer_fires_nothing_and_records_nothing(two_step: World, at: Clock) -> None:
    iid = start(two_step)
    with two_step.db() as s:
        due = s.get(Instance, iid).next_timer_at
    assert due is not None
    at.set(due)  # SpiffWorkflow fires only once the clock is past the due time
    assert engine.fire_due_timers(two_step.db) == 0
    actions = [e.action for e in engine.instance_events(two_step.db, iid, user_id=two_step.uid("admin"))]
    assert "timer_fired" not in actions  # not one empty event, let alone a thousand
    at.advance(seconds=1)
    assert engine.fire_due_timers(two_step.db) == 1


def test_admin_suspends_resumes_and_cancels_with_a_reason(two_step: World) -> None:
    iid = start(two_step)
    admin = two_step.uid("admin")
    with pytest.raises(engine.Forbidden):
        engine.suspend(two_step.db, iid, user_id=two_step.uid("prov_a"), reason="no")
    with pytest.raises(engine.InvalidData):
        engine.suspend(two_step.db, iid, user_id=admin, reason=" ")
    engine.suspend(two_step.db, iid, user_id=admin, reason="data check")
    task = two_step.task(iid, "submit")
    with pytest.raises(engine.InvalidState):
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "while suspended"})
    engine.resume(two_step.db, iid, user_id=admin, reason="checked")
    engine.cancel(two_step.db, iid, user_id=admin, reason="pilot withdrew")
    assert two_step.instance_state(iid) == "cancelled" and two_step.ready_ids(iid) == []
    with two_step.db() as s:
        reasons = s.scalars(select(AuditEvent.message).where(AuditEvent.instance_id == iid,
                                                             AuditEvent.action.like("instance_%"))).all()
    assert {"data check", "checked", "pilot withdrew"} <= set(reasons)


def test_a_second_running_instance_for_the_same_pilot_is_refused(two_step: World) -> None:
    start(two_step)
    with pytest.raises(engine.ConflictError):
        start(two_step)


def test_a_fresh_engine_and_session_resume_every_instance(two_step: World) -> None:
    ids = [start(two_step, p, "admin") for p in ("A1", "A2", "B1")]
    from engine import state

    state.SPEC_CACHE._items.clear()  # as a new process would start
    for iid, city in zip(ids, ("city_a1", "city_a2", "city_b1"), strict=True):
        two_step.do(city, iid, "submit", {"summary": "after restart"})
        assert two_step.ready_ids(iid) == ["review"]
    with two_step.db() as s:
        assert s.scalar(select(func.count()).select_from(HumanTask)) == 6


def test_overdue_filter_uses_due_dates(two_step: World, at: Clock) -> None:
    iid = start(two_step)
    query = engine.TaskQuery(scope="group", overdue=True)
    assert engine.tasks_for(two_step.db, two_step.uid("city_a1"), query).items == []
    at.advance(days=10, hours=1)
    assert [t.instance_id for t in engine.tasks_for(two_step.db, two_step.uid("city_a1"), query).items] == [iid]
