"""The password rule on every form and endpoint that sets one: the profile, the admin's new-user
and reset forms, the API users endpoint and `schemeflow user add`; the reason in Chinese."""
from __future__ import annotations

from collections.abc import Callable
from html import unescape

from flask import Flask

from tests.helpers import PASSWORD
from tests.helpers import World
from tests.webui.conftest import Api
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in

COMMON_ZH = "该密码属于最常见的密码"
USERNAME_ZH = "密码中包含用户名"


def test_the_profile_refuses_a_common_password_and_the_username(browser: Callable[[str], Browser],
                                                                app: Flask) -> None:
    me = browser("prov_a")
    for new, message in (("password12", COMMON_ZH), ("prov_a2026!x", USERNAME_ZH)):
        r = me.post("/profile/password", {"current_password": PASSWORD, "new_password": new,
                                          "confirm_password": new})
        assert r.status_code == 400 and message in unescape(r.get_data(as_text=True))
    sign_in(app.test_client(), "prov_a")  # the password did not change


def test_the_admin_forms_refuse_weak_passwords(browser: Callable[[str], Browser], world: World) -> None:
    admin = browser("admin")
    r = admin.post("/admin/users/new", {"username": "wangfang", "role": "ministry", "password": "wangfang2026",
                                        "confirm_password": "wangfang2026"}, csrf_from="/admin/users/new")
    assert r.status_code == 400 and USERNAME_ZH in unescape(r.get_data(as_text=True))
    r = admin.post("/admin/users/new", {"username": "wangfang", "role": "ministry", "password": "1234567890",
                                        "confirm_password": "1234567890"}, csrf_from="/admin/users/new")
    assert r.status_code == 400 and COMMON_ZH in unescape(r.get_data(as_text=True))
    uid = world.uid("city_a1")
    r = admin.post(f"/admin/users/{uid}/password", {"password": "city_a1-pass", "confirm_password": "city_a1-pass"},
                   csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 400 and USERNAME_ZH in unescape(r.get_data(as_text=True))


def test_the_api_refuses_weak_passwords(api: dict[str, Api], world: World) -> None:
    status, err = api["admin"].post("/users", {"username": "li.ting", "password": "password12", "role": "ministry"})
    assert status == 400 and err["details"][0]["field"] == "password"  # type: ignore[index]
    assert "common" in err["message"]  # type: ignore[index]
