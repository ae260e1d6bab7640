"""Two workers at once on a database of their own (committed for real, as in production): each
due deadline notice is written once, whichever worker wins the task."""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import definitions
from engine import schema
from engine.db import make_engine
from engine.models import Level
from engine.models import Pilot
from engine.models_notify import Notification
from tests.conftest import DATA
from tests.helpers import Clock
from tests.helpers import World


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated database used by this test alone: a SQLite file, or a scratch PostgreSQL database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        eng = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        schema.upgrade(eng)
        yield engine.make_sessionmaker(eng)
        eng.dispose()
        return
    name = f"race_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        schema.upgrade(eng)
        yield engine.make_sessionmaker(eng)
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_two_workers_write_each_overdue_notice_once(fresh_db: sessionmaker[Session], at: Clock) -> None:
    world = World.build(fresh_db)
    engine.deploy(fresh_db, definitions.read_paths([DATA / "two_step.bpmn", DATA / "submit-schema.json",
                                                     DATA / "review-schema.json"]), user_id=engine.SYSTEM)
    with fresh_db.begin() as s:
        pilots = [Pilot(name=f"试点{i}", province_id=world.provinces["A"], level=Level.CITY) for i in range(24)]
        s.add_all(pilots)
    for p in pilots:
        engine.start(fresh_db, "two_step", user_id=world.uid("prov_a"), pilot_id=p.id)
    at.advance(days=11)
    counts: list[int] = []
    workers = [threading.Thread(target=lambda: counts.append(engine.deadlines.send_deadline_notices(
        fresh_db, lead=timedelta(hours=48)))) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sum(counts) == 24
    with fresh_db() as s:
        per_task = s.execute(select(Notification.task_id, Notification.recipient_id, func.count())
                             .where(Notification.kind == engine.NotificationKind.ESCALATED)
                             .group_by(Notification.task_id, Notification.recipient_id)).all()
    assert len(per_task) == 24 * 2 and {n for _, _, n in per_task} == {1}  # prov_a and prov_a2, once each
    assert engine.deadlines.send_deadline_notices(fresh_db, lead=timedelta(hours=48)) == 0
