"""Pilot list and pilot page: jurisdiction, timeline, diagram, documents by round."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import engine
from engine import attachments
from tests.helpers import World
from tests.webui.conftest import Browser

SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def start(world: World, pilot: str = "A1", by: str = "prov_a") -> int:
    return engine.start(world.db, "pilot_lifecycle", user_id=world.uid(by), pilot_id=world.pilots[pilot])


def revised(world: World) -> int:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "请补充顶层设计"})
    return iid


def pilot_ids(html: str) -> list[str]:
    return re.findall(r'data-pilot-id="(\d+)"', html)


def test_list_is_scoped_to_the_jurisdiction(world: World, browser: Callable[[str], Browser]) -> None:
    start(world)
    p = world.pilots
    city = browser("city_a1").get("/pilots/").get_data(as_text=True)
    assert pilot_ids(city) == [str(p["A1"])]
    prov = browser("prov_b").get("/pilots/").get_data(as_text=True)
    assert pilot_ids(prov) == [str(p["B1"])]
    ministry = browser("ministry").get("/pilots/").get_data(as_text=True)
    assert sorted(pilot_ids(ministry)) == sorted(str(i) for i in p.values())
    assert "提交实施方案" in city  # current stage of A1, in Chinese
    b = browser("city_a1")
    b.post("/language", {"lang": "en", "next": "/pilots/"})
    english = b.get("/pilots/").get_data(as_text=True)
    assert "<td>City</td>" in english and "<td>city</td>" not in english  # the level's label, not its code


def test_list_filters_by_province_and_name(world: World, browser: Callable[[str], Browser]) -> None:
    b = browser("admin")
    by_province = b.get(f"/pilots/?province={world.provinces['B']}").get_data(as_text=True)
    assert pilot_ids(by_province) == [str(world.pilots["B1"])]
    by_name = b.get("/pilots/?q=温州").get_data(as_text=True)
    assert pilot_ids(by_name) == [str(world.pilots["A2"])]
    nothing = b.get("/pilots/?q=不存在的城市").get_data(as_text=True)
    assert pilot_ids(nothing) == [] and 'data-empty="pilots"' in nothing
    # a provincial user cannot look into another province with the filter
    prov = browser("prov_a").get(f"/pilots/?province={world.provinces['B']}").get_data(as_text=True)
    assert sorted(pilot_ids(prov)) == sorted([str(world.pilots["A1"]), str(world.pilots["A2"])])


def test_pilot_outside_jurisdiction_is_404(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    a1 = world.pilots["A1"]
    prov_b = browser("prov_b")
    assert prov_b.get(f"/pilots/{a1}").status_code == 404
    assert prov_b.get(f"/pilots/{a1}/instances/{iid}/diagram.bpmn").status_code == 404
    city_a2 = browser("city_a2")
    assert city_a2.get(f"/pilots/{a1}").status_code == 404
    assert city_a2.get(f"/pilots/{a1}/instances/{iid}/diagram.bpmn").status_code == 404
    # the instance must belong to the pilot in the address
    assert browser("prov_a").get(f"/pilots/{world.pilots['A2']}/instances/{iid}/diagram.bpmn").status_code == 404
    assert browser("city_a1").get(f"/pilots/{a1}").status_code == 200
    assert browser("prov_a").get("/pilots/999999").status_code == 404


def test_diagram_endpoint_and_page_data(world: World, browser: Callable[[str], Browser]) -> None:
    iid = revised(world)
    a1 = world.pilots["A1"]
    b = browser("city_a1")
    r = b.get(f"/pilots/{a1}/instances/{iid}/diagram.bpmn")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert 'id="pilot_lifecycle"' in r.get_data(as_text=True)
    html = b.get(f"/pilots/{a1}").get_data(as_text=True)
    raw = re.search(rf'<script type="application/json" id="diagram-data-{iid}">(.*?)</script>', html, re.S)
    assert raw
    data = json.loads(raw.group(1))
    assert data["url"] == f"/pilots/{a1}/instances/{iid}/diagram.bpmn"
    assert data["current"] == ["submit_scheme"]
    assert {"start_pilot", "submit_scheme", "review_scheme"} <= set(data["visited"])
    assert 'data-diagram="diagram-data-' in html and "js/diagram.js" in html
    ready = world.task(iid, "submit_scheme")
    assert f'href="/tasks/{ready.id}?from=pilot"' in html
    assert "第 2 轮" in html and 'data-round="2"' in html  # the submission is in its second round


def test_timeline_in_order_with_translated_labels(world: World, browser: Callable[[str], Browser]) -> None:
    iid = revised(world)
    html = browser("prov_a").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    timeline = html[html.index("data-timeline"):]
    actions = re.findall(r'data-action="([a-z_]+)"', timeline)
    assert actions == ["instance_started", "task_claimed", "task_completed", "task_claimed", "task_completed"]
    assert iid
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline))
    assert "instance_started" not in text and "task_completed" not in text  # labels, not raw names
    assert text.index("审核实施方案") > text.index("提交实施方案")
    assert "请补充顶层设计" in text and "退回修改" in text
    assert "prov_a" in text and "city_a1" in text


def test_timeline_in_english(world: World, browser: Callable[[str], Browser]) -> None:
    revised(world)
    b = browser("prov_a")
    b.post("/language", {"lang": "en", "next": "/pilots/"})
    html = b.get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    assert "Process started" in html and "Step completed" in html and "Request revision" in html
    assert "Review implementation scheme" in html


def test_documents_by_round_with_attachment_link(world: World, browser: Callable[[str], Browser],
                                                  tmp_path: Path) -> None:
    iid = start(world)
    task = world.task(iid, "submit_scheme")
    engine.claim(world.db, task.id, user_id=world.uid("city_a1"))
    att = attachments.add_attachment(world.db, task.id, user_id=world.uid("city_a1"), filename="方案.pdf",
                                   content=PDF, directory=tmp_path, max_bytes=10_000_000)
    engine.complete(world.db, task.id, user_id=world.uid("city_a1"), data=SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "请补充"})
    second = world.task(iid, "submit_scheme")
    attachments.remove_attachment(world.db, second.id, att.id, user_id=world.uid("city_a1"))  # withdrawn in round 2
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "scheme_title": "第二稿"})
    html = browser("prov_a").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    docs = html[html.index('data-round="1"'):]
    assert docs.index('data-round="2"') > docs.index("方案.pdf")  # still in the record of round 1 ...
    assert f'href="/tasks/attachments/{att.id}"' in docs
    round_1 = docs[:docs.index('data-round="2"')]
    assert "data-withdrawn" in round_1  # ... marked as withdrawn later
    assert "第二稿" in docs[docs.index('data-round="2"'):]


def test_pilot_without_instances_has_empty_state(world: World, browser: Callable[[str], Browser]) -> None:
    html = browser("prov_a").get(f"/pilots/{world.pilots['A2']}").get_data(as_text=True)
    assert 'data-empty="instances"' in html and "diagram.js" not in html


def test_a_long_answer_is_there_whole_and_folds_with_a_button_not_a_scroll_box(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    long = "\n".join(f"第 {n} 项目标" for n in range(1, 10))
    world.do("city_a1", iid, "submit_scheme", SCHEME | {"objectives": long})
    html = browser("prov_a").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    item = re.search(r'data-field-key="objectives">\s*<dt>建设目标</dt>\s*<dd>\s*'
                     r'<div class="doc-text fold">(.*?)</div>', html, re.S)
    assert item and item.group(1) == long  # every line is in the page; fold.js folds it behind a button
    assert "overflow" not in item.group(0) and 'tabindex="0"' not in item.group(0)
    assert "js/fold.js" in html and 'data-fold-more="' in html


def test_an_accepted_pilot_shows_its_outcome_and_star_grade(world: World, browser: Callable[[str], Browser],
                                                            at: Any) -> None:
    from tests.processes.test_pilot_lifecycle import act
    from tests.processes.test_pilot_lifecycle import china
    from tests.processes.test_pilot_lifecycle import through_scheme
    from tests.processes.test_pilot_lifecycle import through_task_book
    from tests.processes.test_pilot_lifecycle import tick

    iid = start(world)
    through_scheme(world, iid)
    through_task_book(world, iid, start_year=2026, years=3)
    for year in (2026, 2027, 2028):
        if year > 2026:
            tick(world, at, china(year, 1, 2))
        act(world, "city_a1", iid, "submit_annual_report", year=year)
        act(world, "prov_a", iid, "review_annual_report", report_decision="accepted")
    tick(world, at, china(2029, 1, 2))
    act(world, "city_a1", iid, "submit_acceptance_application")
    act(world, "ministry", iid, "assess_acceptance", score_1=80, score_2=78, score_3=82, score_4=76)
    ministry = browser("ministry")
    page = ministry.get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    assert re.search(r"data-outcome>通过验收<", page) and 'data-stars="2"' in page and "二星" in page
    listing = ministry.get("/pilots/").get_data(as_text=True)
    assert 'data-stars="2"' in listing and "通过验收" in listing
