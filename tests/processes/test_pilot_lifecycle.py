"""The shipped pilot lifecycle, end to end through the engine, with the clock moved for timers."""
from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

import engine
from engine import clock
from engine.models import AuditEvent
from tests.helpers import Clock
from tests.helpers import World
from webui.demo import sample

SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}


def form(world: World, iid: int, bpmn_id: str, **overrides: Any) -> dict[str, Any]:
    """Sample data for a ready task's form, with the fields a scenario cares about."""
    task = world.task(iid, bpmn_id)
    schema = engine.get_task(world.db, task.id, user_id=world.uid("admin")).schema or {}
    return {**sample(schema), **overrides}


def act(world: World, user: str, iid: int, bpmn_id: str, **overrides: Any) -> None:
    world.do(user, iid, bpmn_id, form(world, iid, bpmn_id, **overrides))


def started(world: World) -> int:
    return engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def through_scheme(world: World, iid: int) -> None:
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    act(world, "prov_a", iid, "review_scheme", decision="approve")


def through_task_book(world: World, iid: int, start_year: int = 2026, years: int = 3) -> None:
    act(world, "city_a1", iid, "submit_task_book", creation_start_year=start_year, creation_years=years)
    act(world, "city_a1", iid, "submit_investment_plan")
    act(world, "prov_a", iid, "review_task_book", task_book_decision="approve")


def tick(world: World, at: Clock, moment: datetime) -> int:
    at.set(moment)
    return engine.fire_due_timers(world.db)


def events(world: World, iid: int) -> list[AuditEvent]:
    return engine.instance_events(world.db, iid, user_id=world.uid("admin"))


def china(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=clock.CHINA).astimezone(UTC)


def test_approval_path_runs_to_a_three_star_acceptance(world: World, at: Clock) -> None:
    iid = started(world)
    through_scheme(world, iid)
    assert world.ready_ids(iid) == ["submit_task_book"]
    through_task_book(world, iid, start_year=2026, years=3)
    for year in (2026, 2027, 2028):
        if year > 2026:
            assert "submit_annual_report" not in world.ready_ids(iid)
            assert tick(world, at, china(year, 1, 2)) == 1
        act(world, "city_a1", iid, "submit_annual_report", year=year)
        act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    assert tick(world, at, china(2029, 1, 2)) == 1
    act(world, "city_a1", iid, "submit_acceptance_application")
    act(world, "ministry", iid, "assess_acceptance", score_1=95, score_2=92, score_3=90, score_4=96)
    assert world.instance_state(iid) == "completed"
    final = [e for e in events(world, iid) if e.action == "instance_completed"][0]
    assert (final.data_after["result"], final.data_after["stars"]) == ("pass", 3)
    reports = [e.data_after["year"] for e in events(world, iid)
               if e.action == "task_completed" and e.bpmn_id == "submit_annual_report"]
    assert reports == [2026, 2027, 2028]


def test_three_revision_rounds_then_approval(world: World) -> None:
    iid = started(world)
    for n in (1, 2, 3):
        task = world.task(iid, "submit_scheme")
        assert task.round == n
        world.do("city_a1", iid, "submit_scheme", {**SCHEME, "scheme_title": f"方案 第{n}稿"})
        act(world, "prov_a", iid, "review_scheme", decision="revise", comment=f"第{n}轮意见")
    fourth = world.task(iid, "submit_scheme")
    view = engine.get_task(world.db, fourth.id, user_id=world.uid("city_a1"))
    assert fourth.round == 4 and view.data["scheme_title"] == "方案 第3稿"
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    act(world, "prov_a", iid, "review_scheme", decision="approve")
    assert "submit_task_book" in world.ready_ids(iid)


def test_a_comment_is_required_to_send_back(world: World) -> None:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    with pytest.raises(engine.InvalidData):
        world.do("prov_a", iid, "review_scheme", {"decision": "revise"})


def test_rejection_ends_the_lifecycle(world: World) -> None:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    act(world, "prov_a", iid, "review_scheme", decision="reject", comment="不符合申报条件")
    assert world.instance_state(iid) == "completed" and world.ready_ids(iid) == []


def test_revision_rounds_are_capped(world: World) -> None:
    iid = started(world)
    for _ in range(5):
        world.do("city_a1", iid, "submit_scheme", SCHEME)
        act(world, "prov_a", iid, "review_scheme", decision="revise", comment="再改")
    assert world.instance_state(iid) == "completed" and world.ready_ids(iid) == []


def test_an_overdue_revision_reminds_the_city_then_alerts_the_province(world: World, at: Clock) -> None:
    begin = at.now()
    iid = started(world)
    task = world.task(iid, "submit_scheme")
    assert task.due_at is not None and (task.due_at - begin).days == 30
    assert tick(world, at, at.advance(days=21)) == 1  # the reminder (催办)
    assert world.ready_ids(iid) == ["submit_scheme"]
    assert tick(world, at, at.advance(days=10)) == 1  # overdue: the province is alerted (督办)
    assert world.ready_ids(iid) == ["overdue_alert_scheme", "submit_scheme"]
    overdue = engine.tasks_for(world.db, world.uid("city_a1"), engine.TaskQuery(scope="group", overdue=True))
    assert [t.bpmn_id for t in overdue.items] == ["submit_scheme"]
    assert [t.bpmn_id for t in engine.tasks_for(world.db, world.uid("prov_a"), engine.TaskQuery()).items] == [
        "overdue_alert_scheme"]
    act(world, "prov_a", iid, "overdue_alert_scheme", acknowledged=True)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    assert world.ready_ids(iid) == ["review_scheme"]
    assert sum(e.action == "timer_fired" for e in events(world, iid)) == 2


def test_an_inspection_with_rectification(world: World) -> None:
    iid = started(world)
    through_scheme(world, iid)
    through_task_book(world, iid)
    offered = engine.get_instance(world.db, iid, user_id=world.uid("prov_a")).messages
    assert [(m["name"], m["lane"]) for m in offered] == [("open_inspection", "Province")]
    with pytest.raises(engine.Forbidden):
        engine.send_message(world.db, iid, "open_inspection", user_id=world.uid("city_a1"), payload={})
    with pytest.raises(engine.NotFound):
        engine.send_message(world.db, iid, "open_inspection", user_id=world.uid("prov_b"), payload={})
    engine.send_message(world.db, iid, "open_inspection", user_id=world.uid("prov_a"),
                        payload={"findings": "数据平台未按期建成"})
    assert "submit_rectification" in world.ready_ids(iid)
    act(world, "city_a1", iid, "submit_rectification")
    act(world, "prov_a", iid, "verify_rectification", rectification_decision="rectify_again",
        rectification_comment="整改不到位")
    act(world, "city_a1", iid, "submit_rectification")
    act(world, "prov_a", iid, "verify_rectification", rectification_decision="verified")
    ready = world.ready_ids(iid)
    assert "submit_rectification" not in ready and "submit_annual_report" in ready
    assert engine.get_instance(world.db, iid, user_id=world.uid("prov_a")).messages  # a new inspection can open


def test_a_failed_acceptance(world: World, at: Clock) -> None:
    iid = started(world)
    through_scheme(world, iid)
    through_task_book(world, iid, start_year=2026, years=3)
    for year in (2026, 2027, 2028):
        tick(world, at, china(year, 1, 2))
        act(world, "city_a1", iid, "submit_annual_report", year=year)
        act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2029, 1, 2))
    act(world, "city_a1", iid, "submit_acceptance_application")
    act(world, "ministry", iid, "assess_acceptance", score_1=50, score_2=40, score_3=55, score_4=45)
    final = [e for e in events(world, iid) if e.action == "instance_completed"][0]
    assert (final.data_after["result"], final.data_after["stars"]) == ("fail", 0)


def test_a_late_annual_report_alerts_the_province(world: World, at: Clock) -> None:
    iid = started(world)
    through_scheme(world, iid)
    through_task_book(world, iid, start_year=2026, years=3)
    tick(world, at, china(2027, 1, 1, 12))  # 31 Dec 2026 has passed without a report
    assert "overdue_alert_annual_report" in world.ready_ids(iid)


def test_the_provincial_summary_gathers_last_years_reports(world: World, at: Clock) -> None:
    iid = started(world)
    through_scheme(world, iid)
    through_task_book(world, iid, start_year=2026, years=3)
    act(world, "city_a1", iid, "submit_annual_report", year=2026, summary="2026 年度进展")
    summary = engine.start(world.db, "provincial_summary", user_id=world.uid("prov_a"),
                           province_id=world.provinces["A"])
    other = engine.start(world.db, "provincial_summary", user_id=world.uid("prov_b"),
                         province_id=world.provinces["B"])
    assert world.ready_ids(summary) == []
    assert tick(world, at, china(2027, 1, 16)) >= 2
    task = world.task(summary, "summarize_experience")
    with world.db() as s:
        from engine import state
        from engine.models import Instance

        wf = state.restore(s.get(Instance, summary))
        gathered = wf.get_task_from_id(__import__("uuid").UUID(task.id)).data["annual_reports"]
        wf_other = state.restore(s.get(Instance, other))
        other_reports = [t.data.get("annual_reports") for t in wf_other.get_tasks() if "annual_reports" in t.data]
    assert [(r["pilot_name"], r["data"]["summary"]) for r in gathered] == [("宁波市", "2026 年度进展")]
    assert other_reports and other_reports[0] == []
    act(world, "prov_a", summary, "summarize_experience", year=2026)
    assert tick(world, at, china(2028, 1, 16)) >= 1
    assert "summarize_experience" in world.ready_ids(summary)


def test_a_form_does_not_open_with_another_steps_answer_of_the_same_name(world: World) -> None:
    iid = started(world)
    # The scheme and the task book both ask for "revision_notes".
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "revision_notes": "实施方案的修改说明"})
    act(world, "prov_a", iid, "review_scheme", decision="approve")
    book = engine.get_task(world.db, world.task(iid, "submit_task_book").id, user_id=world.uid("city_a1"))
    assert "revision_notes" in (book.schema or {})["properties"]
    assert "revision_notes" not in book.data
    # What a step answered itself still comes back in its next round, except its reply to the
    # last review (a field shown from round 2 on), which starts empty each round.
    act(world, "city_a1", iid, "submit_task_book", overall_goal="任务书第1稿", revision_notes="第1稿说明")
    act(world, "city_a1", iid, "submit_investment_plan")
    act(world, "prov_a", iid, "review_task_book", task_book_decision="revise", task_book_comment="补充指标")
    again = engine.get_task(world.db, world.task(iid, "submit_task_book").id, user_id=world.uid("city_a1"))
    assert again.data["overall_goal"] == "任务书第1稿" and "revision_notes" not in again.data


def test_the_reviews_are_due_in_their_dueIn_days(world: World, at: Clock) -> None:
    """Province: scheme, task book and annual report in 30 days, rectification in 15; ministry: 90."""
    iid = started(world)
    due_days: dict[str, int] = {}

    def note(bpmn_id: str) -> None:
        task = world.task(iid, bpmn_id)
        assert task.due_at is not None, bpmn_id
        due_days[bpmn_id] = (task.due_at - task.created_at).days

    world.do("city_a1", iid, "submit_scheme", SCHEME)
    note("review_scheme")
    act(world, "prov_a", iid, "review_scheme", decision="approve")
    act(world, "city_a1", iid, "submit_task_book", creation_start_year=2026, creation_years=3)
    act(world, "city_a1", iid, "submit_investment_plan")
    note("review_task_book")
    act(world, "prov_a", iid, "review_task_book", task_book_decision="approve")
    engine.send_message(world.db, iid, "open_inspection", user_id=world.uid("prov_a"),
                        payload={"findings": "平台未建成"})
    act(world, "city_a1", iid, "submit_rectification")
    note("verify_rectification")
    for year in (2026, 2027, 2028):
        tick(world, at, china(year, 1, 2))
        act(world, "city_a1", iid, "submit_annual_report", year=year)
        note("review_annual_report")
        act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2029, 1, 2))
    act(world, "city_a1", iid, "submit_acceptance_application")
    note("assess_acceptance")
    assert due_days == {"review_scheme": 30, "review_task_book": 30, "verify_rectification": 15,
                        "review_annual_report": 30, "assess_acceptance": 90}
