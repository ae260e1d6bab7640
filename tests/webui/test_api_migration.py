"""POST /api/v1/instances/{id}/migrate (dry run and migration) and .../migrate/revert."""
from __future__ import annotations

from typing import Any

import engine
from tests.engine.bpmn_versions import Version
from tests.helpers import World
from tests.webui.conftest import Api

V1 = Version("steps", [("submit", "City"), ("review", "Province")])
V2 = Version("steps", [("submit", "City"), ("precheck", "Province"), ("review", "Province")])
V3 = Version("steps", [("review", "Province")])


def _on_version_1(world: World) -> int:
    V1.deploy(world.db)
    iid = engine.start(world.db, "steps", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    V2.deploy(world.db)
    V3.deploy(world.db)
    return iid


def test_a_dry_run_says_per_instance_whether_it_can_move(api: dict[str, Api], world: World) -> None:
    iid = _on_version_1(world)
    status, body = api["admin"].post(f"/instances/{iid}/migrate", {"to_version": 2})
    assert status == 200
    result: Any = body
    assert (result["dry_run"], result["to_version"]) == (True, 2)
    (verdict,) = result["instances"]
    assert (verdict["can_move"], verdict["from_version"]) == (True, 1)
    assert verdict["added"] == [{"bpmn_id": "precheck", "name": "precheck"}]
    status, body = api["admin"].post(f"/instances/{iid}/migrate", {"to_version": 3, "dry_run": True})
    refused: Any = body
    assert (refused["instances"][0]["can_move"], refused["instances"][0]["reason"]) == (False, "token_in_removed_step")
    assert api["admin"].get(f"/instances/{iid}")[1]["version"] == 1  # type: ignore[index]


def test_migrate_then_revert(api: dict[str, Api], world: World) -> None:
    iid = _on_version_1(world)
    status, body = api["admin"].post(f"/instances/{iid}/migrate", {"to_version": 2, "dry_run": False,
                                                                   "reason": "precheck"})
    assert status == 200 and body["dry_run"] is False  # type: ignore[index]
    assert api["admin"].get(f"/instances/{iid}")[1]["version"] == 2  # type: ignore[index]
    status, body = api["admin"].post(f"/instances/{iid}/migrate/revert", {})
    assert (status, body["version"]) == (200, 1)  # type: ignore[index]
    status, body = api["admin"].post(f"/instances/{iid}/migrate/revert", {})
    assert (status, body["error"]) == (409, "invalid_state")  # type: ignore[index]


def test_a_refused_migration_is_409_with_the_reason(api: dict[str, Api], world: World) -> None:
    iid = _on_version_1(world)
    status, body = api["admin"].post(f"/instances/{iid}/migrate", {"to_version": 3, "dry_run": False})
    assert status == 409
    error: Any = body
    assert error["error"] == "invalid_state"
    assert error["details"] == [{"instance_id": iid, "reason": "token_in_removed_step", "element": "submit"}]


def test_bad_requests(api: dict[str, Api], world: World) -> None:
    iid = _on_version_1(world)
    admin = api["admin"]
    assert admin.post(f"/instances/{iid}/migrate", {})[0] == 400
    assert admin.post(f"/instances/{iid}/migrate", {"to_version": "2"})[0] == 400
    assert admin.post(f"/instances/{iid}/migrate", {"to_version": 2, "dry_run": "no"})[0] == 400
    status, body = admin.post(f"/instances/{iid}/migrate", {"to_version": 9})
    assert (status, body["error"]) == (404, "not_found")  # type: ignore[index]
    assert admin.post("/instances/999999/migrate", {"to_version": 2})[0] == 404


def test_only_admins_migrate(api: dict[str, Api], world: World) -> None:
    iid = _on_version_1(world)
    for who in ("city_a1", "prov_a", "ministry"):
        assert api[who].post(f"/instances/{iid}/migrate", {"to_version": 2})[0] == 403
        assert api[who].post(f"/instances/{iid}/migrate/revert", {})[0] == 403
    assert api["anonymous"].post(f"/instances/{iid}/migrate", {"to_version": 2})[0] == 401
