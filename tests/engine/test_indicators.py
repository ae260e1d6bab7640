"""The indicator system as editable reference data: seeded with the shipped trial edition, every
change made with a reason and kept as a revision (who, when, before, after), never deleted."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

import engine
from engine import indicators
from engine import reference
from engine.models import AuditEvent
from tests.helpers import World


def test_the_shipped_edition_is_seeded_4_11_57_in_code_order(world: World) -> None:
    rows = indicators.catalogue(world.db, user_id=engine.SYSTEM)
    assert Counter(r.level for r in rows) == {1: 4, 2: 11, 3: 57}
    assert [r.code for r in rows] == [r["code"] for r in reference.shipped_indicators()]
    by_code = {r.code: r for r in rows}
    assert by_code["3.3.10"].parent == "3.3" and by_code["3.3"].parent == "3" and by_code["3"].parent is None
    assert by_code["1.1.1"].source_checked and not by_code["1.1.3"].source_checked
    assert [r.code for r in rows].index("3.3.9") < [r.code for r in rows].index("3.3.10")


def test_an_edit_keeps_who_when_why_and_what_it_was(world: World) -> None:
    admin = world.uid("admin")
    indicators.edit(world.db, "1.1.2", user_id=admin, name_zh="组织机构与协调机制", name_en="Organizational structure",
                    description="领导小组、牵头部门", reason="按省厅意见调整")
    page = indicators.page(world.db, "1.1.2", user_id=admin)
    assert page.indicator.name_zh == "组织机构与协调机制" and page.indicator.description == "领导小组、牵头部门"
    assert [p.code for p in page.path] == ["1", "1.1"]
    (rev,) = page.revisions
    assert (rev.action, rev.reason, rev.actor) == ("edited", "按省厅意见调整", "admin")
    assert rev.before == {"name_zh": "组织机构", "description": None}
    assert rev.after == {"name_zh": "组织机构与协调机制", "description": "领导小组、牵头部门"}
    with world.db() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "indicator_edited")).one()
        assert event.actor_id == admin and event.message == "按省厅意见调整" and event.data_after["code"] == "1.1.2"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"reason": " "}, "reason_required"),
    ({"name_zh": ""}, "indicator_name_required"),
    ({"name_en": "x" * 201}, "indicator_too_long"),
    ({}, "indicator_unchanged"),
])
def test_an_edit_needs_a_reason_a_name_and_a_change(world: World, changes: dict[str, str], reason: str) -> None:
    fields = {"name_zh": "组织机构", "name_en": "Organizational structure", "description": "", "reason": "why"}
    with pytest.raises(engine.InvalidData) as refused:
        indicators.edit(world.db, "1.1.2", user_id=engine.SYSTEM, **(fields | changes))
    assert refused.value.reason == reason


def test_a_third_level_indicator_is_added_retired_and_restored_under_its_code(world: World) -> None:
    admin = world.uid("admin")
    code = indicators.add(world.db, "4.1", user_id=admin, name_zh="数字经济", name_en="Digital economy",
                          description=None, reason="2014 年版新增")
    assert code == "4.1.3"
    indicators.set_retired(world.db, code, True, user_id=admin, reason="试行期结束")
    with pytest.raises(engine.InvalidState):
        indicators.set_retired(world.db, code, True, user_id=admin, reason="again")
    again = indicators.add(world.db, "4.1", user_id=admin, name_zh="平台经济", name_en="Platform economy",
                           description=None, reason="新增")
    assert again == "4.1.4"  # a retired code is never given again
    page = indicators.page(world.db, code, user_id=admin)
    assert page.indicator.retired and [r.action for r in page.revisions] == ["retired", "added"]
    indicators.set_retired(world.db, code, False, user_id=admin, reason="恢复")
    assert not indicators.page(world.db, code, user_id=admin).indicator.retired
    assert [c.code for c in indicators.page(world.db, "4.1", user_id=admin).children] == [
        "4.1.1", "4.1.2", "4.1.3", "4.1.4"]


def test_only_third_level_indicators_are_added_and_retired(world: World) -> None:
    with pytest.raises(engine.InvalidData):
        indicators.add(world.db, "4", user_id=engine.SYSTEM, name_zh="x", name_en="x", description=None, reason="r")
    with pytest.raises(engine.InvalidData):
        indicators.set_retired(world.db, "4.1", True, user_id=engine.SYSTEM, reason="r")
    with pytest.raises(engine.NotFound):
        indicators.page(world.db, "9.9.9", user_id=engine.SYSTEM)


@pytest.mark.parametrize("who", ["city_a1", "prov_a", "ministry"])
def test_only_administrators_read_and_change_the_indicators(world: World, who: str) -> None:
    uid = world.uid(who)
    for call in (lambda: indicators.catalogue(world.db, user_id=uid),
                 lambda: indicators.page(world.db, "1.1", user_id=uid),
                 lambda: indicators.edit(world.db, "1.1", user_id=uid, name_zh="x", name_en="x", description=None,
                                         reason="r"),
                 lambda: indicators.add(world.db, "1.1", user_id=uid, name_zh="x", name_en="x", description=None,
                                        reason="r"),
                 lambda: indicators.set_retired(world.db, "1.1.1", True, user_id=uid, reason="r")):
        with pytest.raises(engine.Forbidden):
            call()
