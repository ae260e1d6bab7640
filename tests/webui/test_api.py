"""The JSON API as an integrator uses it: tokens, scoping, errors as JSON, OpenAPI."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

import engine
from tests.conftest import DATA
from tests.helpers import PASSWORD
from tests.helpers import World
from tests.webui.conftest import Api

FILES = ["two_step.bpmn", "submit-schema.json", "review-schema.json"]


def upload(api: Api, names: list[str] = FILES, override: dict[str, bytes] | None = None) -> tuple[int, object]:
    data = {"files": [(io.BytesIO((override or {}).get(n, (DATA / n).read_bytes())), n) for n in names]}
    return api.post("/definitions", data=data, content_type="multipart/form-data")


@pytest.fixture
def deployed(api: dict[str, Api]) -> dict[str, Api]:
    status, body = upload(api["admin"])
    assert status == 201, body
    return api


def start(api: dict[str, Api], world: World, pilot: str = "A1") -> int:
    status, body = api["prov_a"].post("/instances", {"process": "two_step", "pilot_id": world.pilots[pilot]})
    assert status == 201, body
    return body["id"]  # type: ignore[index]


def tasks(api: Api, scope: str = "group") -> list[dict]:
    status, body = api.get(f"/tasks?scope={scope}")
    assert status == 200
    return body["items"]  # type: ignore[index]


def test_no_token_is_401_as_json(api: dict[str, Api]) -> None:
    status, body = api["anonymous"].get("/me")
    assert status == 401 and body["error"] == "unauthenticated"  # type: ignore[index]
    r = api["anonymous"].call("PUT", "/tasks/00000000-0000-0000-0000-000000000000/draft", {"data": {}})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_describes_the_user(api: dict[str, Api], world: World) -> None:
    status, body = api["city_a1"].get("/me")
    assert status == 200 and body["role"] == "city" and body["pilot_id"] == world.pilots["A1"]  # type: ignore[index]


def test_pilots_are_scoped_to_the_jurisdiction(api: dict[str, Api]) -> None:
    names = {role: sorted(p["name"] for p in api[role].get("/pilots")[1]["items"])  # type: ignore[index]
             for role in ("city_a1", "prov_a", "prov_b", "ministry")}
    assert names == {"city_a1": ["宁波市"], "prov_a": ["宁波市", "温州市"], "prov_b": ["南平市"],
                     "ministry": ["南平市", "宁波市", "温州市"]}


def test_only_admins_deploy(api: dict[str, Api]) -> None:
    assert upload(api["prov_a"])[0] == 403
    assert upload(api["admin"])[0] == 201
    status, body = upload(api["admin"])
    assert status == 200 and body["created"] is False and body["version"] == 1  # type: ignore[index]
    status, body = api["ministry"].get("/definitions")
    assert ("two_step", 1) in [(d["key"], d["version"]) for d in body["items"]]  # type: ignore[index]


def test_a_bad_upload_is_400_with_one_detail_per_problem(api: dict[str, Api]) -> None:
    status, body = upload(api["admin"], ["two_step.bpmn"])  # forms missing
    assert status == 400 and body["error"] == "invalid_definition"  # type: ignore[index]
    assert {d["element"] for d in body["details"]} == {"submit", "review"}  # type: ignore[index]
    assert all({"file", "element", "line", "message"} <= set(d) for d in body["details"])  # type: ignore[index]


def test_the_lifecycle_through_the_api(deployed: dict[str, Api], world: World) -> None:
    iid = start(deployed, world)
    [task] = tasks(deployed["city_a1"])
    assert task["bpmn_id"] == "submit" and task["instance_id"] == iid and task["lane"] == "City"
    assert tasks(deployed["city_b1"]) == [] and tasks(deployed["city_a2"]) == []
    status, detail = deployed["city_a1"].get(f"/tasks/{task['id']}")
    assert status == 200 and detail["form"]["required"] == ["summary"]  # type: ignore[index]
    assert deployed["city_a1"].post(f"/tasks/{task['id']}/claim")[0] == 200
    assert [t["id"] for t in tasks(deployed["city_a1"], "mine")] == [task["id"]]
    bad = {"data": {"summary": "x", "spent_wan": -1}}
    status, body = deployed["city_a1"].post(f"/tasks/{task['id']}/complete", bad)
    assert status == 400 and sorted(d["field"] for d in body["details"]) == ["spent_wan", "summary"]  # type: ignore[index]
    status, _ = deployed["city_a1"].post(f"/tasks/{task['id']}/complete", {"data": {"summary": "Scheme"}})
    assert status == 200
    assert deployed["city_a1"].post(f"/tasks/{task['id']}/complete", {"data": {"summary": "again"}})[0] == 409
    assert tasks(deployed["city_a1"], "mine") == [] and len(tasks(deployed["city_a1"], "completed")) == 1
    [review] = tasks(deployed["prov_a"])
    assert deployed["prov_b"].get(f"/tasks/{review['id']}")[0] == 404
    assert deployed["prov_a"].post(f"/tasks/{review['id']}/complete", {"data": {"decision": "approve"}})[0] == 200
    status, inst = deployed["admin"].get(f"/instances/{iid}")
    assert inst["state"] == "completed" and inst["tasks"] == []  # type: ignore[index]
    status, events = deployed["prov_a"].get(f"/instances/{iid}/events")
    assert [e["action"] for e in events["items"]][-1] == "instance_completed"  # type: ignore[index]
    assert deployed["prov_b"].get(f"/instances/{iid}/events")[0] == 404


def test_a_token_request_is_one_transaction_its_authentication_included(deployed: dict[str, Api],
                                                                          world: World) -> None:
    iid = start(deployed, world)
    [task] = tasks(deployed["city_a1"])
    began: list[Session] = []

    def count(session: Session, *_args: Any) -> None:
        began.append(session)

    event.listen(Session, "after_begin", count)
    try:
        status, body = deployed["city_a1"].post(f"/tasks/{task['id']}/complete", {"data": {"summary": "Scheme"}})
        listed = tasks(deployed["prov_a"])
    finally:
        event.remove(Session, "after_begin", count)
    assert status == 200 and body["id"] == iid  # type: ignore[index]
    assert [t["bpmn_id"] for t in listed] == ["review"]
    assert len(set(map(id, began))) == 2  # one for the completion, one for the list: no token lookup of its own


def test_a_token_that_names_no_active_user_is_401_on_reads_and_writes(deployed: dict[str, Api],
                                                                      world: World) -> None:
    iid = start(deployed, world)
    [task] = tasks(deployed["city_a1"])
    engine.users.set_active(world.db, "city_a1", False, user_id=engine.SYSTEM)
    status, body = deployed["city_a1"].post(f"/tasks/{task['id']}/complete", {"data": {"summary": "Scheme"}})
    assert status == 401 and body["error"] == "unauthenticated"  # type: ignore[index]
    assert deployed["city_a1"].get("/tasks?scope=group")[0] == 401
    assert deployed["city_a1"].get("/me")[0] == 401
    forged = Api(deployed["city_a1"].client, "not-a-token")
    assert forged.get(f"/instances/{iid}")[0] == 401 and forged.post("/instances", {"process": "two_step"})[0] == 401
    status, inst = deployed["admin"].get(f"/instances/{iid}")
    assert [t["bpmn_id"] for t in inst["tasks"]] == ["submit"]  # type: ignore[index]  # nothing was completed


def test_instances_filter_by_pilot_and_state(deployed: dict[str, Api], world: World) -> None:
    a1, a2 = start(deployed, world, "A1"), start(deployed, world, "A2")
    status, body = deployed["prov_a"].get(f"/instances?pilot_id={world.pilots['A2']}&state=running")
    assert [i["id"] for i in body["items"]] == [a2] and body["total"] == 1  # type: ignore[index]
    assert deployed["prov_b"].get("/instances")[1]["total"] == 0  # type: ignore[index]
    assert deployed["prov_a"].get("/instances?state=bogus")[0] == 400
    assert a1 != a2


def test_admin_actions_need_admin_and_a_reason(deployed: dict[str, Api], world: World) -> None:
    iid = start(deployed, world)
    assert deployed["prov_a"].post(f"/instances/{iid}/suspend", {"reason": "x"})[0] == 403
    assert deployed["admin"].post(f"/instances/{iid}/suspend", {})[0] == 400
    status, body = deployed["admin"].post(f"/instances/{iid}/suspend", {"reason": "audit"})
    assert status == 200 and body["state"] == "suspended"  # type: ignore[index]
    assert deployed["admin"].post(f"/instances/{iid}/suspend", {"reason": "again"})[0] == 409


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]"])
def test_malformed_bodies_are_400(deployed: dict[str, Api], body: bytes) -> None:
    api = deployed["prov_a"]
    r = api.client.post("/api/v1/instances", data=body, headers={**api.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"] == "validation_failed"


def test_unknown_ids_are_404_json(deployed: dict[str, Api]) -> None:
    assert deployed["admin"].get("/instances/999999") == (404, deployed["admin"].get("/instances/999999")[1])
    status, body = deployed["admin"].get("/tasks/nope")
    assert status == 404 and body["error"] == "not_found"  # type: ignore[index]


def login(client: object, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})  # type: ignore[attr-defined]
    assert r.status_code == 302


def test_session_writes_need_csrf(client: object, world: World) -> None:
    login(client, "admin")
    assert client.get("/api/v1/me").get_json()["username"] == "admin"  # type: ignore[attr-defined]
    r = client.post("/api/v1/instances", json={"process": "two_step"})  # type: ignore[attr-defined]
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)


def expand(rule: str) -> list[str]:
    """Flask rule -> OpenAPI paths (any(...) converters become one path per option)."""
    m = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if m:
        return [p for opt in m.group(1).split(",") for p in expand(rule[:m.start()] + opt.strip() + rule[m.end():])]
    return [re.sub(r"<(?:\w+:)?\w+>", "{id}", rule)]


def test_openapi_document_is_valid_and_lists_every_route(app: object, client: object) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()  # type: ignore[attr-defined]
    assert doc["openapi"].startswith("3.0")
    from openapi_spec_validator import validate

    validate(doc)
    routes = {(path, m.lower()) for rule in app.url_map.iter_rules()  # type: ignore[attr-defined]
              if rule.rule.startswith("/api/v1") and rule.rule != "/api/v1/openapi.json"
              for path in expand(rule.rule.removeprefix("/api/v1")) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(re.sub(r"\{\w+\}", "{id}", path), method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented


def test_oversized_definitions_are_refused_as_json_and_deploy_nothing(api: dict[str, Api], app: object) -> None:
    before = api["admin"].get("/definitions")[1]
    # One file over the definition limit is a problem of the deployment (400, the file named) ...
    app.config["MAX_DEFINITION_BYTES"] = 4096  # type: ignore[attr-defined]
    big = (DATA / "two_step.bpmn").read_bytes() + b"<!--" + b"x" * 8192 + b"-->"
    status, body = upload(api["admin"], override={"two_step.bpmn": big})
    assert status == 400, body
    assert {"file": "two_step.bpmn", "message": "file is larger than 4096 bytes"}.items() \
        <= body["details"][0].items()  # type: ignore[index]
    # ... a request over the server's limit is refused before it is read (413).
    app.config["MAX_CONTENT_LENGTH"] = 2048  # type: ignore[attr-defined]
    status, body = upload(api["admin"])
    assert status == 413 and body["error"] == "too_large" and body["message"], body  # type: ignore[index]
    assert api["admin"].get("/definitions")[1] == before
