"""axe-core on the states a form leads to: refused input (reassign, password, task form), a new
API token, and a revision round (the reviewer's feedback, the changes, the documents by round)."""
from __future__ import annotations

from typing import Any

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import check
from tests.browser.test_revision_round import SCHEME


def test_refused_input_and_a_new_token_have_no_serious_violation(new_page: Any, site: Site) -> None:
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    review = world.task(iid, "review_scheme").id
    engine.claim(site.db, review, user_id=world.uid("prov_a"))
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, site, "prov_a")
    found: list[str] = []

    page.goto(f"{site.url}/tasks/{review}/reassign")
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # nobody chosen
    assert page.locator("#to-user-error").is_visible()
    check(page, site, "reassign, nobody chosen", found)

    page.goto(site.url + "/profile")
    page.fill("#current_password", "not-the-password")
    page.fill("#new_password", "short")
    page.fill("#confirm_password", "different")
    with page.expect_navigation():
        page.click("form[action$='/profile/password'] button[type=submit]")
    assert page.locator(".is-invalid").count() >= 1
    check(page, site, "profile, password refused", found)
    with page.expect_navigation():
        page.click("form[action$='/profile/token'] button[type=submit]")
    assert page.locator("#new-token").is_visible()
    check(page, site, "profile, new token", found)

    page.goto(f"{site.url}/tasks/{review}")
    with page.expect_navigation():
        page.click("#task-form button[value=submit]")  # no decision chosen
    assert page.locator(".alert-danger").first.is_visible()
    check(page, site, "task form, refused", found)
    assert found == [], "\n".join(found)


def test_a_revision_round_has_no_serious_violation(new_page: Any, site: Site) -> None:
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_b"), pilot_id=world.pilots["B1"])
    world.do("city_b1", iid, "submit_scheme", SCHEME)
    world.do("prov_b", iid, "review_scheme", {"decision": "revise", "comment": "请补充顶层设计"})
    found: list[str] = []
    city = new_page()
    sign_in(city, site, "city_b1")
    city.goto(f"{site.url}/tasks/{world.task(iid, 'submit_scheme').id}")
    assert city.get_by_text("请补充顶层设计").first.is_visible()
    check(city, site, "round 2, the reviewer's feedback", found)
    world.do("city_b1", iid, "submit_scheme", SCHEME | {"top_level_design": "一个平台、三大体系、五项工程"})
    province = new_page()
    sign_in(province, site, "prov_b")
    province.goto(f"{site.url}/tasks/{world.task(iid, 'review_scheme').id}")
    assert province.get_by_text("五项工程").first.is_visible()
    check(province, site, "round 2, the changes", found)
    province.goto(f"{site.url}/pilots/{world.pilots['B1']}")
    check(province, site, "pilot page after two rounds", found)
    assert found == [], "\n".join(found)
