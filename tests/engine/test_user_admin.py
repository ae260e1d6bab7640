"""engine.user_admin and the administrator's user calls: filters, edits audited with before and
after, the rules that keep an administrator from locking themselves out, SYSTEM for the CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import engine
from engine.models import AuditEvent
from tests.helpers import World


def test_list_filters_and_pages(world: World) -> None:
    admin = world.uid("admin")
    everyone = engine.user_admin.list_users(world.db, user_id=admin)
    assert everyone.total == 8 and [u.username for u in everyone.items] == sorted(world.users)
    q = engine.user_admin.UserQuery(role="city", per_page=2)
    first = engine.user_admin.list_users(world.db, user_id=admin, query=q)
    assert first.total == 3 and [u.username for u in first.items] == ["city_a1", "city_a2"]
    q.page = 2
    assert [u.username for u in engine.user_admin.list_users(world.db, user_id=admin, query=q).items] == ["city_b1"]
    found = engine.user_admin.list_users(world.db, user_id=admin, query=engine.user_admin.UserQuery(search="PROV_A"))
    assert [u.username for u in found.items] == ["prov_a", "prov_a2"]  # case-insensitive, part of the name
    with pytest.raises(engine.Forbidden):
        engine.user_admin.list_users(world.db, user_id=world.uid("ministry"))


def test_update_is_audited_and_ends_sessions_only_when_rights_change(world: World) -> None:
    admin, uid = world.uid("admin"), world.uid("prov_a")
    before = engine.user_admin.get_user(world.db, uid, user_id=admin).session_version
    engine.user_admin.update_user(world.db, uid, user_id=admin, display_name="周敏", role="province", province="浙江省")
    assert engine.user_admin.get_user(world.db, uid, user_id=admin).session_version == before  # a name only
    engine.user_admin.update_user(world.db, uid, user_id=admin, display_name="周敏", role="city",
                                  pilot_id=world.pilots["A2"])
    moved = engine.user_admin.get_user(world.db, uid, user_id=admin)
    assert (moved.role.value, moved.pilot_id, moved.province_id) == ("city", world.pilots["A2"], world.provinces["A"])
    assert moved.session_version == before + 1
    with world.db() as s:
        rows = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "user_updated").order_by(AuditEvent.id)))
    assert [r.actor_id for r in rows] == [admin, admin]
    assert rows[1].data_before["role"] == "province" and rows[1].data_after["pilot_id"] == world.pilots["A2"]


def test_jurisdiction_is_required_for_city_and_province_roles(world: World) -> None:
    admin = world.uid("admin")
    with pytest.raises(engine.InvalidData) as err:
        engine.user_admin.update_user(world.db, world.uid("ministry"), user_id=admin, display_name=None, role="city")
    assert err.value.reason == "city_user_needs_pilot"
    with pytest.raises(engine.InvalidData) as err:
        engine.users.create_user(world.db, "newreviewer", "province", "long-enough-1", user_id=admin,
                                 province="火星省")
    assert err.value.reason == "reviewer_needs_province"


def test_an_administrator_keeps_their_own_access(world: World) -> None:
    admin = world.uid("admin")
    with pytest.raises(engine.InvalidData) as err:
        engine.user_admin.update_user(world.db, admin, user_id=admin, display_name=None, role="ministry")
    assert err.value.reason == "self_demotion"
    with pytest.raises(engine.InvalidData) as err:
        engine.users.set_active(world.db, "admin", False, user_id=admin)
    assert err.value.reason == "self_deactivation"
    engine.users.set_active(world.db, "admin", False, user_id=engine.SYSTEM)  # the CLI may


def test_only_administrators_create_and_reset(world: World) -> None:
    for name in ("ministry", "prov_a", "city_a1"):
        with pytest.raises(engine.Forbidden):
            engine.users.create_user(world.db, "x" + name, "ministry", "long-enough-1", user_id=world.uid(name))
        with pytest.raises(engine.Forbidden):
            engine.users.set_password(world.db, "city_b1", "long-enough-1", user_id=world.uid(name))
    created = engine.users.create_user(world.db, "cli_user", "ministry", "long-enough-1", user_id=engine.SYSTEM)
    with world.db() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "user_created").order_by(AuditEvent.id.desc()))
    assert created.username == "cli_user" and event is not None and event.actor_id is None
