"""Two people completing the same task at the same moment: exactly one wins, the other gets a
conflict, and nothing is lost. Runs with real commits on a throwaway database (a temp SQLite
file, or a temp schema on PostgreSQL)."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import definitions
from engine import schema
from engine.db import make_engine
from engine.models import AuditEvent
from tests.conftest import DATA
from tests.conftest import database_url
from tests.helpers import World


@pytest.fixture
def committed_db(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = database_url(tmp_path)
    if url.startswith("postgresql"):
        name = f"conc_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        eng = make_engine(url, connect_args={"options": f"-csearch_path={name}"})
    else:
        eng = make_engine(url)
    schema.upgrade(eng)
    yield engine.make_sessionmaker(eng)
    eng.dispose()
    if url.startswith("postgresql"):
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def test_two_threads_completing_one_task_exactly_one_wins(committed_db: sessionmaker[Session]) -> None:
    world = World.build(committed_db)
    engine.deploy(committed_db, definitions.read_paths([DATA / "two_step.bpmn", DATA / "submit-schema.json",
                                                         DATA / "review-schema.json"]), user_id=engine.SYSTEM)
    iid = engine.start(committed_db, "two_step", user_id=world.uid("admin"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "submit", {"summary": "Scheme"})
    review = world.task(iid, "review")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(user: str, decision: str) -> None:
        barrier.wait()
        try:
            data = {"decision": decision} if decision == "approve" else {"decision": decision, "comment": "no"}
            engine.complete(committed_db, review.id, user_id=world.uid(user), data=data)
            outcomes[user] = "won"
        except engine.ConflictError as exc:  # InvalidState is a ConflictError too (HTTP 409)
            outcomes[user] = exc

    threads = [threading.Thread(target=attempt, args=("prov_a", "approve")),
               threading.Thread(target=attempt, args=("prov_a2", "revise"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(str(type(v).__name__) if v != "won" else "won" for v in outcomes.values()) in (
        ["ConflictError", "won"], ["InvalidState", "won"])
    winner = next(u for u, v in outcomes.items() if v == "won")
    with committed_db() as s:
        completions = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "task_completed", AuditEvent.bpmn_id == "review"))
    assert completions == 1
    expected = "completed" if winner == "prov_a" else "running"
    assert world.instance_state(iid) == expected
