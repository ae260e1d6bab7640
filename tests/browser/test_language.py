"""The interface is Chinese by default and switches to English from the header."""
from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in


def test_language_switch(new_page: Any, site: Site) -> None:
    page = new_page()
    page.goto(site.url + "/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shoot(page, "login")
    sign_in(page, site, "prov_a")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Group tasks").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
