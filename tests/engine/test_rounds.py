"""engine.rounds through the task dossier, on the shipped lifecycle: the work each task judges, a
record per round (reviews start empty, revisions start from their own last round), a step's own
history only, and rounds counted per iteration (each year's report is round 1)."""
from __future__ import annotations

import engine
from tests.conftest import DATA
from tests.helpers import Clock
from tests.helpers import World
from tests.processes.test_pilot_lifecycle import SCHEME
from tests.processes.test_pilot_lifecycle import act
from tests.processes.test_pilot_lifecycle import china
from tests.processes.test_pilot_lifecycle import started
from tests.processes.test_pilot_lifecycle import through_scheme
from tests.processes.test_pilot_lifecycle import through_task_book
from tests.processes.test_pilot_lifecycle import tick


def dossier(world: World, iid: int, bpmn_id: str, user: str) -> engine.Dossier:
    return engine.dossier(world.db, world.task(iid, bpmn_id).id, user_id=world.uid(user))


def revised_once(world: World) -> int:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "请补充量化指标"})
    return iid


def test_a_first_review_judges_the_submission_and_starts_empty(world: World) -> None:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    d = dossier(world, iid, "review_scheme", "prov_a")
    assert [(w.bpmn_id, w.round, w.data) for w in d.work] == [("submit_scheme", 1, SCHEME)]
    assert d.judging and d.values == {} and d.changes == [] and d.history == []
    assert d.work[0].completed_by == "city_a1" and d.work[0].schema and d.work[0].schema["title"]


def test_the_revision_answers_the_review_and_starts_from_its_own_last_round(world: World) -> None:
    iid = revised_once(world)
    d = dossier(world, iid, "submit_scheme", "city_a1")
    assert d.task.round == 2 and not d.judging
    assert [(w.bpmn_id, w.data) for w in d.work] == [("review_scheme", {"decision": "revise",
                                                                         "comment": "请补充量化指标"})]
    assert d.values == SCHEME
    assert [(h.round, h.data) for h in d.history] == [(1, SCHEME)]
    [pending] = d.changes  # what is being edited against round 1
    assert pending.pending and pending.bpmn_id == "submit_scheme" and pending.changed == []


def test_a_second_review_opens_empty_and_an_approval_stores_no_revision_comment(world: World) -> None:
    iid = revised_once(world)
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "objectives": "三年内建成城市大脑"})
    d = dossier(world, iid, "review_scheme", "prov_a")
    assert d.task.round == 2 and d.values == {}  # not the round-1 "请补充量化指标"
    assert [(w.bpmn_id, w.round) for w in d.work] == [("submit_scheme", 2)]
    [ch] = d.changes
    assert (ch.bpmn_id, ch.old_round, ch.new_round) == ("submit_scheme", 1, 2)
    assert [(f.key, f.new) for f in ch.changed] == [("objectives", "三年内建成城市大脑")]
    assert [h.data for h in d.history] == [{"decision": "revise", "comment": "请补充量化指标"}]
    world.do("prov_a", iid, "review_scheme", {"decision": "approve", **d.values})
    [approval] = [e for e in engine.instance_events(world.db, iid, user_id=world.uid("admin"))
                  if e.action == "task_completed" and e.bpmn_id == "review_scheme"][-1:]
    assert approval.data_after == {"decision": "approve"}


def test_the_task_book_shows_nothing_of_the_scheme(world: World) -> None:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    first = world.task(iid, "review_scheme")
    engine.comments.add_comment(world.db, first.id, user_id=world.uid("prov_a"), body="目标要量化",
                                field="submit_scheme:objectives")
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "请补充量化指标"})
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    act(world, "prov_a", iid, "review_scheme", decision="approve")
    d = dossier(world, iid, "submit_task_book", "city_a1")
    assert d.changes == [] and d.history == [] and d.attachments == []
    assert [c.body for c in d.comments] == []  # the scheme's pinned remark stays with the scheme
    assert d.pinned == {} and {t.bpmn_id for t in d.pin_targets} == {"submit_task_book"}
    assert "revision_notes" not in d.values and d.values.get("objectives") is None


def test_the_task_book_review_judges_both_city_documents(world: World) -> None:
    iid = started(world)
    through_scheme(world, iid)
    act(world, "city_a1", iid, "submit_task_book", creation_start_year=2026, creation_years=3)
    act(world, "city_a1", iid, "submit_investment_plan")
    d = dossier(world, iid, "review_task_book", "prov_a")
    assert [w.bpmn_id for w in d.work] == ["submit_task_book", "submit_investment_plan"]
    assert {t.bpmn_id for t in d.pin_targets} == {"submit_task_book", "submit_investment_plan", "review_task_book"}


def test_each_years_report_is_round_one_and_the_ministry_judges_the_application(world: World, at: Clock) -> None:
    iid = started(world)
    through_scheme(world, iid)
    through_task_book(world, iid, start_year=2026, years=3)
    act(world, "city_a1", iid, "submit_annual_report", year=2026)
    act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2027, 1, 2))
    second_year = world.task(iid, "submit_annual_report")
    assert second_year.round == 1 and second_year.cycle.endswith(":2")
    d = dossier(world, iid, "submit_annual_report", "city_a1")
    assert d.history == [] and d.changes == [] and d.values.get("summary") is None
    act(world, "city_a1", iid, "submit_annual_report", year=2027)
    review = dossier(world, iid, "review_annual_report", "prov_a")
    assert review.task.round == 1 and review.changes == []
    assert [w.data.get("year") for w in review.work] == [2027]
    act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2028, 1, 2))
    act(world, "city_a1", iid, "submit_annual_report", year=2028)
    act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2029, 1, 2))
    act(world, "city_a1", iid, "submit_acceptance_application")
    assess = dossier(world, iid, "assess_acceptance", "ministry")
    assert [w.bpmn_id for w in assess.work] == ["submit_acceptance_application"]
    assert assess.judging and assess.values == {}


def test_a_task_records_the_task_whose_completion_offered_it(world: World) -> None:
    iid = started(world)
    first = world.task(iid, "submit_scheme")
    assert first.opened_by_id is None  # offered by the start
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    assert world.task(iid, "review_scheme").opened_by_id == first.id


def test_nobody_outside_the_jurisdiction_reads_a_dossier(world: World) -> None:
    iid = started(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    task = world.task(iid, "review_scheme")
    for outsider in ("prov_b", "city_b1", "city_a2"):
        try:
            engine.dossier(world.db, task.id, user_id=world.uid(outsider))
        except engine.NotFound:
            continue
        raise AssertionError(f"{outsider} read a dossier outside their jurisdiction")
    seen = engine.dossier(world.db, task.id, user_id=world.uid("city_a1"))  # the city may read, not act
    assert not seen.may_act and seen.values == {}


def test_a_review_after_a_parallel_join_judges_both_branches_and_round_two_both_revisions(world: World) -> None:
    files = [(n, (DATA / n).read_bytes()) for n in ("parallel_review.bpmn", "plan-schema.json",
                                                      "budget-schema.json", "check-schema.json")]
    engine.deploy(world.db, files, user_id=world.uid("admin"))
    iid = engine.start(world.db, "parallel_review", user_id=world.uid("city_a1"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "write_budget", {"amount": 120})
    world.do("city_a1", iid, "write_plan", {"goal": "一网通办"})
    check = dossier(world, iid, "check", "prov_a")
    assert sorted(w.bpmn_id for w in check.work) == ["write_budget", "write_plan"] and check.judging
    world.do("prov_a", iid, "check", {"ok": False, "note": "预算偏低"})
    plan = dossier(world, iid, "write_plan", "city_a1")
    assert plan.task.round == 2 and plan.values == {"goal": "一网通办"}
    assert [w.data for w in plan.work] == [{"ok": False, "note": "预算偏低"}]
    world.do("city_a1", iid, "write_plan", {"goal": "一网通办"})
    world.do("city_a1", iid, "write_budget", {"amount": 300})
    again = dossier(world, iid, "check", "prov_a")
    assert again.values == {} and sorted(w.bpmn_id for w in again.work) == ["write_budget", "write_plan"]
    changed = {c.bpmn_id: [(f.key, f.old, f.new) for f in c.changed] for c in again.changes}
    assert changed == {"write_plan": [], "write_budget": [("amount", 120, 300)]}


def test_a_reply_to_the_last_review_starts_empty_in_the_next_round(world: World) -> None:
    iid = revised_once(world)
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "objectives": "第二稿", "revision_notes": "已补充指标"})
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "资金来源仍不清楚"})
    d = dossier(world, iid, "submit_scheme", "city_a1")
    assert d.task.round == 3 and d.values["objectives"] == "第二稿" and "revision_notes" not in d.values
