"""The load-and-authorize seam (engine.lookup), called directly: one error policy for every engine
call. Not visible is NotFound (as if it did not exist); visible but not yours to act on is
Forbidden; not in a state to act on is InvalidState; held by a colleague is ConflictError."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

import engine
from engine import lookup
from engine.models import Attachment
from tests.conftest import DATA
from tests.helpers import World

pytestmark = pytest.mark.usefixtures("two_step")


def started(world: World, pilot: str = "A1") -> tuple[int, str]:
    iid = engine.start(world.db, "two_step", user_id=world.uid("prov_a" if pilot[0] == "A" else "prov_b"),
                       pilot_id=world.pilots[pilot])
    return iid, world.task(iid, "submit").id


def call(world: World, helper: Callable[..., Any], user: str, *args: Any, **kwargs: Any) -> Any:
    with world.db() as session:
        return helper(session, lookup.active_user(session, world.uid(user)), *args, **kwargs)


def test_active_user_refuses_unknown_and_deactivated_users(world: World) -> None:
    with world.db() as session:
        assert lookup.active_user(session, world.uid("prov_a")).username == "prov_a"
        with pytest.raises(engine.Forbidden) as err:
            lookup.active_user(session, 10**9)
        assert err.value.reason == "inactive_user"
    engine.users.set_active(world.db, "prov_a", False, user_id=engine.SYSTEM)
    with world.db() as session, pytest.raises(engine.Forbidden):
        lookup.active_user(session, world.uid("prov_a"))


def test_visible_instance_is_not_found_outside_the_jurisdiction(world: World) -> None:
    iid, _ = started(world)
    for user in ("city_a1", "prov_a", "prov_a2", "ministry", "admin"):
        assert call(world, lookup.visible_instance, user, iid).id == iid
    for user in ("city_a2", "city_b1", "prov_b"):
        with pytest.raises(engine.NotFound) as err:
            call(world, lookup.visible_instance, user, iid)
        assert err.value.reason == "instance_not_found"
    with pytest.raises(engine.NotFound):  # a missing one looks the same
        call(world, lookup.visible_instance, "admin", 10**9)


def test_visible_pilot_and_task_follow_the_same_rule(world: World) -> None:
    _, task_id = started(world)
    assert call(world, lookup.visible_pilot, "prov_a", world.pilots["A2"]).name == "温州市"
    with pytest.raises(engine.NotFound):
        call(world, lookup.visible_pilot, "prov_b", world.pilots["A2"])
    with pytest.raises(engine.NotFound):
        call(world, lookup.visible_pilot, "city_a1", world.pilots["A2"])
    # a province reviewer sees the city's task (not theirs to act on: that is open_task's question)
    assert call(world, lookup.visible_task, "prov_a", task_id).bpmn_id == "submit"
    with pytest.raises(engine.NotFound) as err:
        call(world, lookup.visible_task, "city_a2", task_id)
    assert err.value.reason == "task_not_found"


def test_open_task_is_forbidden_when_visible_but_not_yours(world: World) -> None:
    _, task_id = started(world)
    assert call(world, lookup.open_task, "city_a1", task_id).id == task_id
    for user in ("prov_a", "ministry", "admin"):  # they see it; it is the city's to do
        with pytest.raises(engine.Forbidden) as err:
            call(world, lookup.open_task, user, task_id)
        assert err.value.reason == "task_not_yours"
    # ``manage``: a reviewer who may hand the task over may reach it, a ministry user may not
    assert call(world, lookup.open_task, "prov_a", task_id, manage=True).id == task_id
    with pytest.raises(engine.Forbidden):
        call(world, lookup.open_task, "ministry", task_id, manage=True)
    with pytest.raises(engine.NotFound):  # invisible stays NotFound, whatever is asked
        call(world, lookup.open_task, "prov_b", task_id, manage=True)


def test_open_task_refuses_a_finished_task_or_a_stopped_instance(world: World) -> None:
    iid, task_id = started(world)
    world.do("city_a1", iid, "submit", {"summary": "done"})
    with pytest.raises(engine.InvalidState) as err:
        call(world, lookup.open_task, "city_a1", task_id)
    assert err.value.reason == "task_completed"
    review = world.task(iid, "review").id
    engine.suspend(world.db, iid, user_id=world.uid("admin"), reason="audit")
    with pytest.raises(engine.InvalidState) as err:
        call(world, lookup.open_task, "prov_a", review)
    assert err.value.reason == "instance_suspended"


def test_actionable_task_folds_in_the_claim_rule(world: World) -> None:
    iid, _ = started(world)
    world.do("city_a1", iid, "submit", {"summary": "done"})
    review = world.task(iid, "review").id
    assert call(world, lookup.actionable_task, "prov_a", review).id == review  # unclaimed: anyone of the role
    engine.claim(world.db, review, user_id=world.uid("prov_a2"))
    assert call(world, lookup.actionable_task, "prov_a2", review).claimed_by_id == world.uid("prov_a2")
    with pytest.raises(engine.ConflictError) as err:
        call(world, lookup.actionable_task, "prov_a", review)
    assert err.value.reason == "claimed_by_other"


def test_reassignable_task(world: World) -> None:
    _, task_id = started(world)
    assert call(world, lookup.reassignable_task, "prov_a", task_id).id == task_id
    assert call(world, lookup.reassignable_task, "admin", task_id).id == task_id
    for user in ("city_a1", "ministry"):
        with pytest.raises(engine.Forbidden) as err:
            call(world, lookup.reassignable_task, user, task_id)
        assert err.value.reason == "may_not_reassign"
    with pytest.raises(engine.NotFound):
        call(world, lookup.reassignable_task, "prov_b", task_id)


def test_visible_attachment(world: World) -> None:
    iid, task_id = started(world)
    with world.db.begin() as session:
        att = Attachment(instance_id=iid, task_id=task_id, name="plan.pdf", content_type="application/pdf",
                         size=4, content_hash="0" * 64, uploaded_by_id=world.uid("city_a1"))
        session.add(att)
        session.flush()
        att_id = att.id
    assert call(world, lookup.visible_attachment, "prov_a", att_id).name == "plan.pdf"
    for user in ("city_a2", "prov_b"):
        with pytest.raises(engine.NotFound) as err:
            call(world, lookup.visible_attachment, user, att_id)
        assert err.value.reason == "attachment_not_found"


def test_administrator_and_the_system_actor(world: World) -> None:
    def admin_actor(actor: lookup.Actor) -> int | None:
        with world.db() as session:
            return lookup.admin_actor(session, actor)

    assert admin_actor(engine.SYSTEM) is None  # audited as no user
    assert admin_actor(world.uid("admin")) == world.uid("admin")
    for user in ("ministry", "prov_a", "city_a1"):
        with pytest.raises(engine.Forbidden) as err:
            admin_actor(world.uid(user))
        assert err.value.reason == "admin_only"
    engine.users.set_active(world.db, "admin", False, user_id=engine.SYSTEM)
    with pytest.raises(engine.Forbidden):
        admin_actor(world.uid("admin"))


def test_deploy_is_for_administrators_and_the_system_actor(world: World) -> None:
    files = [(name, engine.read_paths([path])[0][1]) for name, path in (
        ("two_step.bpmn", DATA / "two_step.bpmn"), ("submit-schema.json", DATA / "submit-schema.json"),
        ("review-schema.json", DATA / "review-schema.json"))]
    files[0] = (files[0][0], files[0][1].replace(b"</bpmn:definitions>", b"<!-- v2 --></bpmn:definitions>"))
    for user in ("ministry", "prov_a", "city_a1"):
        with pytest.raises(engine.Forbidden):
            engine.deploy(world.db, files, user_id=world.uid(user))
    def live() -> int:
        return {d.key: d.version for d in engine.list_definitions(world.db)}["two_step"]

    assert live() == 1  # nothing was stored
    assert [d.version for d in engine.deploy(world.db, files, user_id=world.uid("admin"))] == [2]
    assert live() == 2


def test_dashboard_user(world: World) -> None:
    def dashboard_user(name: str) -> str:
        session: Session
        with world.db() as session:
            return lookup.dashboard_user(session, world.uid(name)).username

    assert [dashboard_user(u) for u in ("prov_a", "ministry", "admin")] == ["prov_a", "ministry", "admin"]
    with pytest.raises(engine.Forbidden) as err:
        dashboard_user("city_a1")
    assert err.value.reason == "dashboard_roles"


def test_the_system_viewer_sees_nationwide(world: World) -> None:
    assert len(engine.list_pilots(world.db, user_id=engine.SYSTEM)) == 3
    assert len(engine.list_provinces(world.db, user_id=engine.SYSTEM)) == 2
    assert [p.name for p in engine.list_pilots(world.db, user_id=world.uid("prov_b"))] == ["南平市"]
