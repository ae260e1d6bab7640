"""An administrator in a real browser imports a provincial department's Excel pilot list: a file
with a bad row is previewed and writes nothing (the message names the row), the corrected file is
imported; on a laptop (1366) and a phone (390). axe-core finds no serious or critical violation on
the pilots and indicators pages."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_accessibility import describe
from tests.engine.test_reference import pilots
from tests.engine.test_reference import xlsx


def preview(page: Page, site: Site, path: Path) -> None:
    page.goto(site.url + "/admin/pilots")
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_an_admin_previews_a_bad_excel_file_then_imports_the_good_one(new_page: Any, site: Site, tmp_path: Path,
                                                                      width: int, height: int) -> None:
    page = new_page(width=width, height=height, touch=width < 600)
    sign_in(page, site, "admin")
    town = f"样例镇{width}"
    bad, good = tmp_path / "甘肃省试点名单.xlsx", tmp_path / "甘肃省试点名单（修改后）.xlsx"
    bad.write_bytes(xlsx([["省份", "名称", "级别", "批次"], ["甘肃省", f"金昌市{width}", "市", 2013],
                          ["甘肃省", town, "乡"], ["甘肃省", "", "县"]]))
    good.write_bytes(xlsx([["省份", "名称", "级别", "批次"], ["甘肃省", f"金昌市{width}", "市", 2013],
                           ["甘肃省", town, "镇", 2013]]))
    before = pilots(site.db)

    preview(page, site, bad)
    alert = page.locator("[data-bad-rows]")
    assert "未导入任何数据" in alert.inner_text() and "3, 4" in alert.inner_text()
    assert "级别“乡”不是" in page.locator('[data-line="3"]').inner_text()
    assert "名称为空" in page.locator('[data-line="4"]').inner_text()
    assert page.locator("[data-confirm-import]").count() == 0
    shoot(page, f"admin-pilots-bad-{width}")
    assert pilots(site.db) == before

    preview(page, site, good)
    assert page.locator('[data-status="new"]').count() == 2 and page.locator("[data-bad-rows]").count() == 0
    shoot(page, f"admin-pilots-preview-{width}")
    assert pilots(site.db) == before  # a preview writes nothing
    with page.expect_navigation():
        page.get_by_role("button", name="导入 2 个试点").click()
    assert "已导入 2 个试点；0 个已存在。" in page.locator("main .alert-success").inner_text()
    assert pilots(site.db) == before + 2
    page.fill("#q", town)
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert page.locator("#pilots tbody tr").count() == 1 and town in page.locator("#pilots").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "the page scrolls sideways"
    shoot(page, f"admin-pilots-imported-{width}")


def test_the_places_pages_have_no_serious_violation(new_page: Any, site: Site, tmp_path: Path) -> None:
    page = new_page()
    sign_in(page, site, "admin")
    found: list[str] = []
    for path in ("/admin/pilots", "/admin/pilots?q=no-such-pilot", "/admin/indicators", "/admin/indicators/1.1",
                 "/admin/indicators/1.1.1"):
        page.goto(site.url + path)
        if violations := blocking_violations(page, site):
            found.append(describe(path, violations))
    shoot(page, "admin-indicator")
    page.fill("#reason", "核对措辞")  # nothing changed: refused with the reason why
    with page.expect_navigation():
        page.get_by_role("button", name="保存修改").click()
    assert "未做任何修改" in page.locator("[data-refused]").inner_text()
    if violations := blocking_violations(page, site):
        found.append(describe("/admin/indicators/1.1.1 (refused)", violations))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["省份", "名称", "级别"], ["甘肃省", "某市", "planet"]]))
    preview(page, site, bad)
    if violations := blocking_violations(page, site):
        found.append(describe("/admin/pilots (preview with a bad row)", violations))
    assert found == [], "\n".join(found)
