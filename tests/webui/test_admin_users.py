"""/admin/users as an administrator uses it: list and filter, create (every problem named, what
was typed kept), edit role and jurisdiction (the user's sessions end), deactivate and reactivate,
reset a password; and nobody else gets in."""
from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from flask import Flask

import engine
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in

Browse = Callable[[str], Browser]


def page(b: Browser, path: str) -> str:
    r = b.get(path)
    assert r.status_code == 200, path
    return unescape(r.get_data(as_text=True))


def test_the_list_shows_everyone_with_role_and_jurisdiction_and_filters(browser: Browse, world: World) -> None:
    admin = browser("admin")
    html = page(admin, "/admin/users")
    for username in ("city_a1", "prov_a", "ministry", "admin"):
        assert f'data-user="{username}"' in html
    assert "宁波市（浙江省）" in html  # a city user's pilot and its province, not ids
    assert 'data-total="8"' in html
    only = page(admin, f"/admin/users?role=province&province={world.provinces['A']}")
    assert re.findall(r'data-user="([^"]+)"', only) == ["prov_a", "prov_a2"]
    nobody = page(admin, "/admin/users?q=nosuchperson")
    assert 'id="empty-state"' in nobody and "没有符合筛选条件的用户" in nobody


def test_an_empty_form_names_every_problem_and_keeps_the_typing(browser: Browse) -> None:
    admin = browser("admin")
    r = admin.post("/admin/users/new", {"username": "", "role": "city", "display_name": "王芳（宁波市）",
                                        "password": "short", "confirm_password": "other"},
                   csrf_from="/admin/users/new")
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 400
    assert "请输入用户名" in html and "请选择该城市申报人所属的试点" in html
    assert "密码至少需要 10 个字符" in html and "两次输入的密码不一致" in html
    assert 'value="王芳（宁波市）"' in html  # what was typed stays
    assert 'aria-invalid="true"' in html and "data-focus-on-load" in html


def test_create_then_the_new_user_signs_in(app: Flask, browser: Browse, world: World) -> None:
    admin = browser("admin")
    r = admin.post("/admin/users/new", {"username": "wangfang", "display_name": "王芳（宁波市智慧办）",
                                        "role": "city", "pilot_id": str(world.pilots["A1"]),
                                        "password": "first-password-1", "confirm_password": "first-password-1"},
                   csrf_from="/admin/users/new")
    assert r.status_code == 302 and "/admin/users/" in r.headers["Location"]
    assert "已创建用户 wangfang" in page(admin, r.headers["Location"])
    newcomer = sign_in(app.test_client(), "wangfang", "first-password-1")
    assert "王芳（宁波市智慧办）" in page(newcomer, "/profile")
    again = admin.post("/admin/users/new", {"username": "wangfang", "role": "ministry",
                                            "password": "first-password-1", "confirm_password": "first-password-1"},
                       csrf_from="/admin/users/new")
    assert again.status_code == 400 and "该用户名已被使用" in unescape(again.get_data(as_text=True))


def test_a_new_jurisdiction_ends_the_users_sessions(app: Flask, browser: Browse, world: World) -> None:
    admin, reviewer = browser("admin"), browser("prov_a")
    uid = world.uid("prov_a")
    r = admin.post(f"/admin/users/{uid}", {"display_name": "周敏", "role": "province", "province": "福建省"},
                   csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 302
    assert reviewer.get("/tasks/").status_code == 302  # signed out: sent to sign in
    moved = engine.user_admin.get_user(world.db, uid, user_id=world.uid("admin"))
    assert (moved.display_name, moved.province_id) == ("周敏", world.provinces["B"])


def test_deactivate_ends_sessions_and_tokens_and_activate_restores_sign_in(app: Flask, browser: Browse,
                                                                           world: World) -> None:
    admin, city = browser("admin"), browser("city_a1")
    token = engine.users.issue_token(world.db, "city_a1")
    uid = world.uid("city_a1")
    r = admin.post(f"/admin/users/{uid}/active", {"active": "0"}, csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 302
    assert "已停用" in page(admin, f"/admin/users/{uid}")
    assert city.get("/tasks/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    admin.post(f"/admin/users/{uid}/active", {"active": "1"}, csrf_from=f"/admin/users/{uid}")
    sign_in(app.test_client(), "city_a1")
    # the old token stays revoked after reactivation
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_administrator_cannot_lock_themselves_out(browser: Browse, world: World) -> None:
    admin, uid = browser("admin"), world.uid("admin")
    r = admin.post(f"/admin/users/{uid}/active", {"active": "0"}, csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 302 and "不能停用自己的账号" in page(admin, f"/admin/users/{uid}")
    r = admin.post(f"/admin/users/{uid}", {"role": "ministry"}, csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 400 and "不能取消自己的管理员角色" in unescape(r.get_data(as_text=True))


def test_password_reset(app: Flask, browser: Browse, world: World) -> None:
    admin, uid = browser("admin"), world.uid("ministry")
    short = admin.post(f"/admin/users/{uid}/password", {"password": "x", "confirm_password": "x"},
                       csrf_from=f"/admin/users/{uid}")
    assert short.status_code == 400 and "密码至少需要 10 个字符" in unescape(short.get_data(as_text=True))
    r = admin.post(f"/admin/users/{uid}/password", {"password": "a-new-pass-99", "confirm_password": "a-new-pass-99"},
                   csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 302
    sign_in(app.test_client(), "ministry", "a-new-pass-99")


@pytest.mark.parametrize("username", ["city_a1", "prov_a", "ministry"])
def test_nobody_else_reaches_the_user_pages(browser: Browse, world: World, username: str) -> None:
    b, uid = browser(username), world.uid("city_b1")
    for path in ("/admin/", "/admin/users", "/admin/users/new", f"/admin/users/{uid}"):
        assert b.get(path).status_code == 403, path
    r = b.post(f"/admin/users/{uid}/active", {"active": "0"})
    assert r.status_code == 403
    assert engine.user_admin.get_user(b.client.application.extensions["schemeflow.db"], uid,
                                      user_id=world.uid("admin")).active
