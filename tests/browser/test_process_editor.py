"""The process editor in a real browser: an administrator opens the shipped lifecycle, adds a
user task in the Province lane (through bpmn-js's own API, as drag and drop would), sets its due
duration in the properties panel, sees the change against the live version, deploys it; a new
instance follows the new version while a running one stays on the old. A broken draft shows its
problems on the elements and cannot be deployed: the live version stays live. axe-core finds no
serious or critical violation on the process pages."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import shoot
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_accessibility import describe
from tests.browser.test_revision_round import SCHEME

NEW_TASK = "province_precheck"
# Insert a Province task between the city's submission and the province's review.
ADD_TASK = """([id, name]) => {
  const m = window.schemeflowEditor.modeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const flow = registry.get('flow_sr_2'), review = registry.get('review_scheme');
  const bo = m.get('bpmnFactory').create('bpmn:UserTask', {id});
  const shape = m.get('elementFactory').createShape({type: 'bpmn:UserTask', businessObject: bo});
  const task = modeling.createShape(shape, {x: 700, y: 900}, review.parent);
  modeling.updateLabel(task, name);
  modeling.reconnectEnd(flow, task, {x: 650, y: 900});
  modeling.connect(task, review, {type: 'bpmn:SequenceFlow'});
  m.get('selection').select(task);
  return task.businessObject.get('lanes').map(l => l.name);
}"""


def open_editor(page: Page, site: Site, path: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url + path)
    page.wait_for_selector("body[data-editor-ready]", timeout=20_000)
    return errors


def live_version(site: Site) -> int:
    return engine.catalog.process(site.db, "pilot_lifecycle", user_id=site.world.uid("admin")).live.number


def test_add_a_province_task_compare_and_deploy(new_page: Any, site: Site) -> None:
    world = site.world
    old = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    page = new_page(1366, 900)
    sign_in(page, site, "admin")
    page.goto(site.url + "/admin/processes")
    shoot(page, "admin-processes")
    errors = open_editor(page, site, "/admin/processes/pilot_lifecycle/versions/1")
    assert page.locator(".bjs-powered-by").is_visible()  # bpmn.io's watermark stays
    assert page.locator("[data-import-warnings]").inner_text().strip() == ""  # the shipped BPMN reads whole
    lanes = page.evaluate(ADD_TASK, [NEW_TASK, "省级预审 / Province pre-check"])
    assert lanes == ["Province"]
    assert page.locator("[data-save-state]").get_attribute("data-save-state") == "unsaved"
    panel = page.locator("[data-editor-panel]")
    assert "由省级审核人办理" in panel.inner_text()
    due = panel.get_by_label("办理时限")
    due.fill("P10D")
    page.locator("[data-compare]").click()
    page.wait_for_selector(f"[data-diff-added] [data-diff-id='{NEW_TASK}']")
    assert page.locator(f".djs-element.sf-diff-added[data-element-id='{NEW_TASK}']").count() == 1
    assert page.locator("[data-diff-changed] [data-diff-id='flow_sr_2']").count() == 1
    assert "省级预审" in page.locator("[data-results]").inner_text()
    shoot(page, "admin-editor-compare")
    page.locator("[data-deploy]").click()
    modal = page.locator("[data-deploy-modal]")
    modal.wait_for(state="visible")
    assert "省级预审" in modal.inner_text()
    page.locator("[data-deploy-confirm]").click()
    page.wait_for_selector("[data-message] [data-deployed-version='2']")
    assert page.locator("[data-save-state]").get_attribute("data-save-state") == "saved"
    assert errors == []
    assert live_version(site) == 2
    new = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    engine.complete(site.db, world.task(new, "submit_scheme").id, user_id=world.uid("city_a1"), data=SCHEME)
    assert world.ready_ids(new) == [NEW_TASK]
    engine.complete(site.db, world.task(old, "submit_scheme").id, user_id=world.uid("city_a2"), data=SCHEME)
    assert world.ready_ids(old) == ["review_scheme"]  # the running instance stays on version 1


def test_a_broken_draft_shows_its_problems_and_the_live_version_stays(new_page: Any, site: Site) -> None:
    before = live_version(site)
    page = new_page(1366, 900)
    sign_in(page, site, "admin")
    errors = open_editor(page, site, f"/admin/processes/pilot_lifecycle/versions/{before}")
    page.evaluate("""() => {
      const m = window.schemeflowEditor.modeler;
      const lane = m.get('elementRegistry')
        .filter(e => e.type === 'bpmn:Lane' && e.businessObject.name === 'Ministry')[0];
      m.get('modeling').updateLabel(lane, 'Experts');
    }""")
    page.locator("[data-validate]").click()
    page.wait_for_selector("[data-problems] li")
    assert page.locator("[data-problems] li[data-problem='assess_acceptance']").count() == 1
    assert page.locator(".djs-element.sf-problem[data-element-id='assess_acceptance']").count() == 1
    problems = page.locator("[data-problems]").inner_text()
    assert "验收评估" in problems and "不对应任何角色" in problems  # the task by name, the problem in Chinese
    page.locator("[data-deploy]").click()
    page.locator("[data-deploy-modal]").wait_for(state="visible")
    page.locator("[data-deploy-confirm]").click()
    page.wait_for_selector("[data-message] .alert-danger")
    assert "仍为当前版本" in page.locator("[data-message]").inner_text()
    assert page.locator(".djs-element.sf-problem[data-element-id='assess_acceptance']").count() == 1
    shoot(page, "admin-editor-problems")
    assert errors == []
    assert live_version(site) == before


@pytest.mark.parametrize("width", [1366, 390])
def test_process_pages_are_accessible_and_read_in_chinese(new_page: Any, site: Site, width: int) -> None:
    page = new_page(width, 860)
    sign_in(page, site, "admin")
    found = []
    for path, name in (("/admin/processes", "processes"), ("/admin/processes/pilot_lifecycle", "process"),
                       ("/admin/processes/pilot_lifecycle/versions/1", "editor")):
        page.goto(site.url + path)
        if name == "editor":
            page.wait_for_selector("body[data-editor-ready]", timeout=20_000)
        shoot(page, f"admin-{name}-{width}")
        violations = blocking_violations(page, site)
        if violations:
            found.append(describe(path, violations))
    assert not found, "\n".join(found)


def test_forms_and_decisions_tabs(new_page: Any, site: Site) -> None:
    page = new_page(1366, 900)
    sign_in(page, site, "admin")
    errors = open_editor(page, site, "/admin/processes/pilot_lifecycle/versions/1")
    assert page.locator("[data-save-state]").get_attribute("data-save-state") == "version"
    page.locator("#tab-forms").click()
    page.locator("[data-form-task]").select_option("review_scheme")
    # the task page's own rendering of the review's form
    page.locator("[data-form-preview] [data-form-rendered]").get_by_text("审核结论").first.wait_for()
    schema = page.locator("[data-form-schema]")
    schema.fill('{"type": "object", "properties": {"note": {"type": "string", "title": "备注"}}')
    assert "不是有效的 JSON" in page.locator("[data-form-status]").inner_text()
    schema.fill('{"type": "object", "properties": {"note": {"type": "string", "title": "备注"}}}')
    page.locator("[data-form-preview] [data-form-rendered]").get_by_text("备注").wait_for()
    assert page.locator("[data-save-state]").get_attribute("data-save-state") == "unsaved"
    shoot(page, "admin-editor-forms")
    found = blocking_violations(page, site)
    page.locator("#tab-decisions").click()
    page.wait_for_selector("[data-dmn-canvas] .tjs-table")
    assert "星级" in page.locator("[data-dmn-canvas]").inner_text()
    page.wait_for_selector("#pane-decisions.show.active")
    page.wait_for_timeout(300)  # the tab's fade
    shoot(page, "admin-editor-decisions")
    found += blocking_violations(page, site)
    assert not found, describe("editor tabs", found)
    assert errors == []
