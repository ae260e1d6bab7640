"""An administrator adds a colleague in the browser, as one would on a first day: the empty form
names every problem, the filled one creates the account, and the new user signs in; at laptop and
phone widths, with no serious accessibility finding on the form in its error state."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import blocking_violations


@pytest.mark.parametrize(("width", "height", "username"), [(1366, 900, "zhou.min"), (390, 844, "chen.jing")])
def test_an_admin_creates_a_user_who_then_signs_in(new_page: Any, site: Site, width: int, height: int,
                                                   username: str) -> None:
    page: Page = new_page(width, height)
    sign_in(page, site, "admin")
    page.goto(site.url + "/tasks/")
    if width < 992:
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="管理").click()
    page.get_by_role("link", name="用户", exact=True).click()
    page.get_by_role("link", name="新建用户").click()
    page.select_option("#role", "province")
    assert page.locator("#pilot_id").is_hidden() and page.locator("#province").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="创建用户").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible() and page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("li").all_inner_texts() == [
        "用户名：请输入用户名。", "省份：请选择该审核人所属的省份。", "初始密码：请输入初始密码。",
        "再次输入初始密码：请再次输入密码。"]
    assert blocking_violations(page, site) == []
    shoot(page, f"admin-user-new-errors-{width}")
    page.fill("#username", username)
    page.fill("#display_name", "周敏（浙江省住房和城乡建设厅）")
    page.select_option("#province", "浙江省")
    page.fill("#password", "first-password-1")
    page.fill("#confirm_password", "first-password-1")
    with page.expect_navigation():
        page.get_by_role("button", name="创建用户").click()
    assert f"已创建用户 {username}" in page.inner_text("main")
    assert page.locator("#province").input_value() == "浙江省"
    shoot(page, f"admin-user-created-{width}")
    newcomer: Page = new_page(width, height)
    newcomer.goto(site.url + "/login")
    newcomer.fill("#username", username)
    newcomer.fill("#password", "first-password-1")
    with newcomer.expect_navigation():
        newcomer.click("main button[type=submit]")
    assert "/login" not in newcomer.url
    assert newcomer.get_by_role("link", name="管理").count() == 0  # a reviewer has no admin menu
    assert newcomer.goto(site.url + "/admin/users").status == 403
