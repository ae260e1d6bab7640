"""Sign-in and sessions: a new session on sign-in, throttling, idle timeout, deactivation, password
change, API tokens, CSRF on every form, no state change on GET, cookie flags; the profile page."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from config import TestConfig
from engine import queries
from engine import users
from tests.helpers import PASSWORD
from tests.helpers import Clock
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in
from webui import create_app
from webui import extensions

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock session ages are measured on (the wall clock), made movable."""
    moving = Clock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    monkeypatch.setattr(extensions, "session_clock", lambda: moving.now().timestamp())
    return moving


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session opens a page that needs a signed-in user."""
    return client.get("/profile").status_code == 200


def login(client: FlaskClient, username: str, password: str, path: str = "/login") -> tuple[int, str, str]:
    token = Browser(client).csrf("/login")
    r = client.post(path, data={"username": username, "password": password, "csrf_token": token})
    return r.status_code, r.headers.get("Location", ""), r.get_data(as_text=True)


def english(client: FlaskClient) -> None:
    r = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": Browser(client).csrf("/login")})
    assert r.status_code == 302


# --- signing in -----------------------------------------------------------------------------------

def test_signing_in_starts_a_new_session(client: FlaskClient, world: World, app: Flask) -> None:
    client.get("/login")
    before = client.get_cookie("session")
    assert before is not None
    status, location, _ = login(client, "prov_a", PASSWORD)
    assert status == 302 and location == "/tasks/"
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    assert signed_in(client)
    # The pre-sign-in cookie (say, planted by an attacker) does not carry the sign-in.
    planted = app.test_client()
    planted.set_cookie("session", before.value)
    assert not signed_in(planted)


def test_a_wrong_password_or_unknown_user_gets_the_same_message(client: FlaskClient, world: World) -> None:
    english(client)
    pages = []
    for username, password in (("prov_a", "not-the-password"), ("nobody", PASSWORD)):
        status, _, page = login(client, username, password)
        assert status == 200 and not signed_in(client)
        pages.append(re.search(r'id="login-error">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert pages == ["Wrong username or password."] * 2


def test_signing_in_goes_to_a_safe_next_page(client: FlaskClient, world: World) -> None:
    r = client.get("/pilots/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    status, location, _ = login(client, "prov_a", PASSWORD, path=r.headers["Location"])
    assert (status, location) == (302, "/pilots/")
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example/x"):
        fresh = client.application.test_client()
        status, location, _ = login(fresh, "prov_a", PASSWORD, path=f"/login?next={target}")
        assert (status, location) == (302, "/tasks/")


def test_the_language_chosen_before_signing_in_is_kept(client: FlaskClient, world: World) -> None:
    english(client)
    login(client, "prov_a", PASSWORD)
    assert '<html lang="en">' in client.get("/profile").get_data(as_text=True)


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one(client: FlaskClient, world: World,
                                                                   at: Clock) -> None:
    english(client)
    for _ in range(5):
        assert login(client, "prov_a", "not-the-password")[0] == 200
    status, _, page = login(client, "prov_a", PASSWORD)
    assert status == 429 and "Too many failed attempts. Try again after 09:15." in page
    assert not signed_in(client)
    at.advance(minutes=14)
    assert login(client, "prov_a", PASSWORD)[0] == 429
    assert login(client, "prov_b", PASSWORD)[0] == 302  # other accounts are not affected
    client.post("/logout", data={"csrf_token": Browser(client).csrf("/profile")})
    at.advance(minutes=2)
    assert login(client, "prov_a", PASSWORD)[:2] == (302, "/tasks/")


# --- sessions ending -------------------------------------------------------------------------------

def test_an_idle_session_is_signed_out(app: Flask, world: World, wall: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    wall.advance(minutes=29)
    assert me.get("/tasks/").status_code == 200
    wall.advance(minutes=29)  # activity keeps the session alive
    assert me.get("/tasks/").status_code == 200
    wall.advance(minutes=31)
    r = me.get("/tasks/?scope=group")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/tasks/?scope%3Dgroup"
    page = me.get("/login").get_data(as_text=True)
    assert "30" in page and "alert-warning" in page  # the notice says why
    assert not signed_in(me.client)


def test_a_session_ends_after_its_lifetime_however_active(app: Flask, world: World, wall: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    for _ in range(28):  # 28 × 25 minutes = 11 h 40
        wall.advance(minutes=25)
        assert signed_in(me.client)
    wall.advance(minutes=25)
    assert not signed_in(me.client)


def test_api_tokens_are_not_subject_to_the_idle_timeout(client: FlaskClient, world: World, wall: Clock) -> None:
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'prov_a')}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    wall.advance(hours=3)
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200 and r.get_json()["username"] == "prov_a"


def test_an_idle_cookie_session_gets_401_from_the_api(app: Flask, world: World, wall: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    assert me.get("/api/v1/me").status_code == 200
    wall.advance(minutes=45)
    assert me.get("/api/v1/me").status_code == 401


def test_moving_the_engine_clock_does_not_sign_anyone_out(app: Flask, world: World, at: Clock) -> None:
    me = sign_in(app.test_client(), "prov_a")
    at.advance(days=6)  # due dates, timers: the engine's clock, not the session's
    assert signed_in(me.client)


def test_a_deactivated_users_session_stops_working(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    assert signed_in(me.client)
    users.set_active(world.db, "prov_a", False, user_id=engine.SYSTEM)
    r = me.get("/tasks/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    users.set_active(world.db, "prov_a", True, user_id=engine.SYSTEM)
    assert not signed_in(me.client)  # re-activation does not revive old sessions
    assert login(app.test_client(), "prov_a", PASSWORD)[0] == 302


def test_signing_out_ends_the_session(app: Flask, world: World) -> None:
    me = sign_in(app.test_client(), "prov_a")
    r = me.post("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert not signed_in(me.client)


# --- profile: password and token -------------------------------------------------------------------

def test_changing_the_password_ends_other_sessions_but_not_this_one(browser: Callable[[str], Browser],
                                                                    app: Flask, world: World) -> None:
    here, elsewhere = browser("prov_a"), browser("prov_a")
    r = here.post("/profile/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                        "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/profile"
    assert signed_in(here.client)
    assert not signed_in(elsewhere.client)
    assert login(app.test_client(), "prov_a", PASSWORD)[0] == 200
    assert login(app.test_client(), "prov_a", NEW_PASSWORD)[0] == 302


@pytest.mark.parametrize(("entered", "message"), [
    (("not-the-password", NEW_PASSWORD, NEW_PASSWORD), "The current password is wrong."),
    ((PASSWORD, "short-9ch", "short-9ch"), "The new password needs at least 10 characters."),
    ((PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x"), "The two new passwords differ."),
])
def test_a_refused_password_change_says_why_and_changes_nothing(
        browser: Callable[[str], Browser], app: Flask, entered: tuple[str, str, str], message: str) -> None:
    me = browser("prov_a")
    me.post("/language", {"lang": "en", "next": "/profile"})
    current, new, again = entered
    r = me.post("/profile/password", {"current_password": current, "new_password": new, "confirm_password": again})
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert signed_in(me.client)
    assert login(app.test_client(), "prov_a", PASSWORD)[0] == 302


def test_an_api_token_is_shown_once_works_and_replaces_the_previous_one(browser: Callable[[str], Browser]) -> None:
    me = browser("city_a1")
    me.post("/language", {"lang": "en", "next": "/profile"})
    assert "You have no API token yet" in me.get("/profile").get_data(as_text=True)
    r = me.post("/profile/token")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    token = re.search(r'id="new-token" type="text" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert "Authorization: Bearer" in page
    assert token not in me.get("/profile").get_data(as_text=True)  # shown once
    api = me.client.application.test_client()
    r = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.get_json()["username"] == "city_a1"
    second = re.search(r'id="new-token" type="text" value="([^"]+)"',  # type: ignore[union-attr]
                       me.post("/profile/token").get_data(as_text=True)).group(1)
    assert second != token
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    assert "You have an API token" in me.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize(("username", "role", "where"), [
    ("city_a1", "City submitter", "宁波市 (浙江省)"),
    ("prov_a", "Provincial reviewer", "浙江省"),
    ("ministry", "Ministry reviewer", "Nationwide"),
    ("admin", "Administrator", "Nationwide"),
])
def test_the_profile_shows_role_and_jurisdiction(browser: Callable[[str], Browser], username: str, role: str,
                                                 where: str) -> None:
    me = browser(username)
    me.post("/language", {"lang": "en", "next": "/profile"})
    page = me.get("/profile").get_data(as_text=True)
    assert f'id="role">{role}<' in page and f'id="jurisdiction">{where}<' in page
    assert f"<dd class=\"col-sm-8\">{username}</dd>" in page


def test_role_names_are_chinese_by_default(browser: Callable[[str], Browser]) -> None:
    page = browser("prov_a").get("/profile").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and 'id="jurisdiction">浙江省<' in page


# --- CSRF, methods, cookies ------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "data"), [
    ("/logout", {}),
    ("/language", {"lang": "en", "next": "/profile"}),
    ("/profile/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                           "confirm_password": NEW_PASSWORD}),
    ("/profile/token", {}),
])
def test_forms_without_a_csrf_token_are_refused(browser: Callable[[str], Browser], app: Flask, world: World,
                                                path: str, data: dict[str, str]) -> None:
    me = browser("prov_a")
    r = me.client.post(path, data=data)
    assert r.status_code == 400 and "text/html" in r.content_type
    r = me.client.post(path, data={**data, "csrf_token": "forged"})
    assert r.status_code == 400
    assert signed_in(me.client)  # not signed out
    assert '<html lang="zh-CN">' in me.get("/profile").get_data(as_text=True)  # language unchanged
    assert login(app.test_client(), "prov_a", PASSWORD)[0] == 302  # password unchanged
    account = queries.get_user(world.db, world.uid("prov_a"))
    assert account is not None and account.token_hash is None  # no token created


def test_signing_in_without_a_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    r = client.post("/login", data={"username": "prov_a", "password": PASSWORD})
    assert r.status_code == 400 and not signed_in(client)


@pytest.mark.parametrize("path", ["/logout", "/language", "/profile/password", "/profile/token"])
def test_get_never_changes_state(browser: Callable[[str], Browser], path: str) -> None:
    me = browser("prov_a")
    assert me.get(path).status_code == 405
    assert signed_in(me.client)


def session_cookie_header(client: FlaskClient) -> str:
    token = Browser(client).csrf("/login")
    r = client.post("/login", data={"username": "prov_a", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    cookies = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert len(cookies) == 1
    return cookies[0]


def test_the_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, world: World) -> None:
    header = session_cookie_header(client)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert not any(h.startswith("remember_token=") for h in client.get("/tasks/").headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_secure_when_configured(db: sessionmaker[Session], world: World) -> None:
    class HttpsConfig(TestConfig):
        SESSION_COOKIE_SECURE = True

    app = create_app(HttpsConfig)
    app.extensions["schemeflow.db"] = db
    header = session_cookie_header(app.test_client())
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
