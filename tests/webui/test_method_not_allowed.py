"""Every route answers a method it does not take with 405 and an ``Allow`` header naming the
methods it does (RFC 9110), as JSON in the API's error shape under /api/ and as a page elsewhere."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def sample_path(rule: str) -> str:
    """A concrete address for a rule: 1 for ids, the first option of any(...), "x" for text."""
    path = re.sub(r"<any\(([^),]*)[^)]*\):\w+>", r"\1", rule)
    path = re.sub(r"<int:\w+>", "1", path)
    return re.sub(r"<(?:\w+:)?\w+>", "x", path)


def test_every_route_refuses_other_methods_with_allow(app: Flask, client: FlaskClient) -> None:
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        path = sample_path(rule.rule)
        allowed = set(adapter.allowed_methods(path))
        wrong = next((m for m in METHODS if m not in allowed), None)
        if wrong is None:
            continue
        r = client.open(path, method=wrong)
        assert r.status_code == 405, (wrong, path, r.status_code)
        assert {m.strip() for m in r.headers["Allow"].split(",")} == allowed, (wrong, path)
        if path.startswith("/api/"):
            assert r.get_json() == {"error": "method_not_allowed", "message": r.get_json()["message"],
                                    "details": []}, path
        else:
            assert r.mimetype == "text/html", path
        checked += 1
    assert checked > 60  # (every page and endpoint of the app)
