"""Finding: on PostgreSQL, ids between 2^31 and 2^63-1 passed the id check but overflowed the
32-bit id columns (a 500 on instance, pilot, attachment, diagram and saved-filter routes and on the
pilot_id / province_id filters). Every id is bounded to the column it is compared with, on both
databases: out of range is a 404 for a route, a 400 or an ignored filter for a query parameter."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

import engine
from engine import users
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.test_inbox import Scene
from tests.webui.test_inbox import scene  # noqa: F401 - the fixture

OUT_OF_RANGE = [2**31, 2**32, 2**63 - 1, 2**63]
QUERY_NAMES = {"/tasks/?scope=completed": ("pilot_id", "province_id"), "/pilots/": ("province",),
               "/dashboard/": ("province",), "/admin/instances": ("province", "pilot", "version"),
               "/admin/users": ("province",)}
API_QUERY = {"/api/v1/instances": ("pilot_id", "province_id"), "/api/v1/tasks?scope=group": ("pilot_id",)}


def test_the_id_bound_is_that_of_the_id_columns() -> None:
    # Every id column is a 32-bit Integer (PostgreSQL integer); the bound is the same on SQLite.
    assert engine.MAX_ID == 2**31 - 1


def id_paths(app: Flask, method: str, value: int) -> list[str]:
    """Every route of ``method`` that takes an id, with ``value`` for each id (other parts: samples)."""
    out = []
    for rule in app.url_map.iter_rules():
        convs = rule._converters
        if method not in (rule.methods or ()) or not any(type(c).__name__ == "IdConverter" for c in convs.values()):
            continue
        # Built by hand: the converter itself refuses to build an address with an out-of-range id.
        path = rule.rule
        for name, conv in convs.items():
            part = value if type(conv).__name__ == "IdConverter" else sorted(getattr(conv, "items", ["x"]))[0]
            path = re.sub(rf"<(?:[^<>:]+:)?{name}>", str(part), path)
        out.append(path)
    return sorted(set(out))


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_every_id_route_answers_404_for_an_out_of_range_id(app: Flask, browser: Callable[[str], Browser],
                                                           value: int) -> None:
    b = browser("admin")
    paths = id_paths(app, "GET", value)
    assert any(p.startswith("/pilots/") for p in paths) and any("/api/v1/instances/" in p for p in paths)
    token = users.issue_token(b.client.application.extensions["schemeflow.db"], "admin")
    answers = {p: b.get(p, headers={"Authorization": f"Bearer {token}"} if p.startswith("/api/") else {}).status_code
               for p in paths}
    assert {p: s for p, s in answers.items() if s != 404} == {}


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_every_id_post_route_answers_404_for_an_out_of_range_id(app: Flask, browser: Callable[[str], Browser],
                                                                value: int) -> None:
    b = browser("admin")
    token = b.csrf("/profile")
    answers = {p: b.client.post(p, data={"csrf_token": token}).status_code
               for p in id_paths(app, "POST", value) if not p.startswith("/api/")}
    assert answers and {p: s for p, s in answers.items() if s != 404} == {}


@pytest.mark.parametrize("value", [*OUT_OF_RANGE, -1])
def test_id_filters_out_of_range_are_refused_or_ignored(browser: Callable[[str], Browser], value: int) -> None:
    b = browser("ministry")
    for path, names in QUERY_NAMES.items():
        for name in names:
            r = b.get(f"{path}{'&' if '?' in path else '?'}{name}={value}")
            assert r.status_code in (200, 400, 403), (path, name, r.status_code)


@pytest.mark.parametrize("value", [*OUT_OF_RANGE, -1])
def test_api_id_filters_and_bodies_out_of_range_are_400(app: Flask, world: World, value: int) -> None:
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"}
    client = app.test_client()
    for path, names in API_QUERY.items():
        for name in names:
            r = client.get(f"{path}{'&' if '?' in path else '?'}{name}={value}", headers=headers)
            assert r.status_code in (200, 400, 404), (path, name, r.status_code)
    for key in ("pilot_id", "province_id"):
        r = client.post("/api/v1/instances", json={"process": "pilot_lifecycle", key: value}, headers=headers)
        assert r.status_code in (400, 404), (key, r.status_code, r.get_data(as_text=True)[:200])
    r = client.post("/api/v1/users", json={"username": "x1", "role": "city", "password": "Zq8!mutable-quiet",
                                           "pilot_id": value}, headers=headers)
    assert r.status_code in (400, 404), r.get_data(as_text=True)[:200]


def test_the_largest_id_is_still_an_id(browser: Callable[[str], Browser]) -> None:
    # 2^31-1 fits the column: not found, like any other unknown id.
    b = browser("ministry")
    assert b.get(f"/pilots/{2**31 - 1}").status_code == 404
    # An unknown pilot in the inbox filter is a 400, the same inside and outside the range.
    assert b.get(f"/tasks/?scope=completed&pilot_id={2**31 - 1}").status_code == 400
    assert b.get(f"/tasks/?scope=completed&pilot_id={2**31}").status_code == 400


@pytest.mark.parametrize("raw", [str(2**31), str(2**63), "²", "١٢", "-1", "1e3"])
def test_ids_in_forms_and_queries_are_ascii_digits_in_range(world: World, scene: Scene,  # noqa: F811
                                                            browser: Callable[[str], Browser], raw: str) -> None:
    task = scene.task(world, "a2", "submit")
    reviewer = browser("prov_a")
    r = reviewer.post(f"/tasks/{task}/reassign", {"to_user_id": raw})
    assert r.status_code == 400
    r = reviewer.post("/tasks/saved-filters", {"name": "x", "scope": "group", "pilot_id": raw})
    assert r.status_code in (302, 400)
    assert reviewer.get(f"/tasks/?scope=group&pilot_id={raw}").status_code == 400
    assert reviewer.get(f"/pilots/?province={raw}").status_code == 200  # an unusable filter is ignored
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"}
    assert reviewer.client.get(f"/api/v1/instances?pilot_id={raw}", headers=headers).status_code in (200, 400)


@pytest.mark.parametrize("path", ["/pilots/?province=", "/dashboard/?province=", "/admin/instances?pilot=",
                                  "/admin/users?province="])
def test_an_unusable_id_filter_is_ignored_and_the_page_says_so(browser: Callable[[str], Browser], path: str) -> None:
    r = browser("admin").get(path + str(2**31))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "地址中的一个筛选条件已被忽略：2147483648 不是有效的编号。" in html
