"""A form is sent once: double-clicking 提交 asks once and submits once, the button that was
pressed is the one that counts, and a submit called off at its question leaves the form usable."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.browser.test_revision_round import SCHEME


def new_scheme(site: Site, pilot: str, province_user: str) -> tuple[int, str]:
    """A pilot's lifecycle, started: its city's scheme is the ready task (one instance per pilot)."""
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid(province_user), pilot_id=world.pilots[pilot])
    return iid, world.task(iid, "submit_scheme").id


def actions(site: Site, iid: int) -> list[str]:
    return [e.action for e in engine.instance_events(site.db, iid, user_id=site.world.uid("admin"))]


def fill_scheme(page: Page, site: Site, task_id: str) -> None:
    page.goto(f"{site.url}/tasks/{task_id}")
    for name, value in SCHEME.items():
        page.fill(f"[name=f-{name}]", value)


def test_a_double_click_on_submit_asks_once_and_submits_once(new_page: Any, site: Site) -> None:
    iid, task_id = new_scheme(site, "A1", "prov_a")
    page = new_page()
    sign_in(page, site, "city_a1")
    fill_scheme(page, site, task_id)
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    with page.expect_navigation():
        page.locator("#task-form button[value=submit]").dblclick()
    page.wait_for_load_state()
    assert len(questions) == 1, questions
    assert page.locator(".alert-success").first.is_visible()  # "已提交" on the inbox
    assert actions(site, iid).count("task_completed") == 1
    assert site.world.ready_ids(iid) == ["review_scheme"]  # the pressed button's action=submit was posted


def test_the_pressed_button_counts_and_a_second_submit_is_ignored(new_page: Any, site: Site) -> None:
    iid, task_id = new_scheme(site, "A2", "prov_a")
    page = new_page()
    sign_in(page, site, "city_a2")
    fill_scheme(page, site, task_id)
    with page.expect_navigation():
        page.get_by_role("button", name="暂存").dblclick()
    assert page.locator("[data-draft]").is_visible()
    assert actions(site, iid).count("draft_saved") == 1
    assert "task_completed" not in actions(site, iid)  # Save draft, not Submit, was posted


def test_a_submit_called_off_at_the_question_leaves_the_form_usable(new_page: Any, site: Site) -> None:
    iid, task_id = new_scheme(site, "B1", "prov_b")
    page = new_page()
    sign_in(page, site, "city_b1")
    fill_scheme(page, site, task_id)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#task-form button[value=submit]").click()
    assert page.locator("#task-form button[value=submit]").is_enabled()
    assert actions(site, iid).count("task_completed") == 0
    with page.expect_navigation():
        page.get_by_role("button", name="暂存").click()
    assert page.locator("[data-draft]").is_visible()
    assert actions(site, iid).count("draft_saved") == 1
