"""The process diagram on a pilot page reads at its default size on a laptop and a phone: the
current step (and, on a laptop, the path to it) in view at a legible scale, labels in the reader's
language and clear of the task icons; the zoom buttons work with the mouse and the keyboard."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page

import engine
from tests.browser.conftest import Site
from tests.browser.conftest import sign_in
from tests.browser.test_revision_round import SCHEME

Box = dict[str, float]


@pytest.fixture(scope="module")
def a1(site: Site) -> int:
    """A1 has submitted its scheme; the province's review is the current step."""
    world = site.world
    iid = engine.start(site.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    engine.complete(site.db, world.task(iid, "submit_scheme").id, user_id=world.uid("city_a1"), data=SCHEME)
    return iid


def open_pilot(page: Page, site: Site, lang: str = "zh") -> Locator:
    if lang == "en":
        page.goto(site.url + "/login")
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
    sign_in(page, site, "prov_a")
    page.goto(f"{site.url}/pilots/{site.world.pilots['A1']}")
    canvas = page.locator("[data-diagram]").first
    page.wait_for_selector("[data-diagram][data-rendered]", timeout=15_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def box(locator: Locator) -> Box:
    found = locator.bounding_box()
    assert found is not None
    return found


def shape(canvas: Locator, bpmn_id: str) -> Locator:
    return canvas.locator(f'.djs-element[data-element-id="{bpmn_id}"] .djs-visual > rect').first


def inside(inner: Box, outer: Box, slack: float = 1) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def overlap(a: Box, b: Box) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def label_and_icon(canvas: Locator, bpmn_id: str) -> tuple[str, Box, Box]:
    """A task's label text, the box of its text and the box of its type icon (the paths drawn on it)."""
    visual = canvas.locator(f'.djs-element[data-element-id="{bpmn_id}"] .djs-visual').first
    text = visual.locator("text").first
    icon: Box = visual.evaluate("""v => {
      const boxes = [...v.querySelectorAll(":scope > path")].map(p => p.getBoundingClientRect());
      const x = Math.min(...boxes.map(b => b.left)), y = Math.min(...boxes.map(b => b.top));
      return {x, y, width: Math.max(...boxes.map(b => b.right)) - x, height: Math.max(...boxes.map(b => b.bottom)) - y};
    }""")
    words = text.evaluate("t => [...t.querySelectorAll('tspan')].map(s => s.textContent.trim()).join(' ')")
    return words, box(text), icon


@pytest.mark.parametrize("width, height", [(1280, 860), (390, 844)])
def test_the_current_step_is_legible_at_the_default_size(new_page: Any, site: Site, a1: int, width: int,
                                                         height: int) -> None:
    page = new_page(width=width, height=height)
    canvas = open_pilot(page, site)
    frame = box(canvas)
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    current = box(shape(canvas, "review_scheme"))
    assert inside(current, frame)
    assert current["width"] >= 75  # a 100-unit task drawn at 3/4 size or more: 12px labels stay legible
    if width >= 1000:  # on a laptop the path taken is in view too
        assert inside(box(shape(canvas, "submit_scheme")), frame)
    text, label, icon = label_and_icon(canvas, "review_scheme")
    assert text == "审核实施方案"
    assert not overlap(label, icon), (label, icon)


def test_zoom_buttons_work_with_mouse_and_keyboard(new_page: Any, site: Site, a1: int) -> None:
    page = new_page()
    canvas = open_pilot(page, site)
    start = box(shape(canvas, "review_scheme"))["width"]
    page.get_by_role("button", name="放大").click()
    zoomed = box(shape(canvas, "review_scheme"))["width"]
    assert zoomed == pytest.approx(start * 1.25, rel=0.02)
    page.get_by_role("button", name="缩小").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert box(shape(canvas, "review_scheme"))["width"] == pytest.approx(start / 1.25, rel=0.02)
    page.get_by_role("button", name="显示全图").click()
    frame = box(canvas)
    drawing = box(canvas.locator("svg .viewport"))
    assert inside(drawing, frame, slack=4)  # the whole process (give or take its outer strokes)
    assert box(shape(canvas, "review_scheme"))["width"] < 50
    page.get_by_role("button", name="定位当前环节").click()
    assert box(shape(canvas, "review_scheme"))["width"] == pytest.approx(start, rel=0.02)
    assert inside(box(shape(canvas, "review_scheme")), frame)
    # The drawing itself takes focus; Ctrl + arrow keys move it.
    before = box(shape(canvas, "review_scheme"))["x"]
    page.keyboard.press("Tab")  # from the last button to the drawing
    assert page.evaluate("document.activeElement.closest('[data-diagram]') !== null")
    page.keyboard.press("Control+ArrowRight")
    assert box(shape(canvas, "review_scheme"))["x"] != pytest.approx(before, abs=5)


def test_a_finger_moves_the_diagram_once_it_has_focus(new_page: Any, site: Site, a1: int) -> None:
    page = new_page(width=390, height=844, touch=True)
    canvas = open_pilot(page, site)
    cdp = page.context.new_cdp_session(page)

    def drag(x: float, y: float, dx: float) -> None:
        for kind, at in (("touchStart", x), ("touchMove", x + dx / 2), ("touchMove", x + dx)):
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": at, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    frame = box(canvas)
    x, y = frame["x"] + frame["width"] / 2, frame["y"] + 60
    start = box(shape(canvas, "review_scheme"))["x"]
    drag(x, y, -80)  # not focused yet: the gesture is the page's
    assert box(shape(canvas, "review_scheme"))["x"] == pytest.approx(start, abs=1)
    page.touchscreen.tap(x, y)
    assert page.evaluate("document.activeElement.closest('[data-diagram]') !== null")
    drag(x, y, -80)
    assert box(shape(canvas, "review_scheme"))["x"] == pytest.approx(start - 80, abs=3)


def test_an_english_reader_sees_english_labels_and_buttons(new_page: Any, site: Site, a1: int) -> None:
    page = new_page()
    canvas = open_pilot(page, site, "en")
    text, label, icon = label_and_icon(canvas, "review_scheme")
    assert text == "Review implementation scheme" and not overlap(label, icon)
    for name in ("Zoom in", "Zoom out", "Fit to view", "Show current step"):
        assert page.get_by_role("button", name=name).is_visible()
    page.get_by_role("button", name="Fit to view").click()
    lanes = canvas.locator('.djs-element[data-element-id^="lane_"] .djs-visual > text')
    shown = sorted(" ".join((t.text_content() or "").split()) for t in lanes.all())
    assert shown == ["Ministry (MOHURD)", "Pilot city", "Provincial department"]
    svg = canvas.locator("svg").first
    assert svg.get_attribute("role") == "img" and "path taken" in (svg.get_attribute("aria-label") or "")
