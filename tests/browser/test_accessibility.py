"""WCAG 2.1 AA in a real browser: axe-core finds no serious or critical violation on any page, as
each role sees it, in Chinese and in English, with and without data, in error and empty states."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.browser.test_revision_round import SCHEME

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PERSONAS = {"city": "city_a1", "province": "prov_a", "ministry": "ministry", "admin": "admin"}
# Every violation of these tags: id, impact, help and the CSS path of each offending node.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(" "))}));
}"""


# An answer longer than its box on the pilot page: the box scrolls, so a keyboard must reach it.
LONG = "\n".join(f"第 {n} 项建设目标：建成覆盖全市的城市公共信息平台，并实现数据共享" for n in range(1, 16))


@dataclass
class Scene:
    a1: int  # A1's scheme is submitted and its review is claimed by prov_a
    a2: int  # A2's scheme is submitted and its review waits in the group queue
    review_a1: str
    review_a2: str
    submitted_a1: str  # city_a1's completed submission


@pytest.fixture(scope="module")
def scene(site: Site) -> Scene:
    world = site.world
    a1 = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    submitted = world.task(a1, "submit_scheme").id
    engine.complete(site.db, submitted, user_id=world.uid("city_a1"), data=SCHEME | {"objectives": LONG})
    review_a1 = world.task(a1, "review_scheme").id
    engine.claim(site.db, review_a1, user_id=world.uid("prov_a"))
    a2 = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
    engine.complete(site.db, world.task(a2, "submit_scheme").id, user_id=world.uid("city_a2"),
                    data=SCHEME | {"scheme_title": "温州市智慧城市试点实施方案"})
    return Scene(a1, a2, review_a1, world.task(a2, "review_scheme").id, submitted)


def pages(site: Site, scene: Scene, role: str) -> list[tuple[str, int]]:
    """(path, status) of the pages a persona of ``role`` reaches, with its empty, filtered and error states."""
    pilots, provinces = site.world.pilots, site.world.provinces
    common = [("/tasks/?scope=mine", 200), ("/tasks/?scope=group", 200), ("/tasks/?scope=completed", 200),
              ("/pilots/", 200), ("/pilots/?q=no-such-pilot", 200), ("/profile", 200), ("/notifications/", 200),
              ("/no-such-page", 404), ("/tasks/?scope=bogus", 400)]
    return common + {
        # city_a1: nothing waiting (empty), one completed step and the province's review of it
        # (read-only); its pilot page; no dashboard (403).
        "city": [(f"/pilots/{pilots['A1']}", 200), (f"/tasks/{scene.submitted_a1}", 200), ("/dashboard/", 403),
                 (f"/tasks/{scene.review_a1}", 200)],
        # prov_a: holds A1's review (actionable), A2's review waits in the group queue.
        "province": [("/tasks/?scope=held", 200), (f"/tasks/?scope=group&pilot_id={pilots['A2']}", 200),
                     ("/tasks/?scope=group&overdue=1", 200), (f"/tasks/{scene.review_a1}", 200),
                     (f"/tasks/{scene.review_a2}", 200), (f"/tasks/{scene.review_a1}/reassign", 200),
                     (f"/pilots/{pilots['A1']}", 200), (f"/pilots/{pilots['A2']}", 200), ("/dashboard/", 200)],
        # ministry: nationwide read-only views; B1 has no process yet (empty state).
        "ministry": [(f"/tasks/{scene.review_a1}", 200), (f"/pilots/{pilots['B1']}", 200),
                     (f"/pilots/{pilots['A1']}", 200), (f"/pilots/?province={provinces['A']}", 200),
                     ("/dashboard/", 200), (f"/tasks/?scope=group&province_id={provinces['B']}", 200)],
        "admin": [("/tasks/?scope=held", 200), (f"/tasks/{scene.review_a2}/reassign", 200),
                  (f"/pilots/{pilots['A1']}", 200), ("/dashboard/", 200), ("/admin/", 200), ("/admin/users", 200),
                  ("/admin/users?q=no-such-user", 200), ("/admin/users/new", 200),
                  (f"/admin/users/{site.world.uid('prov_a')}", 200)],
    }[role]


def visit(page: Page, site: Site, path: str, status: int) -> None:
    response = page.goto(site.url + path)
    assert response is not None and response.status == status, (path, response and response.status)


def blocking_violations(page: Page, site: Site) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA findings on the page as it is now."""
    if page.locator("[data-diagram]").count():
        page.wait_for_selector("[data-diagram][data-rendered]", timeout=15_000)
    page.add_script_tag(url=site.url + "/static/vendor/axe.min.js")
    return [v for v in page.evaluate(RUN_AXE, AXE_TAGS) if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{where}: [{v['impact']}] {v['id']}: {v['help']} -> {', '.join(v['nodes'][:6])}"
                     + (f" (+{len(v['nodes']) - 6} more)" if len(v["nodes"]) > 6 else "") for v in violations)


def check(page: Page, site: Site, where: str, found: list[str]) -> None:
    violations = blocking_violations(page, site)
    if violations:
        found.append(describe(where, violations))


def to_english(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sign_in_pages_have_no_serious_violation(new_page: Any, site: Site, lang: str) -> None:
    page = new_page()
    found: list[str] = []
    page.goto(site.url + "/login")
    if lang == "en":
        to_english(page)
    check(page, site, "/login", found)
    page.fill("#username", "no-such-user")  # a persona's failures would count towards its lock-out
    page.fill("#password", "not-the-password")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("#login-error").is_visible()
    check(page, site, "/login (failed)", found)
    visit(page, site, "/no-such-page", 404)
    check(page, site, "/no-such-page (signed out)", found)
    assert found == [], "\n".join(found)


# Every role in Chinese (the default); in English the two sides of the process, whose pages
# cover every template (the ministry's and the administrator's add no English-only layout).
TOURS = [(role, "zh") for role in PERSONAS] + [("city", "en"), ("province", "en")]


@pytest.mark.parametrize(("role", "lang"), TOURS)
def test_every_page_has_no_serious_violation(new_page: Any, site: Site, scene: Scene, role: str, lang: str) -> None:
    page = new_page()
    sign_in(page, site, PERSONAS[role])
    if lang == "en":
        to_english(page)
    found: list[str] = []
    for path, status in pages(site, scene, role):
        visit(page, site, path, status)
        check(page, site, f"{PERSONAS[role]} {path}", found)
    assert found == [], "\n".join(found)


def test_a_phone_shows_no_serious_violation(new_page: Any, site: Site, scene: Scene) -> None:
    """The provincial reviewer's pages (the most of any role) at 390px: collapsed menu, tables
    scrolling sideways, the diagram's buttons wrapped."""
    page = new_page(width=390, height=844)
    sign_in(page, site, PERSONAS["province"])
    found: list[str] = []
    for path, status in pages(site, scene, "province"):
        visit(page, site, path, status)
        check(page, site, f"390px {path}", found)
    assert found == [], "\n".join(found)


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(css_color: str) -> float:
    rgb = tuple(float(n) for n in re.findall(r"[\d.]+", css_color))
    return 1.05 / (luminance(rgb) + 0.05)


# What the focused element shows: its outline (style, width, colour), tag and text.
FOCUS = """() => { const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.name || el.id || "").slice(0, 40),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor}; }"""


@pytest.mark.parametrize("path", ["/tasks/?scope=group&overdue=1", "/profile"])
def test_every_focused_control_shows_a_ring_of_3_to_1(new_page: Any, site: Site, scene: Scene, path: str) -> None:
    """Tab through the page: each link, button and field shows a solid ring of at least 2px whose
    colour has 3:1 contrast against white (WCAG 2.1 non-text contrast)."""
    page = new_page()
    sign_in(page, site, "prov_a")
    page.goto(site.url + path)
    seen, weak = set(), []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus["tag"] == "body":
            break
        seen.add(focus["tag"])
        if focus["style"] in ("none", "hidden") or focus["width"] < 2 or contrast_with_white(focus["color"]) < 3:
            weak.append(focus)
    assert weak == []
    assert {"a", "button", "input"} <= seen, seen


def test_a_conflict_page_has_no_serious_violation(new_page: Any, site: Site, scene: Scene) -> None:
    """409: prov_a2 saves a draft of the review prov_a holds."""
    page = new_page()
    sign_in(page, site, "prov_a2")
    page.goto(f"{site.url}/tasks/{scene.review_a1}")
    with page.expect_navigation():
        page.evaluate("""(url) => {
          const form = document.createElement("form");
          form.method = "post"; form.action = url;
          for (const [name, value] of [["csrf_token", document.querySelector("input[name=csrf_token]").value],
                                       ["action", "draft"]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value; form.append(input);
          }
          document.body.append(form); form.submit();
        }""", f"/tasks/{scene.review_a1}")
    assert "409" in page.inner_text("main")
    found: list[str] = []
    check(page, site, "409", found)
    assert found == [], "\n".join(found)

