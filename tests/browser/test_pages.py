"""A provincial reviewer's inbox, a pilot page with its rendered diagram, and the dashboard charts,
on a laptop and on a tablet."""
from __future__ import annotations

from typing import Any

import pytest

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.browser.test_revision_round import SCHEME


@pytest.fixture(scope="module")
def scene(site: Site) -> dict[str, int]:
    """A1 has submitted its scheme (the review is open); A2 has just started."""
    world = site.world
    a1 = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    engine.complete(site.db, world.task(a1, "submit_scheme").id, user_id=world.uid("city_a1"), data=SCHEME)
    a2 = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    return {"a1": a1, "a2": a2}


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_inbox_lists_group_tasks_soonest_first(new_page: Any, site: Site, scene: dict[str, int]) -> None:
    page = new_page()
    sign_in(page, site, "prov_a")
    page.goto(site.url + "/tasks/?scope=group")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    assert "宁波市" in rows.first.inner_text()  # A1's review, the only group task of the province
    tablet = new_page(width=768, height=1024)
    sign_in(tablet, site, "prov_a")
    tablet.goto(site.url + "/tasks/?scope=group")
    assert no_horizontal_scroll(tablet)


def test_pilot_page_draws_the_diagram_with_path_and_current_task(new_page: Any, site: Site,
                                                                 scene: dict[str, int]) -> None:
    page = new_page()
    sign_in(page, site, "prov_a")
    page.goto(f"{site.url}/pilots/{site.world.pilots['A1']}")
    page.wait_for_selector(".bpmn-canvas svg .djs-element.current", timeout=15_000)
    current = page.locator(".bpmn-canvas .djs-element.current")
    assert current.count() >= 1
    assert "review_scheme" in {current.nth(i).get_attribute("data-element-id") for i in range(current.count())}
    assert page.locator(".bpmn-canvas .djs-element.visited").count() >= 1


def test_dashboard_draws_charts(new_page: Any, site: Site, scene: dict[str, int]) -> None:
    page = new_page()
    sign_in(page, site, "ministry")
    page.goto(site.url + "/dashboard/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0 && "
                           "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")
    drawn = page.evaluate("[...document.querySelectorAll('canvas[data-chart]')]"
                          ".filter(c => window.Chart && Chart.getChart(c)).length")
    assert drawn >= 1
    tablet = new_page(width=768, height=1024)
    sign_in(tablet, site, "ministry")
    tablet.goto(site.url + "/dashboard/")
    assert no_horizontal_scroll(tablet)
