"""The pilot page's diagram XML: labels in the reader's language, lanes named after who works in
them, the same drawing otherwise, parsed without entities."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from lxml import etree

from engine import bpmn
from tests.conftest import PROCESSES
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.test_pilots import start
from webui.i18n import has_cjk
from webui.i18n import split_bilingual
from webui.pilots.diagram import localized_diagram

SHIPPED = etree.parse(str(PROCESSES / "pilot_lifecycle.bpmn"), bpmn.SAFE_XML).getroot()
LANES = {"lane_city", "lane_province", "lane_ministry"}


def labels(root: etree._Element) -> dict[str, str]:
    """id -> name of every named BPMN element."""
    return {el.get("id"): el.get("name") for el in root.iter(f"{{{bpmn.BPMN_NS}}}*")
            if el.get("id") and el.get("name") is not None}


def ids(root: etree._Element) -> list[str]:
    return sorted(el.get("id") for el in root.iter() if el.get("id"))


def bilingual() -> dict[str, tuple[str, str]]:
    """id -> (中文, English) of the shipped elements named "中文 / English"."""
    pairs = {key: split_bilingual(name) for key, name in labels(SHIPPED).items()}
    return {key: (zh, en) for key, (zh, en) in pairs.items() if en is not None}


def diagram(world: World, browser: Callable[[str], Browser], lang: str | None = None) -> etree._Element:
    iid = start(world)
    me = browser("city_a1")
    if lang:
        me.post("/language", {"lang": lang, "next": "/pilots/"})
    r = me.get(f"/pilots/{world.pilots['A1']}/instances/{iid}/diagram.bpmn")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert r.headers["Cache-Control"] == "private, no-store" and r.headers["X-Content-Type-Options"] == "nosniff"
    return etree.fromstring(r.data, bpmn.SAFE_XML)


def test_a_chinese_reader_gets_chinese_labels_only(world: World, browser: Callable[[str], Browser]) -> None:
    names = labels(diagram(world, browser))
    pairs = bilingual()
    assert len(pairs) > 40 and names["review_scheme"] == "审核实施方案"
    assert {key: names[key] for key in pairs} == {key: zh for key, (zh, _en) in pairs.items()}
    assert [name for key, name in names.items() if key in pairs and "/ " in name] == []
    assert {key: names[key] for key in LANES} == {"lane_city": "试点城市", "lane_province": "省级住房城乡建设主管部门",
                                                 "lane_ministry": "住房城乡建设部"}


def test_an_english_reader_gets_english_labels_only(world: World, browser: Callable[[str], Browser]) -> None:
    names = labels(diagram(world, browser, "en"))
    pairs = bilingual()
    assert names["review_scheme"] == "Review implementation scheme"
    assert {key: names[key] for key in pairs} == {key: en for key, (_zh, en) in pairs.items()}
    assert [name for name in names.values() if has_cjk(name)] == []
    assert {key: names[key] for key in LANES} == {"lane_city": "Pilot city", "lane_province": "Provincial department",
                                                 "lane_ministry": "Ministry (MOHURD)"}


def test_only_labels_change(world: World, browser: Callable[[str], Browser]) -> None:
    root = diagram(world, browser, "en")
    assert ids(root) == ids(SHIPPED)  # every element, its diagram shape and edge is still there
    shipped_form = SHIPPED.find(f".//{{{bpmn.SPIFF_NS}}}property[@name='{bpmn.FORM_PROPERTY}']")
    served_form = root.find(f".//{{{bpmn.SPIFF_NS}}}property[@name='{bpmn.FORM_PROPERTY}']")
    assert shipped_form is not None and served_form is not None
    assert served_form.get("value") == shipped_form.get("value")


def test_text_annotations_and_other_lanes_are_localized(app: Flask) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{bpmn.BPMN_NS}"><process id="p" name="流程 / Process">
  <laneSet><lane id="a" name="Admin" /><lane id="o" name="其他 / Others" /></laneSet>
  <textAnnotation id="t"><text>注意 / Note</text></textAnnotation>
</process></definitions>""".encode()
    with app.test_request_context():
        root = etree.fromstring(localized_diagram(xml), bpmn.SAFE_XML)
    assert labels(root) == {"p": "流程", "a": "系统管理员", "o": "其他"}
    assert root.findtext(f".//{{{bpmn.BPMN_NS}}}text") == "注意"


def test_it_reads_no_entity(app: Flask, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = f"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://{secret}">]>
<definitions xmlns="{bpmn.BPMN_NS}"><process id="p" name="x"><documentation>&e;</documentation></process>
</definitions>""".encode()
    with app.test_request_context():
        assert b"TOP-SECRET" not in localized_diagram(xml)
