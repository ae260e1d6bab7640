"""Migrating instances between versions of their process: the dry run, what is refused and why,
the migration (open tasks keep their ids, timers their fire time) and its exact revert."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import engine
from engine import migration
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceSnapshot
from tests.engine.bpmn_versions import Version
from tests.helpers import Clock
from tests.helpers import World

V1 = Version("steps", [("submit", "City"), ("review", "Province")], timers={"submit": ("P10D", False)})
ADDED = Version("steps", [("submit", "City"), ("precheck", "Province"), ("review", "Province")],
                timers={"submit": ("P10D", False)})
NO_REVIEW = Version("steps", [("submit", "City")], timers={"submit": ("P10D", False)})
NO_SUBMIT = Version("steps", [("review", "Province")])
REVIEW_IN_CITY = Version("steps", [("submit", "City"), ("review", "City")], timers={"submit": ("P10D", False)})


def _start(world: World) -> int:
    return engine.start(world.db, "steps", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def _state(world: World, iid: int) -> tuple[int, str, list[tuple[str, str]]]:
    with world.db() as s:
        instance = s.get(Instance, iid)
        assert instance is not None
        rows = s.execute(select(HumanTask.id, HumanTask.state).where(HumanTask.instance_id == iid)
                         .order_by(HumanTask.id)).all()
        return instance.version_id, instance.workflow_json, [(r[0], r[1].value) for r in rows]


def _plan(world: World, iid: int, to: int) -> migration.Verdict:
    return migration.plan(world.db, [iid], to_version=to, user_id=world.uid("admin")).instances[0]


def test_a_dry_run_says_what_changes_and_saves_nothing(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    before = _state(world, iid)
    assert ADDED.deploy(world.db) == 2
    verdict = _plan(world, iid, 2)
    assert verdict.can_move and verdict.reason is None
    assert [s.bpmn_id for s in verdict.changes.added] == ["precheck"]
    assert verdict.changes.removed == [] and (verdict.from_version, verdict.to_version) == (1, 2)
    assert _state(world, iid) == before


def test_migrating_adds_a_step_keeps_the_open_task_and_its_timer(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    task = world.task(iid, "submit")
    engine.claim(world.db, task.id, user_id=world.uid("city_a1"))
    due = engine.get_instance(world.db, iid, user_id=world.uid("admin")).next_timer_at
    ADDED.deploy(world.db)
    at.advance(days=3)
    migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"), reason="new precheck")
    view = engine.get_instance(world.db, iid, user_id=world.uid("admin"))
    assert view.version == 2 and [t.id for t in view.tasks] == [task.id]
    assert view.tasks[0].claimed_by_id == world.uid("city_a1")  # the claim survived
    assert view.next_timer_at == due  # not re-armed from the moment of migration
    engine.complete(world.db, task.id, user_id=world.uid("city_a1"), data={})
    assert world.ready_ids(iid) == ["precheck"]
    with world.db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid,
                                                   AuditEvent.action == "instance_migrated")).one()
    assert (event.data_before, event.data_after["version"], event.message) == ({"version": 1}, 2, "new precheck")


def test_a_token_in_a_removed_step_is_refused(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    world.do("city_a1", iid, "submit", {})
    NO_REVIEW.deploy(world.db)
    verdict = _plan(world, iid, 2)
    assert (verdict.can_move, verdict.reason, verdict.element) == (False, "token_in_removed_step", "review")
    before = _state(world, iid)
    with pytest.raises(engine.InvalidState) as refused:
        migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"))
    assert refused.value.reason == "migration_refused"
    assert refused.value.details == [{"instance_id": iid, "reason": "token_in_removed_step", "element": "review"}]
    assert _state(world, iid) == before


def test_removing_a_step_without_a_token_moves(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    NO_REVIEW.deploy(world.db)
    migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"))
    world.do("city_a1", iid, "submit", {})
    assert world.instance_state(iid) == "completed"


def test_removing_the_step_just_completed_moves(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    world.do("city_a1", iid, "submit", {})
    NO_SUBMIT.deploy(world.db)
    migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"))
    world.do("prov_a", iid, "review", {})
    assert world.instance_state(iid) == "completed"


def test_a_token_in_a_step_changed_beyond_its_flows_is_refused(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    world.do("city_a1", iid, "submit", {})
    REVIEW_IN_CITY.deploy(world.db)
    verdict = _plan(world, iid, 2)
    assert (verdict.reason, verdict.element) == ("token_in_changed_step", "review")
    assert [(s.bpmn_id, s.attributes) for s in verdict.changes.changed] == [("review", ("lane",))]


def test_a_running_multi_instance_is_refused(world: World, at: Clock) -> None:
    Version("steps", [("sign", "Province"), ("review", "Province")], multi={"sign": 2}).deploy(world.db)
    iid = _start(world)
    Version("steps", [("sign", "Province"), ("review", "Province")], multi={"sign": 3},
            names={"sign": "Sign off"}).deploy(world.db)
    assert (_plan(world, iid, 2).reason, _plan(world, iid, 2).element) == ("loop_running", "sign")


def test_a_running_call_activity_is_refused(world: World, at: Clock) -> None:
    Version("steps", [("sub", "City"), ("review", "Province")], calls={"sub"}).deploy(world.db)
    iid = _start(world)
    assert world.ready_ids(iid) == ["child_task"]
    Version("steps", [("sub", "City"), ("precheck", "Province"), ("review", "Province")],
            calls={"sub"}).deploy(world.db)
    verdict = _plan(world, iid, 2)
    assert (verdict.reason, verdict.element) == ("subprocess_running", "sub")


def test_the_same_version_and_finished_instances_are_refused(world: World, at: Clock) -> None:
    NO_REVIEW.deploy(world.db)
    iid = _start(world)
    assert _plan(world, iid, 1).reason == "same_version"
    world.do("city_a1", iid, "submit", {})
    V1.deploy(world.db)
    assert _plan(world, iid, 2).reason == "instance_completed"


def test_revert_restores_exactly_the_prior_state_and_version(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    before = _state(world, iid)
    due = engine.get_instance(world.db, iid, user_id=world.uid("admin")).next_timer_at
    ADDED.deploy(world.db)
    migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"))
    assert _state(world, iid)[0] != before[0]
    engine.migration.revert(world.db, iid, user_id=world.uid("admin"), reason="wrong version")
    assert _state(world, iid) == before
    view = engine.get_instance(world.db, iid, user_id=world.uid("admin"))
    assert (view.version, view.next_timer_at) == (1, due)
    world.do("city_a1", iid, "submit", {})
    assert world.ready_ids(iid) == ["review"]  # the old version's path again
    with world.db() as s:
        snap = s.scalars(select(InstanceSnapshot).where(InstanceSnapshot.instance_id == iid)).one()
        assert snap.reverted_by_id == world.uid("admin")


def test_revert_is_refused_once_the_instance_moved_on(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    ADDED.deploy(world.db)
    migration.migrate(world.db, [iid], to_version=2, user_id=world.uid("admin"))
    world.do("city_a1", iid, "submit", {})
    with pytest.raises(engine.ConflictError) as refused:
        engine.migration.revert(world.db, iid, user_id=world.uid("admin"))
    assert refused.value.reason == "instance_moved_on"
    assert world.ready_ids(iid) == ["precheck"]


def test_revert_needs_a_migration(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    with pytest.raises(engine.InvalidState) as refused:
        engine.migration.revert(world.db, iid, user_id=world.uid("admin"))
    assert refused.value.reason == "nothing_to_revert"


def test_a_batch_moves_all_or_nothing(world: World, at: Clock) -> None:
    V1.deploy(world.db)
    waiting = _start(world)
    reviewing = engine.start(world.db, "steps", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    world.do("city_a2", reviewing, "submit", {})
    NO_REVIEW.deploy(world.db)
    result = migration.plan(world.db, [waiting, reviewing], to_version=2, user_id=world.uid("admin"))
    assert [(v.instance_id, v.can_move) for v in result.instances] == [(waiting, True), (reviewing, False)]
    with pytest.raises(engine.InvalidState):
        migration.migrate(world.db, [waiting, reviewing], to_version=2, user_id=world.uid("admin"))
    assert engine.get_instance(world.db, waiting, user_id=world.uid("admin")).version == 1
    migration.migrate(world.db, [waiting], to_version=2, user_id=world.uid("admin"))
    assert engine.get_instance(world.db, waiting, user_id=world.uid("admin")).version == 2


@pytest.mark.parametrize("user", ["prov_a", "ministry", "city_a1"])
def test_only_administrators_migrate(world: World, at: Clock, user: str) -> None:
    V1.deploy(world.db)
    iid = _start(world)
    ADDED.deploy(world.db)
    for call in (lambda: migration.plan(world.db, [iid], to_version=2, user_id=world.uid(user)),
                 lambda: migration.migrate(world.db, [iid], to_version=2, user_id=world.uid(user)),
                 lambda: engine.migration.revert(world.db, iid, user_id=world.uid(user))):
        with pytest.raises(engine.Forbidden):
            call()
