"""The inbox pages: scopes per persona and jurisdiction, sort, filters, pagination, badges,
claim/unclaim/reassign through the HTML forms, saved filters, completed tasks leaving the lists."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from sqlalchemy import select

import engine
from engine.models import HumanTask
from engine.models import SavedFilter
from tests.conftest import DATA
from tests.helpers import Clock
from tests.helpers import World
from tests.webui.conftest import Browser

Browse = Callable[[str], Browser]


def deploy(world: World) -> None:
    """two_step (submit: due in 10 days; review: no due date) and due_step (submit, then a
    provincial ``check`` due in 5 days)."""
    bpmn = (DATA / "two_step.bpmn").read_text(encoding="utf-8")
    schemas = [(n, (DATA / n).read_bytes()) for n in ("submit-schema.json", "review-schema.json")]
    engine.deploy(world.db, [("two_step.bpmn", bpmn.encode()), *schemas], user_id=world.uid("admin"))
    due = (bpmn.replace('id="two_step" name="Two step review"', 'id="due_step" name="Due step"')
           .replace('"review"', '"check"').replace('>review<', '>check<')
           .replace('name="Review report"', 'name="Check report"')
           .replace('value="review-schema.json" />',
                    'value="review-schema.json" /><spiffworkflow:property name="dueIn" value=\'"P5D"\' />'))
    engine.deploy(world.db, [("due_step.bpmn", due.encode()), *schemas], user_id=world.uid("admin"))


def copies(world: World, n: int) -> list[str]:
    """Deploy ``n`` more copies of two_step (one running instance per process and pilot)."""
    bpmn = (DATA / "two_step.bpmn").read_text(encoding="utf-8")
    schemas = [(n, (DATA / n).read_bytes()) for n in ("submit-schema.json", "review-schema.json")]
    keys = [f"copy_{i}" for i in range(n)]
    files = [(f"{k}.bpmn", bpmn.replace('id="two_step"', f'id="{k}"').replace('id="Defs_two_step"', f'id="D_{k}"')
              .encode()) for k in keys]
    engine.deploy(world.db, [*files, *schemas], user_id=world.uid("admin"))
    return keys


def start(world: World, pilot: str, process: str = "two_step") -> int:
    starter = "prov_b" if pilot.startswith("B") else "prov_a"
    return engine.start(world.db, process, user_id=world.uid(starter), pilot_id=world.pilots[pilot])


def submit(world: World, iid: int, user: str) -> None:
    world.do(user, iid, "submit", {"summary": "done and dusted"})


@dataclass
class Scene:
    a1: int  # two_step, A1: submit done -> review (province A, no due date)
    a1_due: int  # due_step, A1: submit done -> check (province A, due in 5 days)
    a2: int  # two_step, A2: submit ready (city, due in 10 days, started a day later)
    b1: int  # two_step, B1: submit ready

    def task(self, world: World, which: str, bpmn_id: str) -> str:
        return world.task(getattr(self, which), bpmn_id).id


@pytest.fixture
def scene(world: World, at: Clock) -> Scene:
    deploy(world)
    a1 = start(world, "A1")
    a1_due = start(world, "A1", "due_step")
    at.advance(days=1)
    a2, b1 = start(world, "A2"), start(world, "B1")
    submit(world, a1, "city_a1")
    submit(world, a1_due, "city_a1")
    return Scene(a1, a1_due, a2, b1)


def html_of(browser: Browser, path: str, status: int = 200) -> str:
    r = browser.get(path)
    assert r.status_code == status, (path, r.status_code)
    return r.get_data(as_text=True)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-task-id="([^"]+)"', html)


def listed(browser: Browser, path: str) -> list[str]:
    return rows(html_of(browser, path))


def select_block(html: str, name: str) -> str:
    m = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    return m.group(0) if m else ""


def flashes(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'role="alert">([^<]*)<', html)]


# --- scopes and jurisdiction ---------------------------------------------------------------------

def test_each_scope_per_persona(world: World, scene: Scene, browser: Browse) -> None:
    review, check = scene.task(world, "a1", "review"), scene.task(world, "a1_due", "check")
    a2_submit, b1_submit = scene.task(world, "a2", "submit"), scene.task(world, "b1", "submit")
    city_a1, city_a2, city_b1 = browser("city_a1"), browser("city_a2"), browser("city_b1")
    prov_a, prov_b, ministry = browser("prov_a"), browser("prov_b"), browser("ministry")
    assert listed(city_a1, "/tasks/?scope=group") == []
    assert listed(city_a2, "/tasks/?scope=group") == [a2_submit]
    assert listed(city_b1, "/tasks/?scope=group") == [b1_submit]
    assert listed(prov_a, "/tasks/?scope=group") == [check, review]
    assert listed(prov_b, "/tasks/?scope=group") == []
    assert listed(ministry, "/tasks/?scope=group") == []
    # completed by me: city_a1 submitted two reports; nobody else completed anything
    done = {world.ready(scene.a1)[0].id, world.ready(scene.a1_due)[0].id}
    with world.db() as s:
        mine_done = set(s.scalars(select(HumanTask.id).where(HumanTask.completed_by_id == world.uid("city_a1"))))
    assert done.isdisjoint(mine_done) and len(mine_done) == 2
    assert set(listed(city_a1, "/tasks/?scope=completed")) == mine_done
    assert listed(city_a2, "/tasks/?scope=completed") == []
    # "mine" is what I claimed; claiming moves a task out of the group list of everyone
    engine.claim(world.db, review, user_id=world.uid("prov_a"))
    assert listed(prov_a, "/tasks/") == [review]
    assert listed(prov_a, "/tasks/?scope=group") == [check]
    assert listed(browser("prov_a2"), "/tasks/?scope=group") == [check]
    assert listed(prov_a, "/tasks/?scope=mine") == [review]
    # the default scope is "mine"; the page says what to do when it is empty
    html = html_of(city_a2, "/tasks/")
    assert rows(html) == [] and 'id="empty-state"' in html and "/tasks/?scope=group" in html


def test_unknown_scope_and_bad_numbers_are_400(world: World, scene: Scene, browser: Browse) -> None:
    prov_a = browser("prov_a")
    for path in ("/tasks/?scope=everything", "/tasks/?page=abc", "/tasks/?page=0", "/tasks/?pilot_id=x"):
        html_of(prov_a, path, 400)


def test_who_holds_a_task_is_always_visible(world: World, scene: Scene, browser: Browse) -> None:
    a2_submit, b1_submit = scene.task(world, "a2", "submit"), scene.task(world, "b1", "submit")
    engine.claim(world.db, a2_submit, user_id=world.uid("city_a2"))
    engine.claim(world.db, b1_submit, user_id=world.uid("city_b1"))
    review = scene.task(world, "a1", "review")
    engine.claim(world.db, review, user_id=world.uid("prov_a2"))
    # a colleague with the same queue sees who holds it; a provincial reviewer sees every holder
    # in the province (to reassign when someone is absent), never another province's
    html = html_of(browser("prov_a"), "/tasks/?scope=held")
    assert rows(html) == [a2_submit, review]
    assert "city_a2" in html and "prov_a2" in html and "city_b1" not in html
    assert listed(browser("prov_b"), "/tasks/?scope=held") == [b1_submit]
    assert listed(browser("city_a1"), "/tasks/?scope=held") == []
    assert set(listed(browser("admin"), "/tasks/?scope=held")) == {a2_submit, b1_submit, review}
    assert listed(browser("admin"), f"/tasks/?scope=held&province_id={world.provinces['B']}") == [b1_submit]
    # the group page points to tasks held by colleagues
    assert "scope=held" in html_of(browser("prov_a"), "/tasks/?scope=group")


def test_other_province_never_visible(world: World, scene: Scene, browser: Browse) -> None:
    prov_b = browser("prov_b")
    html = html_of(prov_b, "/tasks/?scope=group")
    assert "宁波市" not in html and "温州市" not in html and "浙江省" not in html
    assert "南平市" in select_block(html, "pilot_id")
    assert 'name="province_id"' not in html  # fixed to its own province
    steps = select_block(html, "bpmn_id")
    assert "check" not in steps and "review" not in steps  # steps only its province's tasks have
    engine.claim(world.db, scene.task(world, "b1", "submit"), user_id=world.uid("city_b1"))
    for scope in ("mine", "group", "held", "completed"):
        assert listed(prov_b, f"/tasks/?scope={scope}&province_id={world.provinces['A']}") == \
            listed(prov_b, f"/tasks/?scope={scope}")
        assert not set(listed(prov_b, f"/tasks/?scope={scope}&province_id={world.provinces['A']}")) & \
            {t.id for iid in (scene.a1, scene.a1_due, scene.a2) for t in world.ready(iid)}
    html_of(prov_b, f"/tasks/?scope=group&pilot_id={world.pilots['A1']}", 400)
    # ministry may choose among all provinces
    provinces = select_block(html_of(browser("ministry"), "/tasks/"), "province_id")
    assert "浙江省" in provinces and "福建省" in provinces


# --- sort, filters, pagination, badges -----------------------------------------------------------

def test_sorted_soonest_due_first_no_due_date_last(world: World, scene: Scene, at: Clock, browser: Browse) -> None:
    at.advance(hours=1)
    later = start(world, "A2", "due_step")
    submit(world, later, "city_a2")  # its check is due an hour after the first
    check, later_check = scene.task(world, "a1_due", "check"), world.task(later, "check").id
    review = scene.task(world, "a1", "review")
    assert listed(browser("prov_a"), "/tasks/?scope=group") == [check, later_check, review]


def test_filters_pilot_step_overdue(world: World, scene: Scene, at: Clock, browser: Browse) -> None:
    a2_review_iid = start(world, "A2", copies(world, 1)[0])
    submit(world, a2_review_iid, "city_a2")
    a2_review = world.task(a2_review_iid, "review").id
    review, check = scene.task(world, "a1", "review"), scene.task(world, "a1_due", "check")
    prov_a = browser("prov_a")
    assert listed(prov_a, f"/tasks/?scope=group&pilot_id={world.pilots['A2']}") == [a2_review]
    assert listed(prov_a, f"/tasks/?scope=group&pilot_id={world.pilots['A1']}") == [check, review]
    assert listed(prov_a, "/tasks/?scope=group&bpmn_id=check") == [check]
    steps = select_block(html_of(prov_a, "/tasks/?scope=group"), "bpmn_id")
    assert 'value="check"' in steps and 'value="review"' in steps and "Check report" in steps
    assert listed(prov_a, "/tasks/?scope=group&overdue=1") == []
    at.advance(days=6)  # check was due 5 days after it was offered
    assert listed(prov_a, "/tasks/?scope=group&overdue=1") == [check]
    html = html_of(prov_a, "/tasks/?scope=group&overdue=1")
    assert re.search(r'id="f-overdue"[^>]*checked', html)
    assert listed(prov_a, "/tasks/?scope=group&overdue=1&bpmn_id=review") == []


def test_pagination_keeps_filters(world: World, scene: Scene, browser: Browse) -> None:
    for key in copies(world, 6):
        start(world, "A2", key)
    city_a2 = browser("city_a2")
    ids = listed(city_a2, "/tasks/?scope=group&per_page=100")
    assert len(ids) == 7
    first = html_of(city_a2, "/tasks/?scope=group&bpmn_id=submit&per_page=3")
    assert rows(first) == ids[:3]
    assert 'data-total="7"' in first
    links = set(re.findall(r'href="(/tasks/\?[^"]*page=\d[^"]*)"', unescape(first)))
    assert links and all("bpmn_id=submit" in link and "per_page=3" in link and "scope=group" in link
                         for link in links)
    assert listed(city_a2, "/tasks/?scope=group&bpmn_id=submit&per_page=3&page=2") == ids[3:6]
    assert listed(city_a2, "/tasks/?scope=group&bpmn_id=submit&per_page=3&page=3") == ids[6:]
    r = city_a2.get("/tasks/?scope=group&per_page=3&page=9")  # past the end: the last page
    assert r.status_code == 302 and "page=3" in r.headers["Location"]
    # 20 a page by default, never more than 100
    assert len(listed(city_a2, "/tasks/?scope=group&per_page=100000")) == 7


def test_default_page_size_is_20(world: World, scene: Scene, browser: Browse) -> None:
    for key in copies(world, 21):
        start(world, "A2", key)
    city_a2 = browser("city_a2")
    assert len(listed(city_a2, "/tasks/?scope=group")) == 20
    assert len(listed(city_a2, "/tasks/?scope=group&page=2")) == 2


def test_due_soon_and_overdue_badges(world: World, scene: Scene, at: Clock, browser: Browse) -> None:
    a2_submit = scene.task(world, "a2", "submit")  # due 10 days after it was offered
    city_a2 = browser("city_a2")

    def badge() -> str | None:
        m = re.search(rf'<tr data-task-id="{a2_submit}"(?: data-due="(\w+)")?', html_of(city_a2, "/tasks/?scope=group"))
        assert m
        return m.group(1)

    assert badge() is None
    at.advance(days=7, hours=1)  # less than 3 days left
    assert badge() == "soon"
    assert 'data-badge="due-soon"' in html_of(city_a2, "/tasks/?scope=group")
    at.advance(days=3)
    assert badge() == "overdue"
    html = html_of(city_a2, "/tasks/?scope=group")
    assert 'data-badge="overdue"' in html and 'data-badge="due-soon"' not in html


def test_round_shown_after_revision(world: World, scene: Scene, browser: Browse) -> None:
    world.do("prov_a", scene.a1, "review", {"decision": "revise", "comment": "more detail"})
    task = world.task(scene.a1, "submit")
    html = html_of(browser("city_a1"), "/tasks/?scope=group")
    assert 'data-round="2"' in html and rows(html) == [task.id]


# --- claim, unclaim, reassign ---------------------------------------------------------------------

def test_claim_and_unclaim_through_the_forms(world: World, scene: Scene, browser: Browse) -> None:
    task = scene.task(world, "a2", "submit")
    city_a2 = browser("city_a2")
    next_url = "/tasks/?scope=group&bpmn_id=submit"
    r = city_a2.post(f"/tasks/{task}/claim", {"next": next_url})
    assert r.status_code == 302 and r.headers["Location"] == next_url
    assert world.task(scene.a2, "submit").claimed_by_id == world.uid("city_a2")
    html = html_of(city_a2, "/tasks/?scope=mine")
    assert rows(html) == [task] and 'data-count="mine">1<' in html
    assert "alert-success" in html and len(flashes(html)) == 1
    r = city_a2.post(f"/tasks/{task}/unclaim", {"next": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"] == "/tasks/"
    assert world.task(scene.a2, "submit").claimed_by_id is None
    assert listed(city_a2, "/tasks/?scope=group") == [task]


def test_post_without_csrf_is_refused(world: World, scene: Scene, browser: Browse) -> None:
    task = scene.task(world, "a2", "submit")
    city_a2 = browser("city_a2")
    for path, data in ((f"/tasks/{task}/claim", {}), (f"/tasks/{task}/unclaim", {}),
                       (f"/tasks/{task}/reassign", {"to_user_id": world.uid("city_a2")}),
                       ("/tasks/saved-filters", {"name": "x"})):
        assert city_a2.client.post(path, data=data).status_code == 400
    assert world.task(scene.a2, "submit").claimed_by_id is None


def test_claim_conflict_is_a_message_not_an_error(world: World, scene: Scene, browser: Browse) -> None:
    review = scene.task(world, "a1", "review")
    prov_a, prov_a2 = browser("prov_a"), browser("prov_a2")
    html_of(prov_a2, "/tasks/?scope=group")  # the page is open ...
    engine.claim(world.db, review, user_id=world.uid("prov_a"))  # ... when a colleague claims first
    r = prov_a2.post(f"/tasks/{review}/claim", {"next": "/tasks/?scope=group"})
    assert r.status_code == 302
    assert any("claimed" in m or "签收" in m for m in flashes(html_of(prov_a2, "/tasks/?scope=group")))
    assert world.task(scene.a1, "review").claimed_by_id == world.uid("prov_a")
    # a task completed meanwhile: a message too
    world.do("prov_a", scene.a1, "review", {"decision": "approve"})
    r = prov_a.post(f"/tasks/{review}/unclaim", {"next": "/tasks/"})
    html = html_of(prov_a, "/tasks/")
    assert r.status_code == 302 and "alert-warning" in html and len(flashes(html)) == 1
    # someone else's claim cannot be released by a colleague without the right to reassign
    a2_submit = scene.task(world, "a2", "submit")
    engine.claim(world.db, a2_submit, user_id=world.uid("city_a2"))
    # (a city user of another pilot does not even see it)
    assert browser("city_a1").post(f"/tasks/{a2_submit}/unclaim").status_code == 404
    assert world.task(scene.a2, "submit").claimed_by_id == world.uid("city_a2")


def test_reassign_by_provincial_reviewer(world: World, scene: Scene, browser: Browse) -> None:
    review = scene.task(world, "a1", "review")
    engine.claim(world.db, review, user_id=world.uid("prov_a2"))  # prov_a2 is absent
    prov_a = browser("prov_a")
    assert f"/tasks/{review}/reassign" in html_of(prov_a, "/tasks/?scope=held")
    form = html_of(prov_a, f"/tasks/{review}/reassign?next=/tasks/%3Fscope%3Dheld")
    options = select_block(form, "to_user_id")
    assert f'value="{world.uid("prov_a")}"' in options
    assert f'value="{world.uid("prov_a2")}"' not in options  # the holder
    assert f'value="{world.uid("prov_b")}"' not in options and f'value="{world.uid("city_a1")}"' not in options
    # an ineligible user is refused, nothing changes
    r = prov_a.post(f"/tasks/{review}/reassign", {"to_user_id": world.uid("prov_b")})
    assert r.status_code == 400 and 'class="invalid-feedback"' in r.get_data(as_text=True)
    assert prov_a.post(f"/tasks/{review}/reassign", {"to_user_id": ""}).status_code == 400
    assert world.task(scene.a1, "review").claimed_by_id == world.uid("prov_a2")
    r = prov_a.post(f"/tasks/{review}/reassign", {"to_user_id": world.uid("prov_a"), "next": "/tasks/?scope=mine"})
    assert r.status_code == 302 and r.headers["Location"] == "/tasks/?scope=mine"
    assert world.task(scene.a1, "review").claimed_by_id == world.uid("prov_a")
    assert listed(prov_a, "/tasks/?scope=mine") == [review]


def test_reviewer_returns_an_absent_colleagues_task_to_the_queue(world: World, scene: Scene,
                                                                 browser: Browse) -> None:
    a2_submit = scene.task(world, "a2", "submit")
    engine.claim(world.db, a2_submit, user_id=world.uid("city_a2"))
    r = browser("prov_a").post(f"/tasks/{a2_submit}/unclaim", {"next": "/tasks/?scope=held"})
    assert r.status_code == 302
    assert world.task(scene.a2, "submit").claimed_by_id is None


def test_city_user_cannot_reassign(world: World, scene: Scene, browser: Browse) -> None:
    task = scene.task(world, "a2", "submit")
    city_a2 = browser("city_a2")
    html = html_of(city_a2, "/tasks/?scope=group")
    assert rows(html) == [task] and "/reassign" not in html
    assert city_a2.get(f"/tasks/{task}/reassign").status_code == 403
    assert city_a2.post(f"/tasks/{task}/reassign", {"to_user_id": world.uid("city_a2")}).status_code == 403
    assert world.task(scene.a2, "submit").claimed_by_id is None
    # a reviewer of another province does not see the task at all
    assert browser("prov_b").get(f"/tasks/{task}/reassign").status_code == 404


# --- saved filters ------------------------------------------------------------------------------

def test_saved_filters_save_list_apply_delete(world: World, scene: Scene, browser: Browse) -> None:
    prov_a = browser("prov_a")
    assert 'id="save-filter"' not in html_of(prov_a, "/tasks/?scope=group")  # nothing to save yet
    assert 'id="save-filter"' in html_of(prov_a, "/tasks/?scope=group&bpmn_id=check")
    r = prov_a.post("/tasks/saved-filters", {"name": "  Checks A1 ", "scope": "group", "bpmn_id": "check",
                                             "pilot_id": str(world.pilots["A1"]), "overdue": ""})
    assert r.status_code == 302
    with world.db() as s:
        saved = s.scalars(select(SavedFilter).where(SavedFilter.user_id == world.uid("prov_a"))).one()
    assert (saved.name, saved.query) == ("Checks A1", {"scope": "group", "bpmn_id": "check",
                                                      "pilot_id": world.pilots["A1"]})
    html = html_of(prov_a, "/tasks/")
    link = re.search(rf'<a href="([^"]+)" data-saved-filter="{saved.id}">Checks A1</a>', html)
    assert link
    assert listed(prov_a, unescape(link.group(1))) == [scene.task(world, "a1_due", "check")]
    # same name again: refused with a message; too long: refused
    prov_a.post("/tasks/saved-filters", {"name": "Checks A1", "scope": "mine", "overdue": "1",
                                         "next": "/tasks/"})
    assert any("name" in m or "名称" in m for m in flashes(html_of(prov_a, "/tasks/")))
    prov_a.post("/tasks/saved-filters", {"name": "x" * 101, "scope": "mine", "overdue": "1"})
    with world.db() as s:
        assert s.scalar(select(SavedFilter.id).where(SavedFilter.user_id == world.uid("prov_a"),
                                                     SavedFilter.name != "Checks A1")) is None
    # not listed for anyone else; nobody else can delete it
    assert "Checks A1" not in html_of(browser("prov_a2"), "/tasks/")
    assert browser("prov_a2").post(f"/tasks/saved-filters/{saved.id}/delete").status_code == 404
    assert prov_a.client.post(f"/tasks/saved-filters/{saved.id}/delete").status_code == 400  # no CSRF
    html = html_of(prov_a, "/tasks/")
    assert re.search(rf'saved-filters/{saved.id}/delete.*?data-confirm=', html, re.S)
    r = prov_a.post(f"/tasks/saved-filters/{saved.id}/delete", {"next": "/tasks/?scope=group"})
    assert r.status_code == 302 and r.headers["Location"] == "/tasks/?scope=group"
    with world.db() as s:
        assert s.get(SavedFilter, saved.id) is None
    assert "Checks A1" not in html_of(prov_a, "/tasks/")


# --- counts and completion ----------------------------------------------------------------------

def nav(html: str, scope: str) -> int:
    m = re.search(rf'data-count="{scope}">(\d+)<', html)
    assert m
    return int(m.group(1))


def test_completed_task_leaves_the_lists_and_counts_agree(world: World, scene: Scene, browser: Browse) -> None:
    task = scene.task(world, "a2", "submit")
    city_a2 = browser("city_a2")
    city_a2.post(f"/tasks/{task}/claim", {"next": "/tasks/"})
    html = html_of(city_a2, "/tasks/?scope=mine")
    assert rows(html) == [task] and nav(html, "mine") == 1 and nav(html, "group") == 0
    engine.complete(world.db, task, user_id=world.uid("city_a2"), data={"summary": "all done"})
    for scope in ("mine", "group", "held"):
        html = html_of(city_a2, f"/tasks/?scope={scope}")
        assert task not in rows(html)
    assert nav(html, "mine") == 0 and nav(html, "group") == 0
    assert listed(city_a2, "/tasks/?scope=completed") == [task]
    # the province's group list now holds the review, and its count says so
    prov_a = browser("prov_a")
    html = html_of(prov_a, "/tasks/?scope=group")
    assert len(rows(html)) == nav(html, "group") == 3
    assert 'data-tab-count="group">3<' in html


def test_search_box_and_sortable_columns_are_kept_in_a_saved_filter(world: World, scene: Scene,
                                                                   browser: Browse) -> None:
    prov_a = browser("prov_a")
    assert 'value="温州"' in html_of(prov_a, "/tasks/?scope=group&q=%E6%B8%A9%E5%B7%9E")  # q=温州
    html = html_of(prov_a, "/tasks/?scope=group&sort=pilot&desc=1")
    assert 'aria-sort="descending"' in html
    assert re.search(r'href="[^"]*sort=pilot[^"]*"[^>]*data-sort="pilot"', html)
    assert 'name="desc" value="1"' in html  # the filter form and the save form keep the order
    r = prov_a.post("/tasks/saved-filters", {"name": "温州 by pilot", "scope": "group", "q": "温州", "sort": "pilot",
                                             "desc": "1"})
    assert r.status_code == 302
    with world.db() as s:
        saved = s.scalars(select(SavedFilter).where(SavedFilter.user_id == world.uid("prov_a"))).one()
    assert saved.query == {"scope": "group", "search": "温州", "sort": "pilot", "descending": True}
    assert "q=%E6%B8%A9%E5%B7%9E" in r.headers["Location"] and "desc=1" in r.headers["Location"]
    assert html_of(prov_a, "/tasks/?scope=group&sort=bogus").count('aria-sort="ascending"') == 1  # due date
