"""Odd and hostile input to pages and the API gets a clear 4xx answer, never a server error."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine import users
from tests.helpers import World
from tests.webui.conftest import Browser

HUGE = "9" * 30
BIG = str(2**63)  # one past the largest 64-bit integer (ids are 32-bit: tests/webui/test_id_bounds.py)

API_GETS = [f"/api/v1/instances/{HUGE}", f"/api/v1/instances/{BIG}", f"/api/v1/instances/{BIG}/events",
            f"/api/v1/instances?pilot_id={HUGE}", f"/api/v1/instances?pilot_id={BIG}",
            f"/api/v1/tasks?scope=group&page={HUGE}", f"/api/v1/tasks?scope=group&per_page={HUGE}",
            f"/api/v1/instances?page={BIG}", "/api/v1/tasks?scope=group&page=-1", "/api/v1/tasks/%00",
            "/api/v1/tasks/" + "x" * 5000]
PAGE_GETS = [f"/pilots/{HUGE}", f"/pilots/{BIG}", f"/pilots/1/instances/{HUGE}/diagram.bpmn",
             f"/tasks/?scope=group&pilot_id={HUGE}", f"/tasks/?scope=group&page={HUGE}",
             f"/tasks/?scope=group&page={BIG}", "/tasks/?scope=group&page=100000",
             f"/tasks/?scope=completed&province_id={BIG}", f"/pilots/?province={HUGE}", f"/dashboard/?province={BIG}",
             f"/tasks/attachments/{HUGE}", "/tasks/?scope=%00"]
API_POSTS = [("/api/v1/instances", {"process": "pilot_lifecycle", "pilot_id": 10**30}),
             ("/api/v1/instances", {"process": "pilot_lifecycle", "province_id": -(10**30)}),
             ("/api/v1/instances", {"process": ["x"], "pilot_id": 1}),
             (f"/api/v1/instances/{BIG}/suspend", {"reason": "x"})]


@pytest.mark.parametrize("path", API_GETS)
def test_api_reads_answer_json_without_a_server_error(path: str, world: World, client: FlaskClient) -> None:
    r = client.get(path, headers={"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"})
    assert r.status_code < 500 and r.is_json, (r.status_code, r.get_data(as_text=True)[:200])
    if r.status_code != 200:
        assert r.get_json()["error"]


@pytest.mark.parametrize("path", PAGE_GETS)
def test_pages_answer_4xx_or_a_page(path: str, browser: Callable[[str], Browser]) -> None:
    r = browser("ministry").get(path)
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[-300:])


@pytest.mark.parametrize(("path", "payload"), API_POSTS)
def test_api_writes_with_out_of_range_ids_are_400_or_404(path: str, payload: dict[str, object], world: World,
                                                          client: FlaskClient) -> None:
    r = client.post(path, json=payload, headers={"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"})
    assert r.status_code in (400, 404), (r.status_code, r.get_data(as_text=True)[:200])


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"data": ' * 50_000 + "1" + "}" * 50_000,
                                  "{bad", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")])
def test_unparseable_json_bodies_are_400(body: str, world: World, client: FlaskClient) -> None:
    r = client.post("/api/v1/instances", data=body.encode("utf-8", "surrogatepass"), content_type="application/json",
                    headers={"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"})
    assert r.status_code == 400 and r.get_json()["error"] == "validation_failed", r.get_data(as_text=True)[:200]


def test_nul_characters_are_refused_before_they_reach_the_database(world: World, client: FlaskClient,
                                                                   browser: Callable[[str], Browser]) -> None:
    """PostgreSQL refuses NUL in text columns; such requests are a 400, on SQLite as well."""
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"}
    assert client.get("/api/v1/tasks/%00", headers=headers).status_code in (400, 404)
    r = client.post("/api/v1/instances", json={"process": "pilot\u0000lifecycle", "pilot_id": 1}, headers=headers)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    assert client.post("/login", data={"username": "admin\x00", "password": "x"}).status_code == 400
    me = browser("prov_a")
    assert me.get("/tasks/?scope=group&bpmn_id=%00").status_code == 400
    assert me.get("/pilots/?q=a%00b").status_code == 400
