"""The task page: the form from its JSON Schema, submit and draft, attachments, comments, the
changes between revision rounds and sanitized instructions."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import engine
from engine.models import Attachment
from engine.models import AuditEvent
from engine.models import HumanTask
from tests.conftest import DATA
from tests.helpers import World
from tests.processes.test_pilot_lifecycle import SCHEME
from tests.processes.test_pilot_lifecycle import through_scheme
from tests.webui.conftest import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def storage(app: Flask, tmp_path: Path) -> Path:
    app.config["ATTACHMENT_DIR"] = tmp_path / "attachments"
    return tmp_path / "attachments"


def start(world: World) -> int:
    return engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def scheme_form(**overrides: str) -> dict[str, str]:
    return {f"f-{k}": v for k, v in {**SCHEME, **overrides}.items()}


def page(browser: Browser, task_id: str) -> str:
    r = browser.get(f"/tasks/{task_id}")
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def version(world: World, iid: int) -> int:
    return engine.get_instance(world.db, iid, user_id=world.uid("admin")).instance_version


def submit(browser: Browser, world: World, task_id: str, iid: int, data: dict[str, Any], *,
           action: str = "submit") -> Any:
    return browser.post(f"/tasks/{task_id}", {**data, "action": action, "instance_version": version(world, iid)})


def field_block(html: str, key: str) -> str:
    """The HTML of one field's wrapper on the page."""
    start = html.index(f'data-field-key="{key}"')
    end = html.find('data-field-key="', start + 20)
    return html[start:end if end > 0 else len(html)]


def to_investment_plan(world: World) -> tuple[int, str]:
    iid = start(world)
    through_scheme(world, iid)
    from tests.processes.test_pilot_lifecycle import act
    act(world, "city_a1", iid, "submit_task_book", creation_start_year=2026, creation_years=3)
    return iid, world.task(iid, "submit_investment_plan").id


# --- rendering -----------------------------------------------------------------------------------

def test_array_table_with_numbers_dates_and_choices(world: World, browser: Callable[[str], Browser]) -> None:
    iid, task_id = to_investment_plan(world)
    html = page(browser("city_a1"), task_id)
    table = field_block(html, "projects")
    # sample data from the lifecycle helper filled one project row: the table shows it, editable
    assert 'name="f-projects-rows"' in table
    assert 'name="f-projects-0-name"' in table and 'name="f-projects-0-amount_wan"' in table
    assert re.search(r'name="f-projects-0-schedule_start"\s+type="date"', table)
    assert 'name="f-projects-0-funding_source"' in table and "银行贷款" in table
    assert 'value="add:projects"' in table and 'value="remove:projects:0"' in table
    assert "重点项目" in table
    notes = field_block(html, "financing_notes")
    assert '<textarea' in notes and 'name="f-financing_notes"' in notes


def test_radio_for_review_decision_and_integer_and_boolean(world: World,
                                                           browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    html = page(browser("prov_a"), world.task(iid, "review_scheme").id)
    decision = field_block(html, "decision")
    assert decision.count('type="radio"') == 3 and 'value="revise"' in decision and "退回修改" in decision
    through = world.task(iid, "review_scheme")
    engine.complete(world.db, through.id, user_id=world.uid("prov_a"), data={"decision": "approve"})
    book = page(browser("city_a1"), world.task(iid, "submit_task_book").id)
    years = field_block(book, "creation_years")
    assert 'inputmode="numeric"' in years and "3–5 年" in years
    # a boolean anywhere in the shipped forms renders as a yes/no pair
    assert field_block(book, "targets").count("<th scope=\"col\">") >= 4


def test_boolean_renders_yes_no_and_parses(app: Flask) -> None:
    from webui.tasks import form_parse
    from webui.tasks import form_render
    schema = {"type": "object", "properties": {"ok": {"type": "boolean", "title": "同意"},
                                               "n": {"type": "integer"}, "x": {"type": "array",
                                                                               "items": {"type": "string"}}}}
    with app.test_request_context():
        fields, _ = form_render.build(schema, {}, {"ok": True, "x": ["a"]})
        assert [f.widget for f in fields] == ["boolean", "integer", "json"]
        assert fields[0].value == "true"
        parsed = form_parse.parse(schema, {}, {"f-ok": "false", "f-n": "１２", "f-x": '["b"]'})
        assert parsed.data == {"ok": False, "n": 12, "x": ["b"]} and not parsed.errors


# --- submit, validation, draft, conflict -----------------------------------------------------------

def test_invalid_submit_keeps_everything_typed_and_shows_message_beside_the_field(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid, task_id = to_investment_plan(world)
    b = browser("city_a1")
    r = submit(b, world, task_id, iid, {"f-projects-rows": "2", "f-projects-0-name": "城市大脑",
                                        "f-projects-0-amount_wan": "abc", "f-projects-0-funding_source": "fiscal",
                                        "f-projects-0-schedule_start": "2026-03-01",
                                        "f-projects-0-schedule_end": "2027-12-31",
                                        "f-projects-1-name": "智慧停车", "f-projects-1-amount_wan": "-5",
                                        "f-financing_notes": "专项债"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    amount = re.search(r'name="f-projects-0-amount_wan"[^>]*value="([^"]*)"', html)
    assert amount and amount.group(1) == "abc"
    assert 'data-field="projects/0/amount_wan"' in html
    assert "城市大脑" in html and "专项债" in html and "2027-12-31" in html
    assert world.task(iid, "submit_investment_plan").state.value == "ready"
    # the number parses now; the engine's own checks come back beside their fields
    r = submit(b, world, task_id, iid, {"f-projects-rows": "1", "f-projects-0-name": "城市大脑",
                                        "f-projects-0-amount_wan": "-5", "f-projects-0-funding_source": "fiscal",
                                        "f-projects-0-schedule_start": "2026-03-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(r'data-field="projects/0/amount_wan">[^<]*0', html)
    assert 'data-field="projects/0/schedule_end"' in html
    assert world.task(iid, "submit_investment_plan").state.value == "ready"


def test_valid_submit_completes_and_goes_to_inbox(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    r = submit(browser("city_a1"), world, task_id, iid, scheme_form())
    assert r.status_code == 302 and r.headers["Location"].endswith("/tasks/")
    assert world.ready_ids(iid) == ["review_scheme"]


def test_add_and_remove_row_keep_what_was_typed(world: World, browser: Callable[[str], Browser]) -> None:
    iid, task_id = to_investment_plan(world)
    b = browser("city_a1")
    base = {"f-projects-rows": "2", "f-projects-0-name": "甲", "f-projects-1-name": "乙",
            "f-projects-1-amount_wan": "x1", "f-financing_notes": "说明"}
    r = b.post(f"/tasks/{task_id}", {**base, "action": "add:projects"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="f-projects-rows" value="3"' in html and "说明" in html
    r = b.post(f"/tasks/{task_id}", {**base, "action": "remove:projects:0"})
    html = r.get_data(as_text=True)
    assert 'name="f-projects-rows" value="1"' in html
    assert re.search(r'name="f-projects-0-name"[^>]*value="乙"', html)
    assert re.search(r'name="f-projects-0-amount_wan"[^>]*value="x1"', html)
    assert world.task(iid, "submit_investment_plan").state.value == "ready"


def test_draft_is_saved_and_restored(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    b = browser("city_a1")
    r = submit(b, world, task_id, iid, {"f-scheme_title": "暂存的方案", "f-objectives": "半成品"}, action="draft")
    assert r.status_code == 302
    row = world.task(iid, "submit_scheme")
    assert row.draft == {"scheme_title": "暂存的方案", "objectives": "半成品"} and row.draft_saved_at is not None
    html = page(b, task_id)
    assert re.search(r'name="f-scheme_title"[^>]*value="暂存的方案"', html) and "半成品" in html
    assert "data-draft" in html
    # another province's reviewer cannot write a draft
    assert submit(browser("prov_b"), world, task_id, iid, {"f-scheme_title": "x"}, action="draft").status_code == 404


def test_stale_version_is_a_conflict_and_changes_nothing(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    stale = version(world, iid) - 1
    r = browser("city_a1").post(f"/tasks/{task_id}", {**scheme_form(scheme_title="我的方案"), "action": "submit",
                                                      "instance_version": stale})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "我的方案" in html
    assert world.ready_ids(iid) == ["submit_scheme"]
    with world.db() as s:
        assert not s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid,
                                                      AuditEvent.action == "task_completed")).all()


# --- attachments ---------------------------------------------------------------------------------

def upload(b: Browser, task_id: str, name: str, content: bytes) -> Any:
    return b.post(f"/tasks/{task_id}/attachments", {"file": (io.BytesIO(content), name)},
                  content_type="multipart/form-data")


def attachments(world: World, iid: int) -> list[Attachment]:
    with world.db() as s:
        return list(s.scalars(select(Attachment).where(Attachment.instance_id == iid).order_by(Attachment.id)))


def test_upload_pdf_and_png_stored_by_hash_and_downloaded(world: World, browser: Callable[[str], Browser],
                                                          storage: Path) -> None:
    import hashlib
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    b = browser("city_a1")
    assert upload(b, task_id, "实施方案.pdf", PDF).status_code == 302
    assert upload(b, task_id, "photo.PNG", PNG).status_code == 302
    rows = attachments(world, iid)
    assert [(a.name, a.content_type, a.round, a.size) for a in rows] == [
        ("实施方案.pdf", "application/pdf", 1, len(PDF)), ("photo.PNG", "image/png", 1, len(PNG))]
    digest = hashlib.sha256(PDF).hexdigest()
    assert rows[0].content_hash == digest and (storage / digest[:2] / digest).read_bytes() == PDF
    html = page(b, task_id)
    assert "实施方案.pdf" in html and f"/tasks/attachments/{rows[0].id}" in html
    r = browser("prov_a").get(f"/tasks/attachments/{rows[0].id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()
    assert browser("prov_b").get(f"/tasks/attachments/{rows[0].id}").status_code == 404
    assert browser("city_a2").get(f"/tasks/attachments/{rows[0].id}").status_code == 404
    with world.db() as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == iid,
                                                         AuditEvent.action == "attachment_uploaded")).all()


def test_upload_keeps_what_was_typed_as_a_draft_or_on_the_refusal_page(world: World,
                                                                        browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    b = browser("city_a1")
    typed = {"instance_version": "1", "f-scheme_title": "我的方案", "f-objectives": "三年建成平台"}
    r = b.post(f"/tasks/{task_id}/attachments", {**typed, "file": (io.BytesIO(EXE), "scheme.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "我的方案" in html and "三年建成平台" in html  # refused file, typed text still on the page
    assert attachments(world, iid) == []
    r = b.post(f"/tasks/{task_id}/attachments", {**typed, "file": (io.BytesIO(PDF), "scheme.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    with world.db() as s:
        draft = s.get(HumanTask, task_id).draft  # type: ignore[union-attr]
    assert draft == {"scheme_title": "我的方案", "objectives": "三年建成平台"}
    assert "三年建成平台" in page(b, task_id)


def test_a_file_chosen_but_not_uploaded_goes_with_submit_and_a_refused_one_stops_it(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    b = browser("city_a1")
    version = engine.get_instance(world.db, iid, user_id=world.uid("admin")).instance_version
    typed = {"instance_version": str(version), "action": "submit", **{f"f-{k}": v for k, v in SCHEME.items()}}
    r = b.post(f"/tasks/{task_id}", {**typed, "file": (io.BytesIO(EXE), "scheme.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and SCHEME["objectives"] in r.get_data(as_text=True)
    assert world.ready_ids(iid) == ["submit_scheme"] and attachments(world, iid) == []  # nothing happened
    r = b.post(f"/tasks/{task_id}", {**typed, "file": (io.BytesIO(PDF), "实施方案.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    assert [(a.name, a.task_id) for a in attachments(world, iid)] == [("实施方案.pdf", task_id)]
    assert "review_scheme" in world.ready_ids(iid)


def test_upload_refusals(world: World, app: Flask, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task_id = world.task(iid, "submit_scheme").id
    b = browser("city_a1")
    r = upload(b, task_id, "scheme.pdf", EXE)
    assert r.status_code == 400 and "is-invalid" in r.get_data(as_text=True)
    r = upload(b, task_id, "scheme.docx", PDF)
    assert r.status_code == 400
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert upload(b, task_id, "方案.docx", buf.getvalue()).status_code == 302
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    r = upload(b, task_id, "big.pdf", PDF + b"0" * 200)
    assert r.status_code == 413 and "100 bytes" in r.get_data(as_text=True).replace("100 字节", "100 bytes")
    assert [a.name for a in attachments(world, iid)] == ["方案.docx"]
    # a reviewer of the province may read the instance but not upload to the city's task
    assert upload(browser("prov_a"), task_id, "x.pdf", PDF).status_code == 403


# --- comments, feedback and revision rounds -------------------------------------------------------

def test_pinned_comment_and_review_shown_beside_field_on_next_round_with_diff(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    city, prov = browser("city_a1"), browser("prov_a")
    first = world.task(iid, "submit_scheme").id
    assert upload(city, first, "v1.pdf", PDF).status_code == 302
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    review = world.task(iid, "review_scheme").id
    html = page(prov, review)
    assert 'value="submit_scheme:objectives"' in html
    r = prov.post(f"/tasks/{review}/comments", {"body": "目标需量化", "field": "submit_scheme:objectives"})
    assert r.status_code == 302
    assert prov.post(f"/tasks/{review}/comments", {"body": "   "}).status_code == 400
    assert prov.post(f"/tasks/{review}/comments", {"body": "x" * 5001}).status_code == 400
    assert prov.post(f"/tasks/{review}/comments", {"body": "x", "field": "submit_scheme:nope"}).status_code == 400
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "请补充保障措施"})
    second = world.task(iid, "submit_scheme")
    assert second.round == 2
    html = page(city, second.id)
    assert 'data-round="2"' in html and "第 2 轮" in html
    objectives = field_block(html, "objectives")
    assert "目标需量化" in objectives and "data-pinned" in objectives
    assert "目标需量化" not in field_block(html, "safeguards")
    assert "请补充保障措施" in html and "退回修改" in html
    # the city revises; the reviewer of round 2 sees old | new for the changed field
    assert upload(city, second.id, "v2.png", PNG).status_code == 302
    engine.claim(world.db, second.id, user_id=world.uid("city_a1"))
    engine.complete(world.db, second.id, user_id=world.uid("city_a1"),
                    data={**SCHEME, "safeguards": "新增资金保障", "revision_notes": "已补充"})
    html = page(prov, world.task(iid, "review_scheme").id)
    row = re.search(r'<tr data-field="safeguards">.*?</tr>', html, re.S)
    assert row, "no diff row for the changed field"
    assert re.search(r'class="diff-old"[^>]*>.*保障措施', row.group(0), re.S)
    assert re.search(r'class="diff-new"[^>]*>.*新增资金保障', row.group(0), re.S)
    assert '<tr data-field="objectives">' not in html  # unchanged: collapsed
    assert "v2.png" in html.split('data-changes-step="submit_scheme"')[1].split("data-full-document")[0]


def test_changes_since_last_round_engine(world: World) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    review = world.task(iid, "review_scheme").id
    assert engine.dossier(world.db, review, user_id=world.uid("prov_a")).changes == []
    world.do("prov_a", iid, "review_scheme", {"decision": "revise", "comment": "改"})
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "objectives": "新目标"})
    review2 = world.task(iid, "review_scheme").id
    changes = engine.dossier(world.db, review2, user_id=world.uid("prov_a")).changes
    assert [(c.bpmn_id, c.old_round, c.new_round) for c in changes] == [("submit_scheme", 1, 2)]
    assert [(f.key, f.old, f.new) for f in changes[0].changed] == [("objectives", "目标", "新目标")]
    with pytest.raises(engine.NotFound):
        engine.dossier(world.db, review2, user_id=world.uid("prov_b"))


def test_table_diff_row_by_row() -> None:
    diff_fields = engine.rounds.diff_fields
    schema = {"properties": {"p": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "amount": {"type": "number"}}}}}}
    out = diff_fields(schema, {}, {"p": [{"name": "a", "amount": 1}]},
                      {"p": [{"name": "a", "amount": 2}, {"name": "b", "amount": 3}]})
    rows = out[0].rows or []
    assert [r.status for r in rows] == ["changed", "added"]
    assert [c for c in rows[0].cells if c[3]] == [("amount", 1, 2, True)]


# --- instructions --------------------------------------------------------------------------------

def test_instructions_markdown_is_sanitized(world: World, browser: Callable[[str], Browser]) -> None:
    bpmn = (DATA / "two_step.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="submit" name="Submit report">',
        '<bpmn:userTask id="submit" name="Submit report"><bpmn:documentation>**Read this** first\n\n'
        '&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror="alert(2)"&gt;</bpmn:documentation>')
    files = {"two_step.bpmn": bpmn.encode(), "submit-schema.json": (DATA / "submit-schema.json").read_bytes(),
             "review-schema.json": (DATA / "review-schema.json").read_bytes()}
    engine.deploy(world.db, list(files.items()), user_id=world.uid("admin"))
    iid = engine.start(world.db, "two_step", user_id=world.uid("city_a1"), pilot_id=world.pilots["A1"])
    html = page(browser("city_a1"), world.task(iid, "submit").id)
    assert "<strong>Read this</strong>" in html
    assert "<script>alert" not in html and "onerror" not in html and "alert(2)" not in html
