"""The revision round in a real browser: a city submits its scheme with an attachment, the
province requests revision with a comment, the city sees the comment and revises, the
province sees what changed and approves."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "三年内建成城市公共信息平台",
          "top_level_design": "一个平台、三大体系", "tasks_and_timeline": "2014 年完成平台一期",
          "responsibilities": "市住建委牵头", "safeguards": "设立专项资金"}


def open_task(page: Page, site: Site, iid: int, bpmn_id: str) -> None:
    page.goto(f"{site.url}/tasks/{site.world.task(iid, bpmn_id).id}")


def submit(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit this task?" confirmation
    with page.expect_navigation():
        page.locator("#task-form button[value=submit]").click()
    assert "/tasks/" in page.url and page.locator(".alert-success, .alert-info").count() >= 1


def test_revision_round_with_attachment_comment_and_changes(new_page: Any, site: Site) -> None:
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])

    city = new_page()
    sign_in(city, site, "city_a1")
    open_task(city, site, iid, "submit_scheme")
    for name, value in SCHEME.items():
        city.fill(f"[name=f-{name}]", value)
    city.set_input_files("#attachment-file", files=[{"name": "实施方案.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF}])
    with city.expect_navigation():
        city.click("#upload-button")
    assert city.get_by_text("实施方案.pdf").first.is_visible()
    # The upload carried the typed form along: nothing typed before it is lost.
    assert city.input_value("[name=f-objectives]") == SCHEME["objectives"]
    shoot(city, "task-form")
    submit(city)

    reviewer = new_page()
    sign_in(reviewer, site, "prov_a")
    open_task(reviewer, site, iid, "review_scheme")
    assert reviewer.get_by_text("实施方案.pdf").first.is_visible()
    reviewer.check("[name=f-decision][value=revise]")
    reviewer.fill("[name=f-comment]", "建设目标需要量化指标")
    submit(reviewer)

    open_task(city, site, iid, "submit_scheme")
    assert city.get_by_text("建设目标需要量化指标").first.is_visible()
    assert city.get_by_text("2").first.is_visible()
    city.fill("[name=f-objectives]", "三年内建成城市公共信息平台，覆盖 90% 政务服务事项")
    city.fill("[name=f-revision_notes]", "已补充量化目标")
    # A file chosen but not uploaded separately goes with the submission.
    city.set_input_files("#attachment-file", files=[{"name": "量化指标.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF}])
    submit(city)

    open_task(reviewer, site, iid, "review_scheme")
    changes = reviewer.locator(".diff-new")
    assert changes.filter(has_text="覆盖 90% 政务服务事项").count() >= 1
    assert changes.filter(has_text="量化指标.pdf").count() >= 1  # listed as an added attachment
    assert reviewer.locator(".diff-old").filter(has_text="三年内建成城市公共信息平台").count() >= 1
    reviewer.check("[name=f-decision][value=approve]")
    submit(reviewer)
    assert "submit_scheme" not in world.ready_ids(iid) and "review_scheme" not in world.ready_ids(iid)
