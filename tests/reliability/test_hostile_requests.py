"""(f) A malformed or hostile request to every route the app has — pages, forms and the API —
gets a 4xx (or the page it would get anyway) and changes nothing: wrong types, a huge body, ids
out of range or of another province, broken multipart, hostile ``next`` targets. Sent by an
official of province B at the data of province A, with a valid CSRF token and API token, so
the refusals come from the rules, not from a missing credential."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.routing import Rule

import engine
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from tests.conftest import DATA
from tests.helpers import World
from tests.webui.conftest import Browser
from tests.webui.conftest import app  # noqa: F401  (fixtures used here)
from tests.webui.conftest import browser  # noqa: F401
from tests.webui.conftest import client  # noqa: F401

WRITES = ("POST", "PUT", "PATCH", "DELETE")
HOSTILE_FORM = {"next": "/%09/evil.example/", "decision": ["approve", "reject"], "data": "x" * 200_000,
                "user_id": "1e9", "to_user_id": str(2**31), "reason": "", "page": "-1", "summary": "\u202e" * 50}
HOSTILE_JSON: Any = {"data": [1, 2], "user_id": "x", "pilot_id": 2**63, "instance_version": "9", "name": None}
BROKEN_MULTIPART = (b'--b\r\nContent-Disposition: form-data; name="a\\"\r\n\r\nx\r\n--b--\r\n',
                    "multipart/form-data; boundary=b")


@pytest.fixture
def target(world: World) -> Iterator[dict[str, Any]]:
    """Province A's data: a running instance of the two-step test process, its open task."""
    bpmn = [(n, (DATA / n).read_bytes()) for n in ("two_step.bpmn", "submit-schema.json", "review-schema.json")]
    engine.deploy(world.db, bpmn, user_id=world.uid("admin"))
    iid = engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    yield {"instance": iid, "task": world.ready(iid)[0].id, "pilot": world.pilots["A1"],
           "user": world.uid("city_a1"), "province": world.provinces["A"]}


def url_for_rule(rule: Rule, target: dict[str, Any]) -> list[str]:
    """The rule's address with province A's ids (and, for id converters, also one past the range)."""
    def fill(value_of: Callable[[str, Any], Any]) -> str:
        parts = {name: value_of(name, conv) for name, conv in rule._converters.items()}  # noqa: SLF001
        return rule.build(parts, append_unknown=False)[1]  # type: ignore[index]

    def real(name: str, converter: Any) -> Any:
        if converter.__class__.__name__ == "IdConverter":
            key = next((k for k in ("instance", "pilot", "user", "province") if k in name), None)
            return target[key] if key else 1
        if converter.__class__.__name__ == "AnyConverter":
            return sorted(converter.items)[0]
        return target["task"] if "task" in name else "../..%2f" if name != "lang" else "en"

    urls = [fill(real)]
    if any(c.__class__.__name__ == "IdConverter" for c in rule._converters.values()):  # noqa: SLF001
        urls.append(urls[0].replace(str(target["instance"]), str(engine.MAX_ID + 1), 1))
    return urls


# What the outsider may do to their own account with any body (a new API token, mail settings).
SELF_SERVICE = ("token_issued", "token_revoked", "user_preferences")


def snapshot(world: World) -> tuple[int, int, list[str]]:
    with world.db() as s:
        return (s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_in(SELF_SERVICE)))
                or 0,
                s.scalar(select(func.count()).select_from(Instance)) or 0,
                sorted(f"{t.id}:{t.state}:{t.claimed_by_id}" for t in s.scalars(select(HumanTask))))


def test_every_route_refuses_hostile_requests_and_changes_nothing(app: Flask, world: World,  # noqa: F811
                                                                  browser: Callable[[str], Browser],  # noqa: F811
                                                                  target: dict[str, Any]) -> None:
    outsider = browser("prov_b")
    token = engine.users.issue_token(world.db, "prov_b")
    csrf = outsider.csrf("/profile")
    before = snapshot(world)
    seen: list[tuple[str, str, int]] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):  # signing out would end the test's own session
            continue
        for url in url_for_rule(rule, target):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for response in send(outsider, method, url, csrf, token):
                    seen.append((method, url, response))
    errors = [s for s in seen if s[2] >= 500]
    assert not errors, errors
    assert len(seen) > 300  # every route was tried, several ways
    refused = Counter(status for _, _, status in seen)
    assert refused[404] > 50 and refused[400] > 100 and refused[403] > 10, refused  # by the rules, not by sign-in
    assert snapshot(world) == before  # nothing was written: no audit row, no instance, no task moved


def send(user: Browser, method: str, url: str, csrf: str, token: str) -> list[int]:
    c = user.client
    if method == "GET":
        return [c.get(url + "?next=//evil.example&page=99999999999&pilot_id=2147483648&q=%00").status_code]
    bearer = {"Authorization": f"Bearer {token}"}
    return [c.open(url, method=method, data={**HOSTILE_FORM, "csrf_token": csrf}).status_code,
            c.open(url, method=method, json=HOSTILE_JSON, headers={"X-CSRFToken": csrf}).status_code,
            c.open(url, method=method, data=BROKEN_MULTIPART[0], content_type=BROKEN_MULTIPART[1],
                   headers={"X-CSRFToken": csrf}).status_code,
            c.open(url, method=method, data=b"{" * 5000, content_type="application/json", headers=bearer).status_code,
            c.open(url, method=method, data=b"x" * (3 * 1024 * 1024), content_type="application/octet-stream",
                   headers=bearer).status_code]
