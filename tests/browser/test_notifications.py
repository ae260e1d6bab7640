"""Notifications in a real browser: a city submitter whose scheme was sent back sees the bell's
count, the list, opens the notification (it becomes read) and marks the rest read; on a phone
the bell stays in sight without opening the menu."""
from __future__ import annotations

from typing import Any

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.processes.test_pilot_lifecycle import SCHEME
from tests.processes.test_pilot_lifecycle import act


def test_a_city_submitter_is_told_of_a_revision_request(new_page: Any, site: Site) -> None:
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    world.do("city_a2", iid, "submit_scheme", SCHEME)
    act(world, "prov_a", iid, "review_scheme", decision="revise", comment="请补充资金来源")

    page = new_page(1366, 800)
    sign_in(page, site, "city_a2")
    assert page.locator("#bell [data-count=unread]").inner_text() == "2"
    page.click("#bell")
    items = page.locator("#notifications .notification-item")
    assert items.count() == 2
    first = items.first
    assert first.get_attribute("data-kind") == "revision_requested" and "退回修改" in first.inner_text()
    with page.expect_navigation():
        first.locator("a").click()
    assert f"/tasks/{world.task(iid, 'submit_scheme').id}" in page.url
    assert page.locator("#bell [data-count=unread]").inner_text() == "1"
    page.click("#bell")
    assert page.locator(".notification-unread").count() == 1
    with page.expect_navigation():
        page.click("[data-action=read-all]")
    assert page.locator(".notification-unread").count() == 0 and page.locator("#bell [data-count]").count() == 0

    phone = new_page(390, 844, touch=True)
    sign_in(phone, site, "prov_a2")  # told once: the scheme arrived for review
    assert phone.locator("#bell").is_visible() and not phone.locator("#nav").is_visible()
    box = phone.locator("#bell").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    phone.click("#bell")
    assert phone.locator("#notifications .notification-item").count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the notifications page scrolls sideways on a phone ({width}px)"
