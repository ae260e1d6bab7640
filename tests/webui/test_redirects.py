"""Finding: an open redirect through ``next``. Every target a user supplies is allowed only as a
same-site path; anything else (tabs, CR/LF, backslashes, encoded slashes, scheme-relative or
absolute addresses) goes to the home page, never another site and never a 500."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from tests.helpers import PASSWORD
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import sign_in
from tests.webui.test_inbox import Scene
from tests.webui.test_inbox import scene  # noqa: F401 - the fixture
from webui.redirects import is_local_path

HOSTILE = ["/\t/host.example/", "/%09/host.example/", "/\r\nSet-Cookie: x=1", "/a\r\nLocation: //h.example",
           "//host.example/", "/\\host.example/", "\\\\host.example", "/%2fhost.example", "/%2Fhost.example",
           "/%5chost.example", "/%5Chost.example", "/%252f%252fhost.example", "https://host.example/",
           "http:/host.example", "javascript:alert(1)", "host.example", " //host.example", "/\x00x",
           "/%00x", "/\x7fx", "/\u2028/host.example", "", "/" + "a" * 3000, "/\\/host.example"]
# A NUL anywhere in a request is refused as a whole (400) before any route runs.
WEB_HOSTILE = [t for t in HOSTILE if "\x00" not in unquote(t)]
SAFE = ["/tasks/", "/pilots/3", "/tasks/?scope=group&page=2", "/profile#token", "/pilots/?q=%E5%8C%97"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_not_local_paths(target: str) -> None:
    assert not is_local_path(target)


@pytest.mark.parametrize("target", SAFE)
def test_site_paths_are_local(target: str) -> None:
    assert is_local_path(target)


def _location(r: object) -> str:
    return r.headers.get("Location", "")  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("target", WEB_HOSTILE)
def test_signing_in_with_a_hostile_next_goes_home(client: FlaskClient, world: World, target: str) -> None:
    token = Browser(client).csrf("/login")
    r = client.post("/login?next=" + quote(target, safe=""), data={
        "username": "prov_a", "password": PASSWORD, "csrf_token": token})
    assert (r.status_code, _location(r)) == (302, "/tasks/")


@pytest.mark.parametrize("target", WEB_HOSTILE)
def test_login_page_when_signed_in_with_a_hostile_next_goes_home(client: FlaskClient, world: World,
                                                                 target: str) -> None:
    sign_in(client, "prov_a")
    r = client.get("/login?next=" + quote(target, safe=""))
    assert (r.status_code, _location(r)) == (302, "/tasks/")


def test_the_reported_tab_target_does_not_leave_the_site(client: FlaskClient, world: World) -> None:
    sign_in(client, "prov_a")
    r = client.get("/login?next=/%09/host.example/")
    assert (r.status_code, _location(r)) == (302, "/tasks/")
    r = client.get("/login?next=/%0d%0aX:%20y")
    assert (r.status_code, _location(r)) == (302, "/tasks/")


@pytest.mark.parametrize("target", WEB_HOSTILE[:12])
def test_the_language_switch_refuses_hostile_targets(browser: Callable[[str], Browser],
                                                                      target: str) -> None:
    b = browser("prov_a")
    r = b.post("/language", {"lang": "en", "next": target})
    assert (r.status_code, _location(r)) == (302, "/tasks/")


@pytest.mark.parametrize("target", WEB_HOSTILE[:12])
def test_the_inbox_buttons_refuse_hostile_targets(world: World, scene: Scene,  # noqa: F811
                                                  browser: Callable[[str], Browser], target: str) -> None:
    task = scene.task(world, "a2", "submit")
    b = browser("city_a2")
    for action in ("claim", "unclaim"):
        r = b.post(f"/tasks/{task}/{action}", {"next": target})
        assert (r.status_code, _location(r)) == (302, "/tasks/")


def test_a_safe_next_is_kept(client: FlaskClient, world: World) -> None:
    token = Browser(client).csrf("/login")
    r = client.post("/login?next=" + quote("/pilots/?q=1", safe=""), data={
        "username": "prov_a", "password": PASSWORD, "csrf_token": token})
    assert (r.status_code, _location(r)) == (302, "/pilots/?q=1")
