"""An administrator migrates one old instance to the new version in the browser and reverts it,
on a laptop and on a phone; the instance and incident pages pass axe-core."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import check
from tests.engine.bpmn_versions import Version
from tests.engine.test_operations import _failing

NAMES = {"submit": "提交报告", "precheck": "形式审查", "review": "审核报告"}
V1 = Version("report_steps", [("submit", "City"), ("review", "Province")], names=NAMES, title="年度报告审核")
V2 = Version("report_steps", [("submit", "City"), ("precheck", "Province"), ("review", "Province")], names=NAMES,
             title="年度报告审核")
WIDTHS = {"laptop": (1366, 800), "phone": (390, 844)}


@dataclass
class Scene:
    old: dict[str, int]  # by width: an instance still on version 1
    failed: int


@pytest.fixture(scope="module")
def scene(site: Site) -> Scene:
    world = site.world
    V1.deploy(site.db)
    old = {width: engine.start(site.db, "report_steps", user_id=world.uid("prov_a"), pilot_id=world.pilots[pilot])
           for width, pilot in (("laptop", "A1"), ("phone", "A2"))}
    V2.deploy(site.db)
    engine.deploy(site.db, [("fails.bpmn", _failing("no_such_value &gt; 1")
                                  .replace(b'"P1D"', b'"PT1S"').replace(b'name="fails"', 'name="到期提醒"'.encode()))],
                  user_id=engine.SYSTEM)
    failed = engine.start(site.db, "fails", user_id=world.uid("prov_b"), pilot_id=world.pilots["B1"])
    time.sleep(1.2)
    engine.fire_due_timers(site.db)
    return Scene(old, failed)


def _accept_confirmations(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_admin_migrates_an_old_instance_and_reverts_it(new_page: Any, site: Site, scene: Scene,
                                                          width: str) -> None:
    w, h = WIDTHS[width]
    page = new_page(width=w, height=h)
    _accept_confirmations(page)
    sign_in(page, site, "admin")
    iid = scene.old[width]
    found: list[str] = []
    page.goto(site.url + "/admin/instances?process=report_steps")
    check(page, site, f"{width} instances", found)
    shoot(page, f"admin-instances-{width}")
    page.check(f"#sel-{iid}")
    page.select_option("#m-version", "2")
    with page.expect_navigation():
        page.get_by_role("button", name="预览迁移").click()
    row = page.locator(f'#dry-run tr[data-instance-id="{iid}"]')
    assert row.get_attribute("data-can-move") == "yes"
    assert "形式审查" in row.inner_text()  # the step version 2 adds
    check(page, site, f"{width} dry run", found)
    shoot(page, f"admin-migrate-dry-run-{width}")
    page.fill("#m-reason", "增加形式审查环节")
    with page.expect_navigation():
        page.get_by_role("button", name="迁移 1 个流程实例").click()
    assert "已将 1 个流程实例迁移到版本 2" in page.inner_text("main")
    assert engine.get_instance(site.db, iid, user_id=site.world.uid("admin")).version == 2

    page.goto(site.url + f"/admin/instances/{iid}")
    assert page.locator("[data-version]").get_attribute("data-version") == "2"
    check(page, site, f"{width} instance", found)
    shoot(page, f"admin-instance-migrated-{width}")
    with page.expect_navigation():
        page.get_by_role("button", name="撤销迁移").click()
    assert "已撤销迁移" in page.inner_text("main")
    assert page.locator("[data-version]").get_attribute("data-version") == "1"
    assert engine.get_instance(site.db, iid, user_id=site.world.uid("admin")).version == 1
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_incidents_and_an_instance_in_error_pass_axe(new_page: Any, site: Site, scene: Scene, width: str) -> None:
    w, h = WIDTHS[width]
    page = new_page(width=w, height=h)
    sign_in(page, site, "admin")
    found: list[str] = []
    page.goto(site.url + "/admin/incidents")
    assert page.locator(f'#incidents tr[data-instance-id="{scene.failed}"]').count() == 1
    check(page, site, f"{width} incidents", found)
    shoot(page, f"admin-incidents-{width}")
    page.goto(site.url + f"/admin/instances/{scene.failed}")
    check(page, site, f"{width} instance in error", found)
    shoot(page, f"admin-instance-error-{width}")
    page.goto(site.url + "/admin/instances?state=error&province=" + str(site.world.provinces["B"]))
    check(page, site, f"{width} filtered", found)
    assert found == [], "\n".join(found)
