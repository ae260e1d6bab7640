"""Finding: signing out did not revoke the session; a cookie copied before sign-out still worked
until its 12-hour limit. Sessions live on the server too (engine.user_sessions): signing out, a
timeout, a deactivation and a password change end them, whatever copy of the cookie exists."""
from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import engine
from engine import users
from engine.models_auth import UserSession
from tests.helpers import PASSWORD
from tests.helpers import Clock
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in
from webui import extensions

NEW_PASSWORD = "a-brand-new-password"


def signed_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (as a thief would)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def rows(world: World, name: str) -> list[UserSession]:
    with world.db() as s:
        return list(s.scalars(select(UserSession).where(UserSession.user_id == world.uid(name))
                              .order_by(UserSession.id)))


def test_a_cookie_copied_before_signing_out_no_longer_works(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    thief = copy_of(app, me.client)
    assert signed_in(thief)  # the copy works while the session is open
    assert me.post("/logout").status_code == 302
    assert not signed_in(thief)
    assert not signed_in(me.client)
    assert [r.end_reason for r in rows(world, "prov_a")] == ["signed_out"]


def test_signing_in_opens_a_server_session_whose_key_is_stored_hashed(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    (row,) = rows(world, "prov_a")
    assert row.ended_at is None and len(row.key_hash) == 64
    with me.client.session_transaction() as cookie:
        key = cookie[extensions.SERVER_SESSION]
    assert key not in row.key_hash and engine.user_sessions.digest(key) == row.key_hash
    assert engine.user_sessions.open_sessions(world.db, world.uid("prov_a")) == 1


def test_signing_out_ends_only_that_session(app: Flask, world: World) -> None:
    here, there = sign_in(app.test_client(), "prov_a"), sign_in(app.test_client(), "prov_a")
    here.post("/logout")
    assert not signed_in(here.client) and signed_in(there.client)


def test_deactivation_ends_every_session_and_reactivation_revives_none(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    thief = copy_of(app, me.client)
    users.set_active(world.db, "prov_a", False, user_id=engine.SYSTEM)
    assert [r.end_reason for r in rows(world, "prov_a")] == ["deactivated"]
    users.set_active(world.db, "prov_a", True, user_id=engine.SYSTEM)
    assert not signed_in(thief) and not signed_in(me.client)


def test_a_password_change_ends_the_other_sessions_and_continues_this_one(app: Flask, world: World) -> None:
    here, elsewhere = sign_in(app.test_client(), "prov_a"), sign_in(app.test_client(), "prov_a")
    thief = copy_of(app, here.client)
    r = here.post("/profile/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                        "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302
    assert signed_in(here.client)
    assert not signed_in(elsewhere.client) and not signed_in(thief)  # the copy from before the change too
    assert engine.user_sessions.open_sessions(world.db, world.uid("prov_a")) == 1


def test_an_admin_password_reset_ends_every_session(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    users.set_password(world.db, "prov_a", NEW_PASSWORD, user_id=engine.SYSTEM)
    assert not signed_in(me.client)
    assert [r.end_reason for r in rows(world, "prov_a")] == ["password_changed"]


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    monkeypatch.setattr(extensions, "session_clock", lambda: moving.now().timestamp())
    return moving


def test_an_idle_timeout_ends_the_server_session(app: Flask, world: World, wall: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    wall.advance(minutes=31)
    assert not signed_in(me.client)
    assert [r.end_reason for r in rows(world, "prov_a")] == ["timed_out"]


def test_a_cookie_without_a_server_session_is_not_signed_in(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    with me.client.session_transaction() as cookie:
        del cookie[extensions.SERVER_SESSION]
    assert not signed_in(me.client)
    me = sign_in(app.test_client(), "prov_a")
    with me.client.session_transaction() as cookie:
        cookie[extensions.SERVER_SESSION] = "guessed"
    assert not signed_in(me.client)


def test_last_seen_is_written_at_most_once_a_minute(app: Flask, world: World, at: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    first = rows(world, "prov_a")[0].last_seen_at
    me.get("/profile")
    assert rows(world, "prov_a")[0].last_seen_at == first
    at.advance(minutes=2)
    me.get("/profile")
    assert rows(world, "prov_a")[0].last_seen_at == at.now()


def test_old_ended_sessions_are_cleared_at_the_next_sign_in(app: Flask, world: World) -> None:
    for _ in range(3):
        sign_in(app.test_client(), "prov_a").post("/logout")
    sign_in(app.test_client(), "prov_a")
    assert [r.ended_at for r in rows(world, "prov_a")] == [None]


# --- throttling through the sign-in page -----------------------------------------------------------

def attempt(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = Browser(client).csrf("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    page = r.get_data(as_text=True)
    return r.status_code, "locked" if "login-error" in page and r.status_code == 429 else str(r.status_code)


def test_an_unknown_username_gets_the_same_answers_as_a_known_one(app: Flask, world: World, at: Clock) -> None:
    known = [attempt(app.test_client(), "prov_a", "not-the-password") for _ in range(6)]
    unknown = [attempt(app.test_client(), "nobody-here", "not-the-password") for _ in range(6)]
    assert known == unknown and [s for s, _ in known] == [200] * 5 + [429]


def test_the_session_check_is_one_indexed_lookup_in_the_users_statement(app: Flask, world: World) -> None:
    """Every browser request loads its user and checks its server session in one statement that
    finds the session by its unique key (no scan of the sessions of everyone)."""
    from sqlalchemy import event
    from sqlalchemy import text

    me = sign_in(app.test_client(), "prov_a")
    me.get("/profile")  # last_seen was written at sign-in: this request writes nothing
    statements: list[str] = []
    bind = world.db.kw["bind"]
    engine_ = bind.engine

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(engine_, "before_cursor_execute", record)
    try:
        assert me.get("/profile").status_code == 200
    finally:
        event.remove(engine_, "before_cursor_execute", record)
    lookups = [s for s in statements if "user_session" in s]
    assert len(lookups) == 1 and "user_account" in lookups[0], lookups
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in statements)
    if engine_.dialect.name == "sqlite":
        with engine_.connect() as conn:
            plan = " | ".join(r[-1] for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT 1 FROM user_session WHERE key_hash = 'x' AND ended_at IS NULL")))
        assert "INDEX uq_user_session_key_hash" in plan or "sqlite_autoindex_user_session" in plan, plan
