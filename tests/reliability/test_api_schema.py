"""Schemathesis drives /api/v1 from its own OpenAPI document against the real app (WSGI, in
process, the test database: SQLite, or PostgreSQL with TEST_DATABASE_URL): requests generated
from every operation's parameters and bodies, as a provincial reviewer and as an administrator,
over pilots with running lifecycles, an attachment, a comment, a draft and a saved filter.

Every response must be no server error, a status the document lists for the operation, of a
documented content type, and with a body that fits the documented schema. Bounded in time: a few
examples per operation and persona, a per-request deadline, no shrinking, under two minutes."""
from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from config import TestConfig
from tests.helpers import World
from webui import create_app
from webui.api.openapi import OPERATIONS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES = 6  # per operation and persona
BUDGET_SECONDS = 120
SCHEME = {"scheme_title": "温州市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def app(db: sessionmaker[Session]) -> Iterator[Flask]:
    app = create_app(TestConfig)
    app.extensions["schemeflow.db"] = db
    yield app


@dataclass
class Seeded:
    tokens: dict[str, str]
    ids: dict[str, list[Any]]  # real ids by the path they are looked up under


@pytest.fixture
def seeded(world: World, app: Flask, tmp_path: Path) -> Seeded:
    """Demo-like data: lifecycles for every pilot (A2's past its first step), with an attachment,
    a comment, a draft and a saved filter; Bearer tokens of a provincial reviewer and an admin."""
    app.config["ATTACHMENT_DIR"] = tmp_path
    db = world.db
    ids = {code: engine.start(db, "pilot_lifecycle", user_id=world.uid(by), pilot_id=world.pilots[code])
           for code, by in (("A1", "prov_a"), ("A2", "prov_a"), ("B1", "prov_b"))}
    first = world.task(ids["A1"], "submit_scheme").id
    att = engine.attachments.add_attachment(db, first, user_id=world.uid("city_a1"), filename="方案.pdf",
                                            content=PDF, directory=tmp_path, max_bytes=1 << 20)
    engine.comments.add_comment(db, first, user_id=world.uid("prov_a"), body="请补充预算明细")
    engine.save_draft(db, first, user_id=world.uid("city_a1"), data={"scheme_title": "草稿"})
    world.do("city_a2", ids["A2"], "submit_scheme", SCHEME)
    fid = engine.saved_filters.save(db, world.uid("prov_a"), "宁波", {"scope": "group", "pilot_id": world.pilots["A1"]})
    tasks = [first, world.task(ids["A2"], "review_scheme").id, world.task(ids["B1"], "submit_scheme").id]
    return Seeded({name: engine.users.issue_token(db, name) for name in ("prov_a", "admin")},
                  {"tasks": tasks, "instances": list(ids.values()), "attachments": [att.id], "saved-filters": [fid],
                   "users": [world.uid("city_a1"), world.uid("prov_b")]})


def document_operations() -> list[tuple[str, str]]:
    return [(method, path) for method, path, *_ in OPERATIONS]


def _runner(operation: Any, headers: dict[str, str], ids: dict[str, list[Any]],
            calls: list[tuple[str, int, float]]) -> Callable[[], None]:
    """A Hypothesis test of one operation: generated requests, half of them aimed at real records
    (a generated id is almost never one)."""
    real = ids.get(operation.path.strip("/").split("/")[0], [])

    @settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), pick=st.sampled_from([None, *real]),
           attachment=st.sampled_from([None, *ids["attachments"]]))
    def run(case: Any, pick: Any, attachment: int | None) -> None:
        params = case.path_parameters or {}
        if pick is not None and "id" in params:
            params["id"] = pick
        if attachment is not None and "attachment_id" in params:
            params["attachment_id"] = attachment
        started = time.monotonic()
        response = case.call(headers=headers, buffered=True)  # read whole: a download closes its file
        calls.append((operation.label, response.status_code, time.monotonic() - started))
        case.validate_response(response, checks=CHECKS)

    return run


def test_the_api_conforms_to_its_own_document(seeded: Seeded, app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(document_operations())
    started, calls = time.monotonic(), []  # type: ignore[var-annotated]
    for persona in ("prov_a", "admin"):
        headers = {"Authorization": f"Bearer {seeded.tokens[persona]}"}
        for operation in operations:
            _runner(operation, headers, seeded.ids, calls)()
    elapsed = time.monotonic() - started
    assert {label for label, _, _ in calls} == {op.label for op in operations}  # every operation was called
    # Not only refusals: the generated requests reach real records and succeed on many operations.
    succeeded = {label for label, status, _ in calls if status < 300}
    assert len(succeeded) >= len(operations) // 2, sorted(succeeded)
    assert elapsed < BUDGET_SECONDS, f"{len(calls)} requests took {elapsed:.0f} s"
