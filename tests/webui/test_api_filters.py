"""Saved filters in the API, bounded pages, 405 with Allow, and the bounds the OpenAPI document
states (ids, pages, required strings) matching what the server checks."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate

import engine
from tests.helpers import World
from tests.webui.conftest import Api
from tests.webui.test_api_records import refused
from webui.api.openapi import document


def test_a_filter_is_saved_listed_applied_and_deleted(api: dict[str, Api], world: World) -> None:
    me = api["prov_a"]
    query = {"scope": "group", "pilot_id": world.pilots["A1"], "overdue": True, "sort": "due", "descending": True}
    status, made = me.post("/saved-filters", {"name": " 宁波逾期 ", "query": query})
    assert status == 201 and made["name"] == "宁波逾期" and made["query"] == query, made
    assert me.get("/saved-filters")[1]["items"] == [made]
    assert api["prov_b"].get("/saved-filters")[1]["items"] == []  # each user sees only their own
    # The list takes the same fields as query parameters.
    status, page = me.get(f"/tasks?scope=group&pilot_id={world.pilots['A1']}&overdue=true&sort=due&descending=true")
    assert status == 200, page
    r = api["prov_b"].call("DELETE", f"/saved-filters/{made['id']}")  # someone else's: as if missing
    refused(r.status_code, r.get_json(), 404)
    assert me.call("DELETE", f"/saved-filters/{made['id']}").status_code == 204
    assert me.get("/saved-filters")[1]["items"] == []
    r = me.call("DELETE", f"/saved-filters/{made['id']}")
    refused(r.status_code, r.get_json(), 404)


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "name"), ({"name": ""}, "name"), ({"name": "  "}, "name"), ({"name": "x" * 101}, "name"),
    ({"name": 3}, "name"),
    ({"name": "x", "query": []}, "query"), ({"name": "x", "query": {"color": "red"}}, "color"),
    ({"name": "x", "query": {"scope": "everything"}}, "scope"), ({"name": "x", "query": {"pilot_id": 0}}, "pilot_id"),
    ({"name": "x", "query": {"sort": "random"}}, "sort")])
def test_bad_filters_are_400_and_save_nothing(api: dict[str, Api], payload: dict[str, Any], field: str) -> None:
    refused(*api["city_a1"].post("/saved-filters", payload), 400, field)
    assert api["city_a1"].get("/saved-filters")[1]["items"] == []


def test_a_second_filter_of_the_same_name_is_refused(api: dict[str, Api]) -> None:
    assert api["city_a1"].post("/saved-filters", {"name": "mine"})[0] == 201
    refused(*api["city_a1"].post("/saved-filters", {"name": "mine", "query": {"scope": "group"}}), 400, "name")
    assert [f["query"] for f in api["city_a1"].get("/saved-filters")[1]["items"]] == [{"scope": "mine"}]


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=100001", "per_page=0", "per_page=201", "page=x"])
@pytest.mark.parametrize("path", ["/tasks", "/instances", "/users"])
def test_pages_out_of_bounds_are_400(api: dict[str, Api], path: str, query: str) -> None:
    status, body = api["admin"].get(f"{path}?{query}")
    refused(status, body, 400, query.partition("=")[0])


def test_the_last_allowed_page_is_answered(api: dict[str, Api]) -> None:
    status, body = api["admin"].get("/instances?page=100000&per_page=200")
    assert status == 200 and body["items"] == [] and body["page"] == 100000, body


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/v1/me", {"GET", "HEAD", "OPTIONS"}),
    ("POST", "/api/v1/tasks/00000000-0000-0000-0000-000000000000/draft", {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}),
    ("PUT", "/api/v1/saved-filters", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("PATCH", "/api/v1/openapi.json", {"GET", "HEAD", "OPTIONS"})])
def test_a_wrong_method_is_405_with_allow_as_json(client: FlaskClient, world: World, method: str, path: str,
                                                  allowed: set[str]) -> None:
    token = engine.users.issue_token(world.db, "prov_a")
    for headers in ({"Authorization": f"Bearer {token}"}, {}):  # signed in or not
        r = client.open(path, method=method, headers=headers)
        assert r.status_code == 405, r.get_data(as_text=True)
        assert {m.strip() for m in r.headers["Allow"].split(",")} == allowed
        assert r.get_json()["error"] == "method_not_allowed" and r.get_json()["details"] == []


def test_a_wrong_method_on_a_page_is_405_with_allow(client: FlaskClient) -> None:
    r = client.put("/login")
    assert r.status_code == 405 and {m.strip() for m in r.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS",
                                                                                          "POST"}
    assert "text/html" in r.headers["Content-Type"]


def _walk(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every (name, schema) of a property or parameter in the document."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "in" in node and "name" in node and "schema" in node:
            found.append((node["name"], node["schema"]))
        for key, value in (node.get("properties") or {}).items():
            if isinstance(value, dict):
                found.append((key, value))
        for key, value in node.items():
            found += _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for item in node:
            found += _walk(item, where)
    return found


def test_the_document_is_valid_openapi_3() -> None:
    validate(document())


def test_every_id_is_bounded_as_the_engine_accepts_it() -> None:
    ids = [(name, s) for name, s in _walk(document()) if name in ("id", "attachment_id", "user_id")
           or name.endswith("_id") and name not in ("task_id", "bpmn_id")]
    assert len(ids) > 30
    for name, schema in ids:
        if schema.get("format") == "uuid":  # a task's id
            assert schema["type"] == "string" and schema["maxLength"] == 36, name
            continue
        assert schema["type"] == "integer" and schema["minimum"] == 1 and schema["maximum"] == engine.MAX_ID, name


def test_pages_and_required_strings_are_bounded() -> None:
    doc = document()
    params = [p for ops in doc["paths"].values() for op in ops.values() for p in op["parameters"]
              if p["name"] in ("page", "per_page")]
    assert params and all(p["schema"]["minimum"] == 1 and isinstance(p["schema"]["maximum"], int) for p in params)
    assert {p["schema"]["maximum"] for p in params} >= {100_000, 200}  # the lists' bounds (webui.params)
    page = doc["components"]["schemas"]["Pilot"]  # (a resource; its lists carry page numbers in range)
    assert page["properties"]["id"]["maximum"] == engine.MAX_ID
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            if not body:
                continue
            schema = body["schema"]
            assert schema["additionalProperties"] is True, (method, path)  # unknown fields are ignored
            for name in schema.get("required", []):
                prop = schema["properties"][name]
                if prop.get("type") == "string" and "enum" not in prop:
                    assert prop["minLength"] >= 1, (method, path, name)
    comment = doc["paths"]["/tasks/{id}/comments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert comment["properties"]["body"]["maxLength"] == engine.comments.MAX_COMMENT_CHARS
    name = doc["components"]["schemas"]["FilterQuery"]
    assert name["additionalProperties"] is False  # the engine refuses unknown filter fields
