"""The admin's process pages: the catalogue, one process's history and downloads, the editor on a
version, a draft or a new process, and the editor's JSON endpoints (save, validate, deploy, the
form preview). A refused deploy shows every problem and the live version stays live."""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from tests.conftest import DATA
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in


@pytest.fixture
def admin(browser: Callable[[str], Browser]) -> Browser:
    return browser("admin")


def post_json(me: Browser, path: str, body: object) -> tuple[int, Any]:
    r = me.client.post(path, json=body, headers={"X-CSRFToken": me.csrf("/admin/processes")})
    return r.status_code, r.get_json()


def editor_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.S)
    assert match, "no editor settings on the page"
    return dict(json.loads(match.group(1)))


def test_the_catalogue_lists_live_versions_and_running_instances(admin: Browser, world: World) -> None:
    engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    html = admin.get("/admin/processes").get_data(as_text=True)
    assert 'data-process="pilot_lifecycle"' in html and "国家智慧城市试点创建流程" in html
    assert "版本 1" in html and "1 个在版本 1" in html
    assert "新建流程" in html and "导入 BPMN 文件" in html
    assert 'href="/admin/processes"' in admin.get("/admin/").get_data(as_text=True)  # the section shows


def test_an_empty_catalogue_says_what_to_do(app: Flask, db: sessionmaker[Session]) -> None:
    World.build(db)  # people and pilots, no process deployed
    html = sign_in(app.test_client(), "admin").get("/admin/processes").get_data(as_text=True)
    assert "data-empty" in html and "尚未发布任何流程" in html and "data-process=" not in html


def test_history_downloads_one_file_or_all(admin: Browser) -> None:
    html = admin.get("/admin/processes/pilot_lifecycle").get_data(as_text=True)
    assert 'data-version="1"' in html and "版本历史" in html
    one = admin.get("/admin/processes/pilot_lifecycle/versions/1/files/pilot_lifecycle.bpmn")
    assert one.status_code == 200 and b'id="pilot_lifecycle"' in one.data
    assert "attachment" in one.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/admin/processes/pilot_lifecycle/versions/1/files.zip").data))
    assert {"pilot_lifecycle.bpmn", "star_rating.dmn", "submit_scheme-schema.json"} <= set(archive.namelist())
    assert admin.get("/admin/processes/pilot_lifecycle/versions/9/files.zip").status_code == 404
    assert admin.get("/admin/processes/no_such").status_code == 404


def test_a_version_opens_in_the_editor_with_its_files(admin: Browser) -> None:
    html = admin.get("/admin/processes/pilot_lifecycle/versions/1").get_data(as_text=True)
    config = editor_config(html)
    assert config["main"] == "pilot_lifecycle.bpmn" and config["live_version"] == 1 and config["unsaved"]
    assert "star_rating.dmn" in config["files"] and config["lanes"]["Province"] == "省级审核人"
    assert config["strings"]["Unsaved changes"] != "Unsaved changes"  # translated for the script
    assert "vendor/editor/editor.js" in html and "bpmn.io" not in html.split("<body")[0]


def test_new_process_opens_a_runnable_draft(admin: Browser, world: World) -> None:
    r = admin.post("/admin/processes/new", {"key": "special_inspection", "name": "专项督查"},
                   csrf_from="/admin/processes")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/processes/special_inspection/draft")
    config = editor_config(admin.get("/admin/processes/special_inspection/draft").get_data(as_text=True))
    assert config["main"] == "special_inspection.bpmn" and not config["unsaved"] and config["live_version"] is None
    status, body = post_json(admin, "/admin/processes/special_inspection/validate", {"files": config["files"]})
    assert (status, body["problems"]) == (200, [])
    assert 'data-new-draft="special_inspection"' in admin.get("/admin/processes").get_data(as_text=True)
    again = admin.post("/admin/processes/new", {"key": "special_inspection"}, csrf_from="/admin/processes")
    assert again.status_code == 302 and "已存在" in admin.get("/admin/processes").get_data(as_text=True)


def test_import_opens_any_bpmn_and_refuses_what_is_not(admin: Browser) -> None:
    content = (DATA / "imports" / "signavio_descriptive.bpmn").read_bytes()
    r = admin.post("/admin/processes/import", {"file": (io.BytesIO(content), "inspection.bpmn")},
                   csrf_from="/admin/processes", content_type="multipart/form-data")
    assert r.headers["Location"].endswith("/admin/processes/sid-inspection/draft")
    config = editor_config(admin.get("/admin/processes/sid-inspection/draft").get_data(as_text=True))
    status, body = post_json(admin, "/admin/processes/sid-inspection/validate", {"files": config["files"]})
    assert status == 200 and body["problems"]
    bad = admin.post("/admin/processes/import", {"file": (io.BytesIO(b"<html/>"), "page.bpmn")},
                     csrf_from="/admin/processes", content_type="multipart/form-data")
    assert bad.status_code == 302 and "不是 BPMN 2.0 文件" in admin.get("/admin/processes").get_data(as_text=True)


def test_save_twice_keeps_the_last_and_deploy_makes_a_version(admin: Browser, world: World) -> None:
    files = {n: c.decode() for n, c in engine.read_paths([engine.shipped_processes()])}
    lifecycle = files["pilot_lifecycle.bpmn"]
    files["pilot_lifecycle.bpmn"] = lifecycle.replace("Submit implementation scheme", "Submit scheme")
    assert post_json(admin, "/admin/processes/pilot_lifecycle/draft", {"files": {"x.bpmn": "<a/>"}})[0] == 200
    status, body = post_json(admin, "/admin/processes/pilot_lifecycle/draft", {"files": files, "base_version": 1})
    assert status == 200 and body["saved_by"] == "admin" and body["saved_at"]
    assert engine.drafts.load(world.db, "pilot_lifecycle", user_id=world.uid("admin")).files == files
    status, body = post_json(admin, "/admin/processes/pilot_lifecycle/deploy", {})
    assert status == 200, body
    mine = next(d for d in body["deployed"] if d["key"] == "pilot_lifecycle")
    assert (mine["version"], mine["created"]) == (2, True)
    assert body["live_url"].endswith("/versions/2/files/pilot_lifecycle.bpmn")
    history = engine.catalog.process(world.db, "pilot_lifecycle", user_id=world.uid("admin"))
    assert [(v.number, v.deployed_by) for v in history.versions][0] == (2, "admin") and history.draft is None


def test_a_refused_deploy_lists_every_problem_and_keeps_the_live_version(admin: Browser, world: World) -> None:
    files = {n: c.decode() for n, c in engine.read_paths([engine.shipped_processes()])}
    files["pilot_lifecycle.bpmn"] = files["pilot_lifecycle.bpmn"].replace('name="Province"', 'name="Nobody"')
    del files["star_rating.dmn"]
    post_json(admin, "/admin/processes/pilot_lifecycle/draft", {"files": files, "base_version": 1})
    status, body = post_json(admin, "/admin/processes/pilot_lifecycle/deploy", {})
    assert status == 422 and "仍为当前版本" in body["message"]
    assert {p["element"] for p in body["problems"]} >= {"rate_acceptance"}
    assert all({"file", "element", "line", "message"} <= set(p) for p in body["problems"])
    live = engine.catalog.process(world.db, "pilot_lifecycle", user_id=world.uid("admin"))
    assert [v.number for v in live.versions] == [1]
    iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    assert engine.get_instance(world.db, iid, user_id=world.uid("admin")).version == 1


def test_deploying_without_a_draft_is_404(admin: Browser) -> None:
    assert post_json(admin, "/admin/processes/pilot_lifecycle/deploy", {})[0] == 404


@pytest.mark.parametrize("body", [None, {"files": []}, {"files": {"a.bpmn": 3}}, {"files": {"../a.bpmn": "x"}}])
def test_bad_draft_bodies_are_400(admin: Browser, body: object) -> None:
    assert post_json(admin, "/admin/processes/p/draft", body)[0] == 400


def test_form_preview_renders_with_the_task_page_code(admin: Browser) -> None:
    schema = {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string", "title": "方案名称"}, "ok": {"type": "boolean", "title": "同意"}}}
    r = admin.post("/admin/processes/form-preview", {"schema": json.dumps(schema), "ui": "{}"},
                   csrf_from="/admin/processes")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "data-form-rendered" in html and "方案名称" in html and 'name="f-title"' in html
    for bad in ('{"type": "object"', '{"type": "objekt"}', '{"type": "string"}'):
        html = admin.post("/admin/processes/form-preview", {"schema": bad, "ui": "{}"},
                          csrf_from="/admin/processes").get_data(as_text=True)
        assert "data-form-problem" in html and "data-form-rendered" not in html


def test_discard_throws_the_draft_away(admin: Browser, world: World) -> None:
    post_json(admin, "/admin/processes/pilot_lifecycle/draft", {"files": {"a.bpmn": "<a/>"}})
    r = admin.post("/admin/processes/pilot_lifecycle/draft/discard", csrf_from="/admin/processes")
    assert r.headers["Location"].endswith("/admin/processes/pilot_lifecycle")
    with pytest.raises(engine.NotFound):
        engine.drafts.load(world.db, "pilot_lifecycle", user_id=world.uid("admin"))
