"""The authorization matrix, generated from one table: every role x every page and endpoint x
own and other jurisdiction. Allowed means the status below; refused means 403 or 404 with
nothing of the other jurisdiction's pilot in the response."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import attachments
from engine import users
from tests.helpers import World
from tests.webui.conftest import Browser

# One persona per role inside pilot A1's jurisdiction ("own") and, where a role has one, outside.
PERSONAS = {"city/own": "city_a1", "city/other": "city_b1", "province/own": "prov_a", "province/other": "prov_b",
            "ministry/own": "ministry", "admin/own": "admin"}

ALL = dict.fromkeys(PERSONAS, 200)
VIEW = {"city/own": 200, "city/other": 404, "province/own": 200, "province/other": 404,
        "ministry/own": 200, "admin/own": 200}
# submit_scheme is a City task of pilot A1: only its city user may act; others who can see it get 403.
ACT_CITY = {"city/own": 200, "city/other": 404, "province/own": 403, "province/other": 404,
            "ministry/own": 403, "admin/own": 403}
OVERSIGHT = {"city/own": 403, "city/other": 403, "province/own": 200, "province/other": 200,
             "ministry/own": 200, "admin/own": 200}
# Administration is refused by role before anything is looked up, so outsiders get 403 too.
ADMIN_ONLY = {"city/own": 403, "city/other": 403, "province/own": 403, "province/other": 403,
              "ministry/own": 403, "admin/own": 200}
# A provincial reviewer hands a task on within its province (someone is absent); admins anywhere.
REASSIGN = {"city/own": 403, "city/other": 404, "province/own": 200, "province/other": 404,
            "ministry/own": 403, "admin/own": 200}
# Starting a second lifecycle for A1 conflicts (409) for everyone who may start one there.
START = {"city/own": 409, "city/other": 403, "province/own": 409, "province/other": 403,
         "ministry/own": 409, "admin/own": 409}


# A saved filter is its owner's alone (city_a1's here): to anyone else it does not exist.
OWNER = {**dict.fromkeys(PERSONAS, 404), "city/own": 204}


def answered(expected: dict[str, int], status: int) -> dict[str, int]:
    """An API write that succeeds answers 201 (created) or 204 (no content) instead of 200."""
    return {k: status if v == 200 else v for k, v in expected.items()}


def redirected(expected: dict[str, int]) -> dict[str, int]:
    """An HTML form post that succeeds redirects (302) instead of answering 200."""
    return {k: 302 if v == 200 else v for k, v in expected.items()}


@dataclass(frozen=True)
class Row:
    via: str  # "api" (Bearer token) or "page" (signed-in browser session with CSRF token)
    method: str
    path: str
    expected: dict[str, int]
    body: dict[str, object] | None = None


TABLE = [
    Row("api", "GET", "/api/v1/me", ALL),
    Row("api", "GET", "/api/v1/pilots", ALL),
    Row("api", "GET", "/api/v1/definitions", ALL),
    Row("api", "GET", "/api/v1/instances", ALL),
    Row("api", "GET", "/api/v1/instances?pilot_id={pid}", ALL),
    Row("api", "GET", "/api/v1/instances/{iid}", VIEW),
    Row("api", "GET", "/api/v1/instances/{iid}/events", VIEW),
    Row("api", "GET", "/api/v1/tasks?scope=group", ALL),
    Row("api", "GET", "/api/v1/tasks?scope=mine", ALL),
    Row("api", "GET", "/api/v1/tasks?scope=completed", ALL),
    Row("api", "GET", "/api/v1/tasks/{tid}", VIEW),
    Row("api", "POST", "/api/v1/tasks/{tid}/claim", ACT_CITY),
    # Authorization comes before validation: only the city user of A1 gets as far as the empty form.
    Row("api", "POST", "/api/v1/tasks/{tid}/complete", {**ACT_CITY, "city/own": 400}, {"data": {}}),
    Row("api", "POST", "/api/v1/tasks/{tid}/reassign", REASSIGN, {"user_id": "{city}"}),
    Row("api", "POST", "/api/v1/instances/{iid}/suspend", ADMIN_ONLY, {"reason": "matrix"}),
    Row("api", "POST", "/api/v1/instances", START, {"process": "pilot_lifecycle", "pilot_id": "{pid}"}),
    # Migration: the lifecycle has one version: an admin's dry run to version 1 answers "already on it",
    # a revert finds nothing to revert (409).
    Row("api", "POST", "/api/v1/instances/{iid}/migrate", ADMIN_ONLY, {"to_version": 1}),
    Row("api", "POST", "/api/v1/instances/{iid}/migrate/revert", {**ADMIN_ONLY, "admin/own": 409}, {}),
    # Attachments, comments, drafts: reading needs the instance in view, writing the City step itself.
    Row("api", "GET", "/api/v1/tasks/{tid}/attachments", VIEW),
    Row("api", "GET", "/api/v1/instances/{iid}/attachments", VIEW),
    Row("api", "GET", "/api/v1/attachments/{aid}", VIEW),
    Row("api", "POST", "/api/v1/tasks/{tid}/attachments", answered(ACT_CITY, 201), {"file": "scheme.pdf"}),
    Row("api", "DELETE", "/api/v1/tasks/{tid}/attachments/{aid}", answered(ACT_CITY, 204)),
    Row("api", "GET", "/api/v1/tasks/{tid}/comments", VIEW),
    Row("api", "GET", "/api/v1/instances/{iid}/comments", VIEW),
    Row("api", "POST", "/api/v1/tasks/{tid}/comments", answered(VIEW, 201), {"body": "matrix"}),
    Row("api", "GET", "/api/v1/tasks/{tid}/draft", ACT_CITY),
    Row("api", "PUT", "/api/v1/tasks/{tid}/draft", ACT_CITY, {"data": {"scheme_title": "matrix"}}),
    Row("api", "DELETE", "/api/v1/tasks/{tid}/draft", answered(ACT_CITY, 204)),
    Row("api", "GET", "/api/v1/saved-filters", ALL),
    Row("api", "POST", "/api/v1/saved-filters", answered(ALL, 201), {"name": "matrix", "query": {"scope": "group"}}),
    Row("api", "DELETE", "/api/v1/saved-filters/{fid}", OWNER),
    Row("page", "GET", "/admin/", ADMIN_ONLY),
    Row("page", "GET", "/admin/users", ADMIN_ONLY),
    Row("page", "GET", "/admin/users/new", ADMIN_ONLY),
    Row("api", "GET", "/api/v1/users", ADMIN_ONLY),
    Row("page", "GET", "/admin/pilots", ADMIN_ONLY),
    Row("page", "GET", "/admin/pilots?q=宁波", ADMIN_ONLY),
    # The admin's own posts are refused (400): no file, no stashed upload; everyone else's by role (403).
    Row("page", "POST", "/admin/pilots/preview", {**ADMIN_ONLY, "admin/own": 400}),
    Row("page", "POST", "/admin/pilots/import", {**ADMIN_ONLY, "admin/own": 400}, {"digest": "0" * 64,
                                                                                    "filename": "x.csv"}),
    Row("page", "GET", "/admin/indicators", ADMIN_ONLY),
    Row("page", "GET", "/admin/indicators/1.3.1", ADMIN_ONLY),
    Row("page", "POST", "/admin/indicators/1.3.1", redirected(ADMIN_ONLY),
        {"name_zh": "城市公共基础数据库", "name_en": "Urban public basic database", "description": "矩阵",
         "reason": "matrix"}),
    Row("page", "POST", "/admin/indicators/1.3/children", redirected(ADMIN_ONLY),
        {"new-name_zh": "矩阵", "new-name_en": "Matrix", "new-reason": "matrix"}),
    Row("page", "POST", "/admin/indicators/1.3.1/retire", redirected(ADMIN_ONLY), {"retire-reason": "matrix"}),
    Row("page", "GET", "/admin/processes", ADMIN_ONLY),
    Row("page", "GET", "/admin/processes/pilot_lifecycle", ADMIN_ONLY),
    Row("page", "GET", "/admin/processes/pilot_lifecycle/versions/1", ADMIN_ONLY),
    Row("page", "GET", "/admin/processes/pilot_lifecycle/versions/1/files.zip", ADMIN_ONLY),
    Row("page", "GET", "/admin/processes/pilot_lifecycle/versions/1/files/pilot_lifecycle.bpmn", ADMIN_ONLY),
    # No draft is saved: an administrator is told so (404); everyone else is refused first.
    Row("page", "GET", "/admin/processes/pilot_lifecycle/draft", {**ADMIN_ONLY, "admin/own": 404}),
    Row("page", "POST", "/admin/processes/pilot_lifecycle/deploy", {**ADMIN_ONLY, "admin/own": 404}),
    Row("page", "POST", "/admin/processes/pilot_lifecycle/draft/discard", {**ADMIN_ONLY, "admin/own": 404}),
    # The editor's JSON endpoints get a form here, not JSON: an administrator's request is a 400.
    Row("page", "POST", "/admin/processes/pilot_lifecycle/draft", {**ADMIN_ONLY, "admin/own": 400}, {"files": "x"}),
    Row("page", "POST", "/admin/processes/pilot_lifecycle/validate", {**ADMIN_ONLY, "admin/own": 400}, {"files": "x"}),
    Row("page", "POST", "/admin/processes/form-preview", ADMIN_ONLY, {"schema": '{{"type": "object"}}', "ui": "{{}}"}),
    Row("page", "POST", "/admin/processes/new", redirected(ADMIN_ONLY), {"key": "matrix_new", "name": "matrix"}),
    Row("page", "POST", "/admin/processes/import", redirected(ADMIN_ONLY)),
    Row("page", "GET", "/admin/instances", ADMIN_ONLY),
    Row("page", "GET", "/admin/instances/{iid}", ADMIN_ONLY),
    Row("page", "GET", "/admin/instances/migrate?id={iid}&to_version=1", ADMIN_ONLY),
    Row("page", "GET", "/admin/incidents", ADMIN_ONLY),
    Row("page", "POST", "/admin/instances/{iid}/suspend", redirected(ADMIN_ONLY), {"reason": "matrix"}),
    Row("page", "POST", "/admin/instances/{iid}/send-back", redirected(ADMIN_ONLY),
        {"task_id": "{tid}", "reason": "x"}),
    Row("page", "POST", "/admin/instances/migrate", redirected(ADMIN_ONLY), {"id": "{iid}", "to_version": "1"}),
    Row("page", "GET", "/tasks/?scope=mine", ALL),
    Row("page", "GET", "/tasks/?scope=group", ALL),
    Row("page", "GET", "/tasks/?scope=completed", ALL),
    Row("page", "GET", "/tasks/{tid}", VIEW),
    Row("page", "POST", "/tasks/{tid}/claim", redirected(ACT_CITY)),
    Row("page", "POST", "/tasks/{tid}", redirected(ACT_CITY), {"action": "draft"}),
    Row("page", "POST", "/tasks/{tid}/comments", redirected(VIEW), {"body": "matrix"}),
    Row("page", "GET", "/tasks/{tid}/reassign", REASSIGN),
    Row("page", "GET", "/tasks/attachments/{aid}", VIEW),
    Row("page", "GET", "/pilots/", ALL),
    Row("page", "GET", "/pilots/{pid}", VIEW),
    Row("page", "GET", "/pilots/{pid}/instances/{iid}/diagram.bpmn", VIEW),
    Row("page", "GET", "/dashboard/", OVERSIGHT),
    Row("page", "GET", "/dashboard/export.csv?table=stages", OVERSIGHT),
    Row("page", "GET", "/profile", ALL),
    # Public probes (no sign-in needed, see test_health.py): the same answer for everyone.
    Row("page", "GET", "/healthz", ALL),
    Row("page", "GET", "/readyz", ALL),
    Row("api", "GET", "/readyz", ALL),
]

CASES = [pytest.param(row, persona, id=f"{row.method} {row.path} as {persona}")
         for row in TABLE for persona in PERSONAS]


@pytest.fixture
def target(world: World, app: Flask, tmp_path: Path) -> dict[str, str]:
    """Pilot A1 with a running lifecycle whose first task (submit_scheme, City) is ready and has
    an attachment."""
    app.config["ATTACHMENT_DIR"] = tmp_path
    iid = engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    tid = world.task(iid, "submit_scheme").id
    att = attachments.add_attachment(world.db, tid, user_id=world.uid("city_a1"), filename="scheme.pdf",
                                   content=b"%PDF-1.4\n%%EOF\n", directory=tmp_path, max_bytes=1 << 20)
    version = engine.get_instance(world.db, iid, user_id=world.uid("admin")).instance_version
    fid = engine.saved_filters.save(world.db, world.uid("city_a1"), "mine", {"scope": "mine"})
    engine.health.beat(world.db, "matrix:1", engine.health.wall_now())  # a worker is alive: /healthz is 200
    return {"pid": str(world.pilots["A1"]), "iid": str(iid), "tid": tid, "aid": str(att.id),
            "ver": str(version), "city": str(world.uid("city_a1")), "fid": str(fid)}


def fill(value: object, ids: dict[str, str]) -> object:
    if isinstance(value, str):
        formatted = value.format(**ids)
        return int(formatted) if value.startswith("{") and formatted.isdigit() else formatted
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("row", "persona"), CASES)
def test_authorization_matrix(row: Row, persona: str, *, target: dict[str, str], world: World, client: FlaskClient,
                              browser: Callable[[str], Browser]) -> None:
    if persona not in row.expected:
        pytest.fail(f"the table has no expectation for {persona}")
    username = PERSONAS[persona]
    path = str(fill(row.path, target))
    body = fill(row.body, target)
    if row.via == "api":
        headers = {"Authorization": f"Bearer {users.issue_token(world.db, username)}"}
        if isinstance(body, dict) and "file" in body:  # an upload: multipart, one PDF
            r = client.open(path, method=row.method, headers=headers, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), str(body["file"]))})
        else:
            r = client.open(path, method=row.method, json=body if row.method != "GET" else None, headers=headers)
    else:
        me = browser(username)
        r = me.get(path) if row.method == "GET" else me.post(path, body)  # type: ignore[arg-type]
    body_text = r.get_data().decode(errors="replace")  # a download may be binary (a zip)
    r.close()  # a download streams its file until closed
    expected = row.expected[persona]
    assert r.status_code == expected, body_text[-1500:]
    if persona.endswith("/other"):
        text = body_text.replace(path, "")  # the page may echo the address asked for
        assert "宁波市" not in text, "pilot A1's name leaked to another jurisdiction"
        assert target["tid"] not in text, "pilot A1's task id leaked to another jurisdiction"
