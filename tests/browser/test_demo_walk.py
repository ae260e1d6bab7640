"""The demo as each role first meets it, in Chromium: the ministry assesses an acceptance
application and sees the star grade it gives; the ministry's pilot list shows grades; a provincial
reviewer hands a task to the colleague of the same province (转办); overdue work is marked."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from config import Config
from engine import schema
from engine.db import make_engine
from engine.db import make_sessionmaker
from engine.models import User
from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.helpers import World
from webui import create_app
from webui import demo


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app served on a database filled by `schemeflow demo` (this module's own site)."""
    from waitress.server import create_server

    home = tmp_path_factory.mktemp("demo-site")
    url = f"sqlite:///{home / 'demo.db'}"
    schema.upgrade(make_engine(url))
    db = make_sessionmaker(url)
    demo.load(db, echo=lambda _line: None)
    world = World(db)
    with db() as s:
        world.users = {u.username: u.id for u in s.scalars(select(User))}

    class DemoConfig(Config):
        DATABASE_URL = url
        SECRET_KEY = "browser-demo"
        ATTACHMENT_DIR = home / "attachments"

    server = create_server(create_app(DemoConfig), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield Site(f"http://127.0.0.1:{server.effective_port}", db, world, home / "attachments")  # type: ignore[union-attr]


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("#username", username)
    page.fill("#password", demo.PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.inner_text("main")


def submit(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#task-form button[value=submit]").click()


def first_task(page: Page, site: Site, scope: str, step: str) -> None:
    page.goto(f"{site.url}/tasks/?scope={scope}")
    link = page.locator("#task-list tbody tr a.fw-semibold", has_text=step).first
    with page.expect_navigation():
        link.click()


def test_the_ministry_assesses_an_application_and_sees_the_grade(new_page: Any, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "ministry")
    mine, group = (int(page.locator(f"[data-count={s}]").inner_text()) for s in ("mine", "group"))
    assert mine + group >= 1
    scope = "mine" if mine else "group"
    first_task(page, site, scope, "验收评估")
    work = page.locator("#work")
    assert work.get_by_text("提交验收申请").is_visible() and work.get_by_text("验收申请说明").is_visible()
    pilot = page.locator("[data-pilot-link]").inner_text()
    shoot(page, "demo-ministry-assessment")
    for n, score in enumerate((95, 92, 90, 96), start=1):
        page.fill(f"[name=f-score_{n}]", str(score))
    page.fill("[name=f-overall_comment]", "创建目标全部完成，成效显著。")
    submit(page)
    assert page.locator(".alert-success").count() == 1
    page.goto(site.url + "/pilots/")
    row = page.locator("tbody tr", has_text=pilot).first
    assert row.locator("[data-stars='3']").is_visible() and "通过验收" in row.inner_text()
    assert page.locator("[data-stars]").count() >= 3  # the demo's earlier acceptances: one, two and three stars
    shoot(page, "demo-pilots-graded")


def test_a_reviewer_hands_a_task_to_the_colleague_of_the_province(new_page: Any, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "province4")
    page.goto(site.url + "/tasks/?scope=group")
    rows = page.locator("#task-list tbody tr")
    assert rows.count() >= 1
    step = rows.first.locator("a.fw-semibold").inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link", name="转办").click()
    colleague_option = page.locator("[name=to_user_id] option", has_text="province4b")
    page.select_option("[name=to_user_id]", value=colleague_option.get_attribute("value"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".alert-success").count() == 1
    colleague = new_page()
    sign_in(colleague, site, "province4b")
    colleague.goto(site.url + "/tasks/?scope=mine")
    assert colleague.locator("#task-list").get_by_text(step).first.is_visible()


def test_overdue_work_is_marked_for_the_busiest_reviewer(new_page: Any, site: Site) -> None:
    laptop = new_page()
    sign_in(laptop, site, "province7")
    laptop.goto(site.url + "/tasks/?scope=group")
    assert laptop.locator("[data-badge=overdue]").count() >= 1
    shoot(laptop, "inbox")
    page = new_page(width=390)
    sign_in(page, site, "province7")
    page.goto(site.url + "/tasks/?scope=group")
    assert page.locator("[data-badge=overdue]").count() >= 1
    shoot(page, "demo-overdue-phone")


def test_a_pilot_with_years_of_history_and_the_dashboard(new_page: Any, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "province4")
    page.goto(site.url + "/pilots/")
    with page.expect_navigation():
        page.locator("tbody tr", has_text="核查整改").first.locator("a").first.click()
    page.wait_for_selector(".bpmn-canvas svg .djs-element.current", timeout=15_000)
    headings = page.locator("[data-round] h4")
    assert headings.count() >= 4 and page.locator("[data-cycle]").count() >= 1  # a creation year
    shoot(page, "pilot")
    ministry = new_page()
    sign_in(ministry, site, "ministry")
    ministry.goto(site.url + "/dashboard/")
    ministry.wait_for_function("[...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")
    medians = ministry.locator("#table-steps td[data-median]").all_inner_texts()
    hours = [float(text.replace(",", "").split()[0]) for text in medians if text.strip()[:1].isdigit()]
    assert len(hours) >= 5 and min(hours) > 0 and len(set(hours)) > 1  # real, varied durations
    shoot(ministry, "dashboard")
