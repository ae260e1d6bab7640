"""The page frame: sign-in lands on the inbox, the language switch, error pages."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from engine.errors import ConflictError
from tests.helpers import World
from tests.webui.conftest import Browser

ROOT = Path(__file__).resolve().parents[2]


def test_pages_are_chinese_by_default_and_switch_to_english(browser: Callable[[str], Browser]) -> None:
    me = browser("city_a1")
    page = me.get("/tasks/?scope=mine").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    r = me.post("/language", {"lang": "en", "next": "/tasks/?scope=group"})
    assert r.status_code == 302 and r.headers["Location"] == "/tasks/?scope=group"
    assert '<html lang="en">' in me.get("/tasks/?scope=mine").get_data(as_text=True)


def test_the_language_switch_never_redirects_off_site(browser: Callable[[str], Browser]) -> None:
    me = browser("city_a1")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = me.post("/language", {"lang": "en", "next": target})
        assert r.headers["Location"] == "/tasks/"


def test_an_unknown_page_is_a_404_page_and_an_unknown_api_path_is_json(client: FlaskClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.content_type
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code in (401, 404) and r.is_json


def english_browser(browser: Callable[[str], Browser], username: str) -> Browser:
    me = browser(username)
    me.post("/language", {"lang": "en", "next": "/profile"})
    return me


def test_a_403_page_explains_and_offers_a_way_back(browser: Callable[[str], Browser]) -> None:
    r = english_browser(browser, "city_a1").get("/dashboard/")
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and "text/html" in r.content_type
    assert "You do not have access to this page" in page
    assert "ask your administrator to check your role and jurisdiction" in page
    assert 'href="/tasks/"' in page and "Back to my tasks" in page


def test_a_404_page_for_an_unknown_or_out_of_jurisdiction_pilot(browser: Callable[[str], Browser],
                                                                world: World) -> None:
    me = english_browser(browser, "city_a1")
    for path in ("/pilots/999999", f"/pilots/{world.pilots['B1']}"):
        r = me.get(path)
        page = r.get_data(as_text=True)
        assert r.status_code == 404 and "Page not found" in page
        assert "outside your jurisdiction" in page


def test_a_409_page_says_to_reload_and_that_nothing_was_saved(app: Flask, browser: Callable[[str], Browser]) -> None:
    def clash() -> str:
        raise ConflictError("the task was completed by prov_a2 a moment ago")

    app.add_url_rule("/test-conflict", view_func=clash)
    r = english_browser(browser, "prov_a").get("/test-conflict")
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "text/html" in r.content_type
    assert "Someone else changed this first" in page and "Nothing you entered was saved" in page
    assert "the task was completed by prov_a2" not in page  # the engine's English never reaches a page


def test_error_pages_for_signed_out_visitors_point_to_sign_in(client: FlaskClient) -> None:
    page = client.get("/no-such-page").get_data(as_text=True)
    assert 'href="/login"' in page and "/tasks/" not in page


def test_every_interface_string_has_a_chinese_translation(tmp_path: Path) -> None:
    """Extract the strings from the code and templates now: each needs a Chinese msgstr with
    the same placeholders (a new string without one would show in English)."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as f:
        wanted = [m.id for m in read_po(f) if m.id]
    with (ROOT / "webui/translations/zh_Hans_CN/LC_MESSAGES/messages.po").open("rb") as f:
        zh = {m.id: m.string for m in read_po(f) if m.id}
    assert len(wanted) > 100
    untranslated = [m for m in wanted if not zh.get(m)]
    assert untranslated == []
    placeholder = re.compile(r"%\(\w+\)s")

    def fits(msgid: Any, msgstr: Any) -> bool:  # a plural has one Chinese form for all numbers
        forms = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        wanted_names = sorted(placeholder.findall(msgid[-1] if isinstance(msgid, tuple) else msgid))
        return all(sorted(placeholder.findall(form)) == wanted_names for form in forms)

    assert [m for m in wanted if not fits(m, zh[m])] == []


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/login", "/api/v1/openapi.json", "/no-such-page"):
        r = client.get(path)
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client: FlaskClient) -> None:
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/login").get_data(
        as_text=True)
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r.headers["Location"] == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
