"""The API's user management: GET/POST /users and PATCH /users/{id}, administrators only; every
refusal is the API's error shape, never a 500."""
from __future__ import annotations

from typing import Any

from tests.helpers import World
from tests.webui.conftest import Api


def patch(api: Api, path: str, body: object) -> tuple[int, Any]:
    r = api.client.patch("/api/v1" + path, json=body, headers=api.headers)
    return r.status_code, r.get_json()


def test_list_create_and_patch(api: dict[str, Api], world: World) -> None:
    admin = api["admin"]
    status, listed = admin.get("/users?role=province")
    assert status == 200 and [u["username"] for u in listed["items"]] == ["prov_a", "prov_a2", "prov_b"]
    assert listed["items"][0]["province"] == "浙江省" and listed["items"][0]["active"] is True
    status, created = admin.post("/users", {"username": "li.ting", "password": "first-password-1", "role": "city",
                                            "pilot_id": world.pilots["B1"], "display_name": "李婷"})
    assert status == 201 and (created["pilot"], created["province"]) == ("南平市", "福建省")
    status, moved = patch(admin, f"/users/{created['id']}", {"role": "province", "province_id": world.provinces["A"]})
    assert status == 200 and (moved["role"], moved["province"], moved["pilot_id"]) == ("province", "浙江省", None)
    assert moved["display_name"] == "李婷"  # what the body does not name stays
    status, off = patch(admin, f"/users/{created['id']}", {"active": False})
    assert status == 200 and off["active"] is False


def test_refusals_are_clear(api: dict[str, Api], world: World) -> None:
    admin = api["admin"]
    status, err = admin.post("/users", {"username": "x", "password": "short", "role": "city"})
    assert status == 400 and err["details"][0]["field"] == "password"
    status, err = admin.post("/users", {"username": "x", "password": "long-enough-1", "role": "city"})
    assert status == 400 and err["details"][0]["field"] == "pilot_id"
    status, err = admin.post("/users", {"username": "prov_a", "password": "long-enough-1", "role": "ministry"})
    assert status == 409
    status, err = admin.post("/users", {"username": ["x"], "password": 5, "role": "city"})
    assert status == 400 and {d["field"] for d in err["details"]} == {"username", "password"}
    status, err = patch(admin, f"/users/{world.uid('city_a1')}", {"active": "no"})
    assert status == 400 and err["details"][0]["field"] == "active"
    status, err = patch(admin, f"/users/{world.uid('city_a1')}", {"role": "province", "province_id": 10**12})
    assert status == 400
    assert patch(admin, "/users/999999", {"active": False})[0] == 404
    status, err = patch(admin, f"/users/{world.uid('admin')}", {"role": "ministry"})
    assert status == 400 and err["error"] == "validation_failed"


def test_only_administrators(api: dict[str, Api], world: World) -> None:
    for name in ("city_a1", "prov_a", "ministry"):
        assert api[name].get("/users")[0] == 403
        assert api[name].post("/users", {"username": "n", "password": "long-enough-1", "role": "admin"})[0] == 403
        assert patch(api[name], f"/users/{world.uid(name)}", {"role": "admin"})[0] == 403
    assert api["anonymous"].get("/users")[0] == 401
