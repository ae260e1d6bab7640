"""The core loop walked as the officials do it, in Chromium, on a laptop and on a phone: the city
submits (every problem of an empty form at once), the province reads the submission on the review
page and sends it back, the city revises beside the comment, the province sees what changed with an
empty comment box and approves; the task book that follows carries nothing of the scheme."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in
from tests.browser.test_revision_round import SCHEME

WIDTHS = {"laptop": 1280, "phone": 390}


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def open_task(page: Page, site: Site, iid: int, bpmn_id: str, source: str = "mine") -> None:
    page.goto(f"{site.url}/tasks/{site.world.task(iid, bpmn_id).id}?from={source}")


def submit(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit this task?"
    with page.expect_navigation():
        page.locator("#task-form button[value=submit]").click()


def city_submits_first(city: Page, site: Site, iid: int) -> None:
    """An empty submit names every problem at once; the city then fills the form in and submits."""
    open_task(city, site, iid, "submit_scheme")
    assert city.locator("[name=f-revision_notes]").count() == 0  # nothing to reply to in round 1
    submit(city)
    summary = city.locator("#error-summary")
    assert summary.is_visible() and city.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("li").count() == 6 and city.locator("[aria-invalid=true]").count() == 6
    summary.locator("a", has_text="保障措施").click()
    assert city.evaluate("document.activeElement.name") == "f-safeguards"
    for name, value in SCHEME.items():
        city.fill(f"[name=f-{name}]", value)
    assert no_horizontal_scroll(city)
    submit(city)
    assert city.locator(".alert-success").count() == 1


def reviewer_sends_it_back(reviewer: Page, site: Site, iid: int, device: str) -> None:
    open_task(reviewer, site, iid, "review_scheme", "group")
    work = reviewer.locator("#work")
    assert work.get_by_text(SCHEME["objectives"]).is_visible()
    assert work.get_by_text("建设目标", exact=True).is_visible()
    assert reviewer.locator("nav[aria-label] .breadcrumb").get_by_text("待签收").is_visible()
    assert no_horizontal_scroll(reviewer)
    shoot(reviewer, "review-submission" + ("" if device == "laptop" else "-phone"))
    reviewer.check("[name=f-decision][value=revise]")
    reviewer.fill("[name=f-comment]", "请补充量化指标")
    submit(reviewer)


def city_revises(city: Page, site: Site, iid: int, device: str) -> None:
    open_task(city, site, iid, "submit_scheme")
    assert city.locator("#work").get_by_text("请补充量化指标").is_visible()
    assert city.locator("[name=f-revision_notes]").count() == 1
    assert city.input_value("[name=f-objectives]") == SCHEME["objectives"]  # round 1, to revise
    shoot(city, "revision-feedback" + ("" if device == "laptop" else "-phone"))
    city.fill("[name=f-objectives]", "三年内建成城市公共信息平台，覆盖 90% 政务服务事项")
    city.fill("[name=f-revision_notes]", "已补充量化目标")
    submit(city)


def reviewer_approves_round_two(reviewer: Page, site: Site, iid: int, device: str) -> None:
    open_task(reviewer, site, iid, "review_scheme", "group")
    assert reviewer.input_value("[name=f-comment]") == ""  # round 2's record starts empty
    assert reviewer.locator("[name=f-decision]:checked").count() == 0
    assert reviewer.locator(".diff-new").filter(has_text="覆盖 90% 政务服务事项").count() == 1
    assert no_horizontal_scroll(reviewer)
    shoot(reviewer, "revision-changes" + ("" if device == "laptop" else "-phone"))
    reviewer.check("[name=f-decision][value=approve]")
    submit(reviewer)


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_review_round_trip(new_page: Any, site: Site, device: str) -> None:
    world = site.world
    pilot, city_user = (world.pilots["A1"], "city_a1") if device == "laptop" else (world.pilots["A2"], "city_a2")
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=pilot)
    city, reviewer = new_page(width=WIDTHS[device]), new_page(width=WIDTHS[device])
    sign_in(city, site, city_user)
    sign_in(reviewer, site, "prov_a")
    city_submits_first(city, site, iid)
    reviewer_sends_it_back(reviewer, site, iid, device)
    city_revises(city, site, iid, device)
    reviewer_approves_round_two(reviewer, site, iid, device)
    approvals = [e.data_after for e in engine.instance_events(site.db, iid, user_id=world.uid("admin"))
                 if e.action == "task_completed" and e.bpmn_id == "review_scheme"]
    assert approvals == [{"decision": "revise", "comment": "请补充量化指标"}, {"decision": "approve"}]
    open_task(city, site, iid, "submit_task_book")
    assert city.get_by_text("修改对比").count() == 0 and city.locator("[data-changes]").count() == 0
    assert city.get_by_text("请补充量化指标").count() == 0


def running(site: Site, pilot: str) -> int:
    """The pilot's running lifecycle (started here if it has none yet)."""
    world = site.world
    found, _total = engine.list_instances(site.db, user_id=world.uid("admin"), pilot_id=world.pilots[pilot],
                                          state="running")
    if found:
        return found[0].id
    return engine.start(site.db, "pilot_lifecycle", user_id=world.uid("admin"), pilot_id=world.pilots[pilot])


def test_language_switch_on_a_task_page_and_an_error_page(new_page: Any, site: Site) -> None:
    iid = running(site, "B1")
    page = new_page()
    sign_in(page, site, "city_b1")
    open_task(page, site, iid, "submit_scheme")
    instructions = page.locator(".instructions")
    assert "提交实施方案" in instructions.inner_text() and "Submit the implementation" not in instructions.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    text = page.locator(".instructions").inner_text()
    assert "Submit the implementation scheme" in text and "提交" not in text
    assert page.get_by_role("heading", name="Submit implementation scheme").is_visible()
    page.goto(site.url + "/tasks/no-such-task")
    body = page.locator("main").inner_text()
    assert "Page not found" in body and "does not exist" in body and "no such task" not in body
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    body = page.locator("main").inner_text()
    assert "页面不存在" in body and "not exist" not in body


def test_enter_in_a_field_saves_a_draft_and_never_submits(new_page: Any, site: Site) -> None:
    world = site.world
    iid = running(site, "B1")
    page = new_page()
    sign_in(page, site, "city_b1")
    open_task(page, site, iid, "submit_scheme")
    page.fill("[name=f-scheme_title]", "南平市实施方案")
    with page.expect_navigation():
        page.press("[name=f-scheme_title]", "Enter")
    assert page.locator(".alert-success").count() == 1 and "submit_scheme" in world.ready_ids(iid)
    assert page.input_value("[name=f-scheme_title]") == "南平市实施方案"
