"""Structured logs as an operator reads them: one JSON object a line, the request id on every line
of a request (echoed in X-Request-ID), and no password, token, cookie or query string in any."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask import g
from flask.testing import FlaskClient

from config import TestConfig
from engine import users
from tests.helpers import PASSWORD
from tests.helpers import World
from tests.webui.conftest import Browser
from webui import create_app
from webui import logs


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Every log line written during the test, formatted as in production."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestContext())
    root, request_log = logging.getLogger(), logging.getLogger("schemeflow.request")
    before = request_log.level
    root.addHandler(handler)
    request_log.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    request_log.setLevel(before)


def parsed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]  # every line is one JSON object


def test_request_lines_carry_the_request_id_and_no_secret(app: Flask, client: FlaskClient, world: World,
                                                          lines: io.StringIO) -> None:
    token = users.issue_token(world.db, "prov_a")
    csrf = Browser(client).csrf("/login")
    r = client.post("/login?next=/tasks/&token=query-secret-42", headers={"X-Request-ID": "req-7f3a.1"},
                    data={"username": "prov_a", "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 302 and r.headers["X-Request-ID"] == "req-7f3a.1"
    page = client.get("/profile")  # the signed-in session
    assert page.status_code == 200
    generated = page.headers["X-Request-ID"]
    assert len(generated) == 32 and generated != "req-7f3a.1"
    # A token client (no cookie): its line names the user too, never the token.
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200

    records = parsed(lines)
    sign_in = next(x for x in records if x.get("request_id") == "req-7f3a.1" and x["logger"] == "schemeflow.request")
    assert {k: sign_in[k] for k in ("level", "method", "path", "status")} == {
        "level": "INFO", "method": "POST", "path": "/login", "status": 302}
    assert isinstance(sign_in["duration_ms"], float) and str(sign_in["time"]).endswith("+00:00")
    me = next(x for x in records if x.get("request_id") == generated)
    assert me["path"] == "/profile" and me["user_id"] == world.uid("prov_a")
    by_token = next(x for x in records if x.get("request_id") == api.headers["X-Request-ID"])
    assert by_token["path"] == "/api/v1/me" and by_token["status"] == 200 and by_token["user_id"] == world.uid("prov_a")
    everything = lines.getvalue()
    for secret in (PASSWORD, token, csrf, "query-secret-42", r.headers.get("Set-Cookie", "").split(";")[0]):
        assert secret and secret not in everything, secret


def test_an_insane_request_id_is_replaced(client: FlaskClient) -> None:
    for bad in ("has spaces", "x" * 129, "<script>", "a\u00e9"):
        echoed = client.get("/readyz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert echoed != bad and len(echoed) == 32


def test_lines_written_inside_a_request_get_its_id(app: Flask, lines: io.StringIO) -> None:
    with app.test_request_context("/"):
        g.request_id = "inner-1"
        logging.getLogger("engine.timers").warning("instance %s failed", 7)
    (line,) = parsed(lines)
    assert line == {"time": line["time"], "level": "WARNING", "logger": "engine.timers",
                    "message": "instance 7 failed", "request_id": "inner-1"}


def test_secrets_in_messages_are_blanked() -> None:
    said = logs.redact("connect postgresql+psycopg://sf:pa55word@db/sf failed; password=hunter2 token: abc "
                       "Authorization: Bearer eyJhbGci.x session=deadbeef")
    for secret in ("pa55word", "hunter2", "abc", "eyJhbGci", "deadbeef"):
        assert secret not in said, said
    assert "postgresql+psycopg://sf:[redacted]@db/sf" in said


def test_exceptions_are_one_line_too(lines: io.StringIO) -> None:
    try:
        raise ValueError("token=leaky")
    except ValueError:
        logging.getLogger("schemeflow.worker").exception("job failed")
    (line,) = parsed(lines)
    assert line["level"] == "ERROR" and "ValueError" in str(line["exception"]) and "leaky" not in str(line)


def test_client_address_through_a_trusted_proxy(lines: io.StringIO) -> None:
    class BehindNginx(TestConfig):
        PROXY_HOPS = 1

    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for config in (BehindNginx, TestConfig):
        app = create_app(config)
        app.test_client().get("/readyz", headers=forwarded)
        app.extensions["schemeflow.db"].kw["bind"].dispose()  # its own pool (on PostgreSQL, connections)
    trusted, untrusted = [x["remote_addr"] for x in parsed(lines) if x["logger"] == "schemeflow.request"]
    assert (trusted, untrusted) == ("203.0.113.9", "127.0.0.1")
