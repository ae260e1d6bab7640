"""engine.stats: pilot rows, the pilot page, the diagram and the dashboard figures, each in the
user's jurisdiction, for a small scenario driven with the movable clock."""
from __future__ import annotations

from datetime import timedelta

import pytest

import engine
from engine import pilots
from engine import stats
from engine.errors import Forbidden
from engine.errors import NotFound
from tests.helpers import Clock
from tests.helpers import World

SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}


def scenario(world: World, at: Clock) -> tuple[int, int]:
    """A1: scheme submitted (2 h), sent back for revision (4 h), round 2 open. B1: round 1 open.
    A2: not started. Then 35 days pass: both open submissions are overdue (B1 by 5 days, A1 by 4)."""
    t0 = at.current
    a1 = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    b1 = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_b"), pilot_id=world.pilots["B1"])
    at.advance(hours=2)
    world.do("city_a1", a1, "submit_scheme", SCHEME)
    at.advance(hours=4)
    world.do("prov_a", a1, "review_scheme", {"decision": "revise", "comment": "请补充顶层设计"})
    at.set(t0 + timedelta(days=35))
    return a1, b1


def test_dashboard_figures_nationwide(world: World, at: Clock) -> None:
    a1, b1 = scenario(world, at)
    d = stats.dashboard(world.db, user_id=world.uid("ministry"))
    counts = {s.key: s.count for s in d.stages}
    assert counts == {"submit_scheme": 2, "completed": 0, "not_started": 1}
    assert [(r.pilot, r.bpmn_id, r.days_overdue, r.round) for r in d.overdue] == [
        ("南平市", "submit_scheme", 5, 1), ("宁波市", "submit_scheme", 4, 2)]
    assert {(r.pilot, r.bpmn_id, r.rounds) for r in d.rounds} == {("宁波市", "submit_scheme", 2),
                                                                  ("南平市", "submit_scheme", 1)}
    assert d.pilot_rounds() == [("宁波市", "浙江省", 2), ("南平市", "福建省", 1)]
    steps = {s.bpmn_id: (s.count, round(s.average_hours, 2), round(s.median_hours, 2)) for s in d.steps}
    assert steps == {"submit_scheme": (1, 2.0, 2.0), "review_scheme": (1, 4.0, 4.0)}


def test_median_differs_from_mean(world: World, at: Clock) -> None:
    for pilot, city, hours in (("A1", "city_a1", 1), ("A2", "city_a2", 2), ("B1", "city_b1", 9)):
        starter = "prov_b" if pilot == "B1" else "prov_a"
        iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid(starter), pilot_id=world.pilots[pilot])
        at.advance(hours=hours)
        world.do(city, iid, "submit_scheme", SCHEME)
    step = {s.bpmn_id: s for s in stats.dashboard(world.db, user_id=world.uid("admin")).steps}["submit_scheme"]
    assert (step.count, round(step.average_hours, 2), round(step.median_hours, 2)) == (3, 4.0, 2.0)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(world: World, at: Clock) -> None:
    for pilot, city, hours in (("A1", "city_a1", 1), ("A2", "city_a2", 2)):
        iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots[pilot])
        at.advance(hours=hours)
        world.do(city, iid, "submit_scheme", SCHEME)
    step = {s.bpmn_id: s for s in stats.dashboard(world.db, user_id=world.uid("admin")).steps}["submit_scheme"]
    assert (step.count, round(step.average_hours, 2), round(step.median_hours, 2)) == (2, 1.5, 1.5)
    only = stats.dashboard(world.db, user_id=world.uid("admin"), tables=("steps",))
    assert only.steps and (only.stages, only.overdue, only.rounds) == ([], [], [])  # a CSV computes its own table


def test_provincial_user_sees_only_its_province(world: World, at: Clock) -> None:
    scenario(world, at)
    d = stats.dashboard(world.db, user_id=world.uid("prov_b"), province_id=world.provinces["A"])
    assert d.province_id == world.provinces["B"]  # a provincial user cannot widen or move the scope
    assert {s.key: s.count for s in d.stages} == {"submit_scheme": 1, "completed": 0, "not_started": 0}
    assert [r.pilot for r in d.overdue] == ["南平市"]
    assert [r.pilot for r in d.rounds] == ["南平市"]
    assert set(s.bpmn_id for s in d.steps) == set()
    a = stats.dashboard(world.db, user_id=world.uid("ministry"), province_id=world.provinces["A"])
    assert {s.key: s.count for s in a.stages} == {"submit_scheme": 1, "completed": 0, "not_started": 1}
    assert [r.pilot for r in a.overdue] == ["宁波市"]


def test_city_users_have_no_dashboard(world: World) -> None:
    with pytest.raises(Forbidden):
        stats.dashboard(world.db, user_id=world.uid("city_a1"))


def test_pilot_rows_are_scoped_and_searchable(world: World, at: Clock) -> None:
    scenario(world, at)
    rows = {r.name: r for r in pilots.list_pilot_rows(world.db, user_id=world.uid("ministry"))}
    assert set(rows) == {"宁波市", "温州市", "南平市"}
    assert (rows["宁波市"].open_tasks, rows["宁波市"].overdue, rows["宁波市"].state) == (1, 1, "running")
    assert (rows["温州市"].open_tasks, rows["温州市"].state) == (0, None)
    assert [r.name for r in pilots.list_pilot_rows(world.db, user_id=world.uid("city_a1"))] == ["宁波市"]
    assert [r.name for r in pilots.list_pilot_rows(world.db, user_id=world.uid("prov_a"), search="温州")] == ["温州市"]
    assert [r.name for r in pilots.list_pilot_rows(world.db, user_id=world.uid("admin"),
                                                  province_id=world.provinces["B"])] == ["南平市"]
    assert pilots.list_pilot_rows(world.db, user_id=world.uid("admin"), search="%") == []


def test_pilot_page_and_diagram_respect_jurisdiction(world: World, at: Clock) -> None:
    a1, _b1 = scenario(world, at)
    with pytest.raises(NotFound):
        pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_b"))
    with pytest.raises(NotFound):
        pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("city_a2"))
    with pytest.raises(NotFound):
        pilots.diagram(world.db, a1, user_id=world.uid("prov_b"))
    with pytest.raises(NotFound):
        pilots.diagram(world.db, a1, user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    xml, visited, current = pilots.diagram(world.db, a1, user_id=world.uid("city_a1"))
    assert 'id="pilot_lifecycle"' in xml
    assert {"start_pilot", "submit_scheme", "review_scheme"} <= set(visited)
    assert current == ["submit_scheme"]


def test_pilot_page_lists_events_and_rounds(world: World, at: Clock) -> None:
    a1, _b1 = scenario(world, at)
    page = pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_a"))
    (inst,) = page.instances
    assert inst.id == a1 and inst.current == ["submit_scheme"] and [t.round for t in inst.tasks] == [2]
    actions = [e.action for e in inst.events]
    assert actions == ["instance_started", "task_claimed", "task_completed", "task_claimed", "task_completed"]
    review = inst.events[-1]
    assert (review.bpmn_id, review.decision, review.comment, review.actor) == (
        "review_scheme", "revise", "请补充顶层设计", "prov_a")
    assert review.decision_node and review.decision_node["oneOf"][1]["title"] == "退回修改"
    (group,) = inst.rounds
    assert (group.round, group.cycle) == (1, "") and [s.bpmn_id for s in group.documents] == [
        "submit_scheme", "review_scheme"]
    assert group.documents[0].data == SCHEME  # the whole submission, as entered
    assert group.documents[0].schema and group.documents[0].schema["properties"]["scheme_title"]["title"]


def test_documents_are_grouped_round_by_round_in_the_order_done_and_years_by_name(world: World, at: Clock) -> None:
    from tests.processes.test_pilot_lifecycle import act
    from tests.processes.test_pilot_lifecycle import china
    from tests.processes.test_pilot_lifecycle import started
    from tests.processes.test_pilot_lifecycle import through_task_book
    from tests.processes.test_pilot_lifecycle import tick

    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "补充"})
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "approve"})
    through_task_book(world, iid, start_year=2026, years=3)
    act(world, "city_a1", iid, "submit_annual_report", year=2026)
    act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2027, 1, 2))
    act(world, "city_a1", iid, "submit_annual_report", year=2027)
    (inst,) = pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_a")).instances
    assert [(g.cycle_number, g.round, [d.bpmn_id for d in g.documents]) for g in inst.rounds] == [
        (None, 1, ["submit_scheme", "review_scheme"]), (None, 2, ["submit_scheme", "review_scheme"]),
        (None, 1, ["submit_task_book", "submit_investment_plan", "review_task_book"]),
        (1, 1, ["submit_annual_report", "review_annual_report"]), (2, 1, ["submit_annual_report"])]
    assert inst.rounds[-1].cycle_name and inst.rounds[-1].cycle_name.startswith("年度自评价")
    assert inst.rounds[2].first_step.startswith("编制创建任务书")


def test_the_page_lists_the_most_overdue_and_counts_them_all(world: World, at: Clock) -> None:
    for pilot in ("A1", "A2", "B1"):
        engine.start(world.db, "pilot_lifecycle", user_id=world.uid("ministry"), pilot_id=world.pilots[pilot])
        at.advance(days=1)
    at.advance(days=60)  # every submission is past its due date
    shown = stats.dashboard(world.db, user_id=world.uid("admin"), overdue_limit=2)
    assert shown.overdue_total == 3 and len(shown.overdue) == 2
    assert shown.overdue[0].days_overdue > shown.overdue[1].days_overdue  # the most overdue first
    assert len(stats.dashboard(world.db, user_id=world.uid("admin"), overdue_limit=None).overdue) == 3
