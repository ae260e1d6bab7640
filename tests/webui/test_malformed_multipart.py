"""Finding: a multipart field named with a trailing backslash (``name="a\\"``) made every POST
route a 500, ``/login`` included. Malformed form bodies are a 400 on every route."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import PASSWORD
from tests.helpers import World
from tests.webui.conftest import Browser

BOUNDARY = "sfboundary"
BODIES = {
    "trailing_backslash": b'--sfboundary\r\nContent-Disposition: form-data; name="a\\"\r\n\r\nv\r\n--sfboundary--\r\n',
    "no_name": b"--sfboundary\r\nContent-Disposition: form-data\r\n\r\nv\r\n--sfboundary--\r\n",
    "file_backslash": (b'--sfboundary\r\nContent-Disposition: form-data; name="f\\"; filename="x.pdf"\r\n\r\n'
                       b"%PDF\r\n--sfboundary--\r\n"),
    "truncated": b'--sfboundary\r\nContent-Disposition: form-data; name="a"\r\n\r\nvvvv',
}


def sample(converter: object) -> object:
    if type(converter).__name__ == "IdConverter":
        return 1
    items = getattr(converter, "items", None)  # <any(a, b):…>
    return sorted(items)[0] if items else "x"


def post_paths(app: Flask) -> list[str]:
    """Every POST route of the app, with sample values for its variable parts."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        values = {name: sample(conv) for name, conv in rule._converters.items()}
        paths.append(app.url_map.bind("localhost").build(rule.endpoint, values, method="POST"))
    return sorted(set(paths))


def multipart(client: FlaskClient, path: str, body: bytes) -> int:
    r = client.post(path, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    return r.status_code


@pytest.mark.parametrize("kind", list(BODIES))
def test_malformed_multipart_is_400_on_every_post_route_without_an_account(app: Flask, world: World,
                                                                            kind: str) -> None:
    paths = post_paths(app)
    assert "/login" in paths and len(paths) > 20
    client = app.test_client()
    answers = {path: multipart(client, path, BODIES[kind]) for path in paths}
    # Refused as malformed (400) or, under the API, as not signed in (401); never a server error.
    assert {p: s for p, s in answers.items() if s not in (400, 401)} == {}
    assert answers["/login"] == 400


def test_malformed_multipart_is_400_for_a_signed_in_user(app: Flask, browser: Callable[[str], Browser]) -> None:
    b = browser("admin")
    answers = {path: multipart(b.client, path, BODIES["trailing_backslash"]) for path in post_paths(app)}
    assert {p: s for p, s in answers.items() if s != 400} == {}
    assert b.client.get("/profile").status_code == 200  # the session is unharmed


def test_a_well_formed_multipart_sign_in_still_works(client: FlaskClient, world: World) -> None:
    token = Browser(client).csrf("/login")
    r = client.post("/login", data={"username": "prov_a", "password": PASSWORD, "csrf_token": token},
                    content_type="multipart/form-data")
    assert r.status_code == 302
