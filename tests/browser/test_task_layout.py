"""A form with a table (the task book's targets) fits a laptop and a tablet: the table scrolls
inside its box and the page itself never scrolls sideways."""
from __future__ import annotations

from typing import Any

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.processes.test_pilot_lifecycle import through_scheme


def test_task_book_table_stays_inside_the_page(new_page: Any, site: Site) -> None:
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    through_scheme(world, iid)
    task_id = world.task(iid, "submit_task_book").id
    for width, height in ((1280, 860), (768, 1024)):
        page = new_page(width=width, height=height)
        sign_in(page, site, "city_a1")
        page.goto(f"{site.url}/tasks/{task_id}")
        page.get_by_role("button", name="添加行").first.click()
        page.wait_for_load_state()
        table = page.locator("#task-form table").first
        assert table.is_visible()
        box = table.locator("xpath=..").bounding_box()  # the scrolling wrapper
        assert box is not None and 0 < box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), width
