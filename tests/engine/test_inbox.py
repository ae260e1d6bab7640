"""engine.inbox beyond the three scopes (held by colleagues, filter options, reassignment
candidates), the scope/count agreement, and engine.saved_filters."""
from __future__ import annotations

import pytest

import engine
from engine import inbox
from engine import saved_filters
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import NotFound
from tests.conftest import DATA
from tests.helpers import Clock
from tests.helpers import World


@pytest.fixture
def two_step(world: World) -> None:
    files = [(n, (DATA / n).read_bytes()) for n in ("two_step.bpmn", "submit-schema.json", "review-schema.json")]
    engine.deploy(world.db, files, user_id=world.uid("admin"))


def start(world: World, pilot: str) -> int:
    starter = "prov_b" if pilot.startswith("B") else "prov_a"
    return engine.start(world.db, "two_step", user_id=world.uid(starter), pilot_id=world.pilots[pilot])


def ids(world: World, user: str, scope: str, **filters: object) -> list[str]:
    query = inbox.TaskQuery(scope=scope, **filters)  # type: ignore[arg-type]
    return [t.id for t in engine.tasks_for(world.db, world.uid(user), query).items]


def test_held_lists_colleagues_claims_in_jurisdiction(world: World, two_step: None) -> None:
    a1, b1 = start(world, "A1"), start(world, "B1")
    t_a1, t_b1 = world.task(a1, "submit").id, world.task(b1, "submit").id
    assert ids(world, "prov_a", "held") == []  # unclaimed tasks are in the group queue, not here
    engine.claim(world.db, t_a1, user_id=world.uid("city_a1"))
    engine.claim(world.db, t_b1, user_id=world.uid("city_b1"))
    assert ids(world, "prov_a", "held") == [t_a1]
    assert ids(world, "prov_b", "held") == [t_b1]
    assert ids(world, "city_a1", "held") == []  # my own claim is under "mine"
    assert ids(world, "city_a2", "held") == []  # another pilot's
    assert ids(world, "ministry", "held") == []  # ministry's queue holds no city task
    assert sorted(ids(world, "admin", "held")) == sorted([t_a1, t_b1])
    assert ids(world, "admin", "held", province_id=world.provinces["B"]) == [t_b1]
    assert engine.counts_for(world.db, world.uid("admin"), scopes=("held",)) == {"held": 2}
    # the three engine scopes are delegated unchanged
    assert ids(world, "city_a1", "mine") == [t_a1]


def test_counts_agree_with_lists_and_completion_moves_the_task(world: World, two_step: None) -> None:
    iid = start(world, "A1")
    task = world.task(iid, "submit").id
    uid = world.uid("city_a1")

    three = ("mine", "group", "completed")

    def totals() -> dict[str, int]:
        return {s: engine.tasks_for(world.db, uid, inbox.TaskQuery(scope=s)).total for s in three}

    assert totals() == engine.counts_for(world.db, uid, scopes=three) == {"mine": 0, "group": 1, "completed": 0}
    engine.claim(world.db, task, user_id=uid)
    assert totals() == engine.counts_for(world.db, uid, scopes=three) == {"mine": 1, "group": 0, "completed": 0}
    engine.complete(world.db, task, user_id=uid, data={"summary": "finished"})
    assert totals() == engine.counts_for(world.db, uid, scopes=three) == {"mine": 0, "group": 0, "completed": 1}
    assert ids(world, "city_a1", "completed") == [task]


def test_sort_soonest_due_first_and_no_due_date_last(world: World, two_step: None, at: Clock) -> None:
    first = start(world, "A1")
    at.advance(days=1)
    second = start(world, "A2")
    world.do("city_a1", first, "submit", {"summary": "first one"})  # review: no due date
    assert ids(world, "admin", "held") == []
    engine.claim(world.db, world.task(second, "submit").id, user_id=world.uid("city_a2"))
    engine.claim(world.db, world.task(first, "review").id, user_id=world.uid("prov_a2"))
    assert ids(world, "prov_a", "held") == [world.task(second, "submit").id, world.task(first, "review").id]


def test_step_and_province_options_stay_in_jurisdiction(world: World, two_step: None) -> None:
    a1 = start(world, "A1")
    start(world, "B1")
    world.do("city_a1", a1, "submit", {"summary": "for review"})
    steps = lambda user: [s.bpmn_id for s in inbox.step_options(world.db, world.uid(user))]  # noqa: E731
    assert steps("prov_a") == ["review"]
    assert steps("prov_b") == []  # province B has no review waiting
    assert steps("city_a1") == ["submit"]  # what it completed
    assert steps("city_b1") == ["submit"]
    assert steps("city_a2") == []
    provinces = lambda user: [p.id for p in engine.list_provinces(world.db, user_id=world.uid(user))]  # noqa: E731
    assert provinces("prov_b") == [world.provinces["B"]]
    assert provinces("city_a1") == [world.provinces["A"]]
    assert sorted(provinces("ministry")) == sorted(world.provinces.values())


def test_reassign_candidates(world: World, two_step: None) -> None:
    iid = start(world, "A1")
    world.do("city_a1", iid, "submit", {"summary": "for review"})
    review = world.task(iid, "review").id
    names = lambda user: sorted(u.username for u in  # noqa: E731
                                inbox.reassign_candidates(world.db, review, user_id=world.uid(user))[1])
    assert names("prov_a") == ["prov_a", "prov_a2"]
    assert names("admin") == ["prov_a", "prov_a2"]
    engine.claim(world.db, review, user_id=world.uid("prov_a2"))
    assert names("prov_a") == ["prov_a"]  # not the holder
    with pytest.raises(Forbidden):
        inbox.reassign_candidates(world.db, review, user_id=world.uid("city_a1"))
    with pytest.raises(Forbidden):
        inbox.reassign_candidates(world.db, review, user_id=world.uid("ministry"))
    with pytest.raises(NotFound):
        inbox.reassign_candidates(world.db, review, user_id=world.uid("prov_b"))
    with pytest.raises(NotFound):
        inbox.reassign_candidates(world.db, "no-such-task", user_id=world.uid("prov_a"))
    # a city task: only the city users of its pilot
    other = start(world, "A2")
    submit = world.task(other, "submit").id
    assert [u.username for u in inbox.reassign_candidates(world.db, submit, user_id=world.uid("prov_a"))[1]] \
        == ["city_a2"]
    world.do("prov_a2", iid, "review", {"decision": "approve"})
    with pytest.raises(InvalidState):
        inbox.reassign_candidates(world.db, review, user_id=world.uid("prov_a"))


def test_saved_filters(world: World) -> None:
    a, b = world.uid("prov_a"), world.uid("prov_b")
    fid = saved_filters.save(world.db, a, " Overdue reviews ", {"scope": "group", "bpmn_id": "review",
                                                                  "overdue": True, "pilot_id": None})
    [view] = saved_filters.list_filters(world.db, a)
    assert (view.id, view.name, view.query) == (fid, "Overdue reviews",
                                                {"scope": "group", "bpmn_id": "review", "overdue": True})
    assert saved_filters.list_filters(world.db, b) == []
    saved_filters.save(world.db, b, "Overdue reviews", {"scope": "mine"})  # names are unique per user only
    with pytest.raises(InvalidData):
        saved_filters.save(world.db, a, "Overdue reviews", {"scope": "mine"})
    for bad_name in ("", "   ", "x" * 101):
        with pytest.raises(InvalidData):
            saved_filters.save(world.db, a, bad_name, {"scope": "mine"})
    saved_filters.save(world.db, a, "x" * 100, {"scope": "mine"})
    for bad_query in ({"scope": "all"}, {"evil": 1}, {"pilot_id": "1; drop"}, {"pilot_id": True},
                      {"province_id": 0}, {"bpmn_id": 5}):
        with pytest.raises(InvalidData):
            saved_filters.save(world.db, a, "bad", bad_query)
    with pytest.raises(NotFound):
        saved_filters.delete(world.db, fid, user_id=b)
    assert len(saved_filters.list_filters(world.db, a)) == 2
    saved_filters.delete(world.db, fid, user_id=a)
    assert [v.name for v in saved_filters.list_filters(world.db, a)] == ["x" * 100]
    with pytest.raises(NotFound):
        saved_filters.delete(world.db, fid, user_id=a)


def test_search_by_pilot_or_step_name_and_sort_by_column(world: World, two_step: None, at: Clock) -> None:
    a1 = start(world, "A1")  # 宁波市
    at.advance(hours=1)
    a2 = start(world, "A2")  # 温州市
    world.do("city_a2", a2, "submit", {"summary": "for review"})  # A2: review, A1: submit

    def listed(user: str, **query: object) -> list[int]:
        page = engine.tasks_for(world.db, world.uid(user), inbox.TaskQuery(**query))  # type: ignore[arg-type]
        return [t.instance_id for t in page.items]

    assert listed("admin", scope="held") == []
    assert listed("city_a1", scope="group", search="宁波") == [a1]
    assert listed("city_a1", scope="group", search="温州") == []  # another pilot's: never, whatever the search
    assert listed("prov_a", scope="group", search="review") == [a2]  # part of a step's name
    assert listed("prov_a", scope="group", search="100%_") == []  # LIKE's wildcards are plain characters
    engine.claim(world.db, world.task(a1, "submit").id, user_id=world.uid("city_a1"))
    engine.claim(world.db, world.task(a2, "review").id, user_id=world.uid("prov_a"))
    assert listed("admin", scope="held", sort="pilot") == [a1, a2]  # 宁波市 before 温州市 (code point order)
    assert listed("admin", scope="held", sort="pilot", descending=True) == [a2, a1]
    assert listed("admin", scope="held", sort="created", descending=True) == [a2, a1]
    assert listed("admin", scope="held", search="温州", sort="province") == [a2]


def test_a_saved_filter_keeps_its_search_and_order(world: World) -> None:
    kept = saved_filters.clean_query({"scope": "group", "search": " 宁波 ", "sort": "pilot", "descending": True})
    assert kept == {"scope": "group", "search": "宁波", "sort": "pilot", "descending": True}
    with pytest.raises(InvalidData):
        saved_filters.clean_query({"scope": "group", "sort": "password"})
    with pytest.raises(InvalidData):
        saved_filters.clean_query({"scope": "group", "search": "x" * 101})
