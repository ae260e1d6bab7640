"""The API's attachments, comments and task drafts, as an integrator uses them: happy paths,
another province (404), the wrong role (403), bad bodies (400 in the error shape), no CSRF
needed with a token."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from tests.helpers import World
from tests.webui.conftest import Api
from tests.webui.conftest import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}


@pytest.fixture
def lifecycle(world: World, app: Flask, tmp_path: Path) -> tuple[int, str]:
    """A1's lifecycle at its first step, submit_scheme (a City task), with attachments stored in tmp_path."""
    app.config["ATTACHMENT_DIR"] = tmp_path
    iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    return iid, world.task(iid, "submit_scheme").id


def send(api: Api, tid: str, content: bytes = PDF, name: str = "方案.pdf") -> tuple[int, dict]:
    r = api.call("POST", f"/tasks/{tid}/attachments", data={"file": (io.BytesIO(content), name)},
                 content_type="multipart/form-data")
    return r.status_code, r.get_json()


def refused(status: int, body: object, code: int, field: str | None = None) -> None:
    """The API's error shape, with the field named."""
    assert status == code, body
    assert isinstance(body, dict) and body["error"] and body["message"], body
    if field is not None:
        assert field in [d.get("field") for d in body["details"]], body


def test_an_upload_is_listed_downloaded_and_withdrawn(api: dict[str, Api], lifecycle: tuple[int, str]) -> None:
    iid, tid = lifecycle
    status, att = send(api["city_a1"], tid)  # a token client sends no CSRF token
    assert status == 201, att
    assert (att["name"], att["content_type"], att["size"], att["round"]) == ("方案.pdf", "application/pdf", len(PDF), 1)
    for who in ("city_a1", "prov_a", "ministry"):
        assert [a["id"] for a in api[who].get(f"/tasks/{tid}/attachments")[1]["items"]] == [att["id"]]
        assert [a["id"] for a in api[who].get(f"/instances/{iid}/attachments")[1]["items"]] == [att["id"]]
    r = api["prov_a"].call("GET", att["download"].removeprefix("/api/v1"))
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%96%B9%E6%A1%88.pdf" in r.headers["Content-Disposition"]
    r.close()
    assert api["city_a1"].call("DELETE", f"/tasks/{tid}/attachments/{att['id']}").status_code == 204
    assert api["city_a1"].get(f"/tasks/{tid}/attachments")[1]["items"] == []
    assert api["city_a1"].get(f"/attachments/{att['id']}")[0] == 404


def test_a_hostile_file_name_is_cleaned_in_the_download(api: dict[str, Api], lifecycle: tuple[int, str]) -> None:
    _, tid = lifecycle
    status, att = send(api["city_a1"], tid, name='..\\..\\evil;x=1.pdf')
    assert status == 201, att
    r = api["city_a1"].call("GET", f"/attachments/{att['id']}")
    disposition = r.headers["Content-Disposition"]
    r.close()
    assert att["name"] == "evil;x=1.pdf", att
    assert disposition == 'attachment; filename="evil;x=1.pdf"', disposition  # quoted: one parameter


def test_uploads_are_refused_like_on_the_task_page(api: dict[str, Api], lifecycle: tuple[int, str], app: Flask,
                                                   world: World) -> None:
    _, tid = lifecycle
    refused(*send(api["city_a1"], tid, b"just text", "notes.pdf"), 400, "file")  # content is not a PDF
    refused(*send(api["city_a1"], tid, PDF, "scheme.png"), 400, "file")  # content and name disagree
    refused(*send(api["city_a1"], tid, b"", "empty.pdf"), 400, "file")
    limit, app.config["MAX_ATTACHMENT_BYTES"] = app.config["MAX_ATTACHMENT_BYTES"], len(PDF) - 1
    refused(*send(api["city_a1"], tid), 413, "file")
    app.config["MAX_ATTACHMENT_BYTES"] = limit
    r = api["city_a1"].call("POST", f"/tasks/{tid}/attachments", data={"other": "x"},
                            content_type="multipart/form-data")
    refused(r.status_code, r.get_json(), 400, "file")
    refused(*send(api["prov_b"], tid), 404)  # another province's task
    refused(*send(api["ministry"], tid), 403)  # a City step
    assert api["admin"].get(f"/tasks/{tid}/attachments")[1]["items"] == []  # nothing was stored
    assert api["prov_b"].get(f"/tasks/{tid}/attachments")[0] == 404


def test_the_wrong_role_cannot_attach_or_draft_on_a_provincial_step(api: dict[str, Api], world: World,
                                                                    lifecycle: tuple[int, str]) -> None:
    iid, _ = lifecycle
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    review = world.task(iid, "review_scheme").id
    refused(*send(api["city_a1"], review), 403)
    r = api["city_a1"].call("PUT", f"/tasks/{review}/draft", {"data": {"decision": "approve"}})
    refused(r.status_code, r.get_json(), 403)
    refused(*api["city_a1"].get(f"/tasks/{review}/draft"), 403)
    assert api["prov_a"].call("PUT", f"/tasks/{review}/draft", {"data": {}}).status_code == 200


def test_withdrawing_someone_elses_or_a_missing_attachment(api: dict[str, Api], lifecycle: tuple[int, str]) -> None:
    _, tid = lifecycle
    _, att = send(api["city_a1"], tid)
    for who, code in (("prov_b", 404), ("prov_a", 403), ("ministry", 403)):
        r = api[who].call("DELETE", f"/tasks/{tid}/attachments/{att['id']}")
        refused(r.status_code, r.get_json(), code)
    r = api["city_a1"].call("DELETE", f"/tasks/{tid}/attachments/{att['id'] + 1000}")
    refused(r.status_code, r.get_json(), 404)
    assert len(api["city_a1"].get(f"/tasks/{tid}/attachments")[1]["items"]) == 1


def test_comments_are_added_and_listed(api: dict[str, Api], lifecycle: tuple[int, str]) -> None:
    iid, tid = lifecycle
    status, made = api["prov_a"].post(f"/tasks/{tid}/comments", {"body": "  请补充预算明细  "})
    assert status == 201 and made["body"] == "请补充预算明细" and made["field"] is None, made
    status, pinned = api["city_a1"].post(f"/tasks/{tid}/comments",
                                         {"body": "标题已改", "field": "submit_scheme:scheme_title"})
    assert status == 201 and pinned["field"] == "scheme_title" and pinned["bpmn_id"] == "submit_scheme", pinned
    for path in (f"/tasks/{tid}/comments", f"/instances/{iid}/comments"):
        status, page = api["ministry"].get(path)
        assert status == 200 and [c["id"] for c in page["items"]] == [made["id"], pinned["id"]], page
    refused(*api["prov_b"].get(f"/tasks/{tid}/comments"), 404)
    refused(*api["prov_b"].get(f"/instances/{iid}/comments"), 404)
    refused(*api["prov_b"].post(f"/tasks/{tid}/comments", {"body": "x"}), 404)


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "body"), ({"body": "   "}, "body"), ({"body": 5}, "body"), ({"body": "x" * 5001}, "body"),
    ({"body": "x", "field": ["a"]}, "field"), ({"body": "x", "field": "submit_scheme:nope"}, "field")])
def test_bad_comments_are_400_and_add_nothing(api: dict[str, Api], lifecycle: tuple[int, str],
                                              payload: dict[str, object], field: str) -> None:
    iid, tid = lifecycle
    refused(*api["prov_a"].post(f"/tasks/{tid}/comments", payload), 400, field)
    assert api["prov_a"].get(f"/instances/{iid}/comments")[1]["items"] == []


def test_a_draft_is_saved_read_and_discarded(api: dict[str, Api], lifecycle: tuple[int, str],
                                             browser: object) -> None:
    _, tid = lifecycle
    me = api["city_a1"]
    assert me.get(f"/tasks/{tid}/draft") == (200, {"data": None, "saved_at": None})
    r = me.call("PUT", f"/tasks/{tid}/draft", {"data": {"scheme_title": "草稿标题"}})
    assert r.status_code == 200 and r.get_json()["saved_at"], r.get_json()
    status, got = me.get(f"/tasks/{tid}/draft")
    assert status == 200 and got["data"] == {"scheme_title": "草稿标题"}
    page = browser("city_a1").get(f"/tasks/{tid}")  # type: ignore[operator]
    assert page.status_code == 200 and "草稿标题" in page.get_data(as_text=True)
    assert me.call("DELETE", f"/tasks/{tid}/draft").status_code == 204
    assert me.get(f"/tasks/{tid}/draft") == (200, {"data": None, "saved_at": None})
    assert me.call("DELETE", f"/tasks/{tid}/draft").status_code == 204  # nothing to discard: still done
    refused(*api["prov_b"].get(f"/tasks/{tid}/draft"), 404)
    refused(*api["ministry"].get(f"/tasks/{tid}/draft"), 403)
    for who, code in (("prov_b", 404), ("ministry", 403), ("prov_a", 403)):
        r = api[who].call("DELETE", f"/tasks/{tid}/draft")
        refused(r.status_code, r.get_json(), code)


@pytest.mark.parametrize("payload", [None, {}, {"data": [1]}, {"data": "x"}, {"data": None}])
def test_a_draft_needs_an_object(api: dict[str, Api], lifecycle: tuple[int, str], payload: object) -> None:
    _, tid = lifecycle
    r = api["city_a1"].call("PUT", f"/tasks/{tid}/draft", payload)
    refused(r.status_code, r.get_json(), 400, "data" if payload is not None else None)
    assert api["city_a1"].get(f"/tasks/{tid}/draft")[1]["data"] is None


def test_invalid_json_is_a_400(api: dict[str, Api], lifecycle: tuple[int, str]) -> None:
    _, tid = lifecycle
    r = api["city_a1"].call("PUT", f"/tasks/{tid}/draft", data=b"{not json", content_type="application/json")
    refused(r.status_code, r.get_json(), 400)


def test_a_session_write_still_needs_the_csrf_token(app: Flask, world: World, lifecycle: tuple[int, str]) -> None:
    _, tid = lifecycle
    client: FlaskClient = sign_in(app.test_client(), "city_a1").client
    r = client.put(f"/api/v1/tasks/{tid}/draft", json={"data": {}})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf_failed"


@pytest.mark.parametrize("junk", [
    {"scheme_title": {"x": 1}, "objectives": [1, 2], "key_projects": "no", "not_a_field": None},
    {"scheme_title": 5, "objectives": True, "tasks_and_timeline": {"a": [1]}},
    {"scheme_title": 1e308, "objectives": -1e308, "top_level_design": 10**30, "safeguards": ["a", {"b": 1}]}])
def test_a_draft_of_any_shape_still_opens_the_task_page(api: dict[str, Api], lifecycle: tuple[int, str],
                                                        browser: object, junk: dict[str, object]) -> None:
    """A draft is the form as typed so far, complete or not: whatever an API client kept, the
    page shows it (and a submit checks it) instead of failing."""
    _, tid = lifecycle
    assert api["city_a1"].call("PUT", f"/tasks/{tid}/draft", {"data": junk}).status_code == 200
    page = browser("city_a1").get(f"/tasks/{tid}")  # type: ignore[operator]
    assert page.status_code == 200 and 'name="f-scheme_title"' in page.get_data(as_text=True)
