"""Health of a deployment: worker heartbeats, and the checks /healthz and /readyz report
(database reachable, schema at this release's head, a worker seen recently)."""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import schema
from engine.db import transaction
from engine.models import WorkerHeartbeat

# A worker that has not beaten for this long has died without saying so: its row goes.
FORGET_AFTER = timedelta(days=7)


def wall_now() -> datetime:
    # Heartbeats are real time: the engine's clock may be moved (demo, tests of due dates).
    return datetime.now(UTC)


def worker_id() -> str:
    """This process as the heartbeat table names it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(db: sessionmaker[Session], worker: str, started_at: datetime, now: datetime | None = None) -> None:
    """Record that ``worker`` finished a round now; forget workers silent for a week."""
    now = now or wall_now()
    with transaction(db) as session:
        row = session.get(WorkerHeartbeat, worker)
        if row is None:
            session.add(WorkerHeartbeat(worker_id=worker, started_at=started_at, last_beat=now))
        else:
            row.last_beat = now
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_beat < now - FORGET_AFTER))


def stopped(db: sessionmaker[Session], worker: str) -> None:
    """A worker that stops cleanly takes its row with it (so /healthz sees it gone at once)."""
    with transaction(db) as session:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker))


@dataclass(frozen=True)
class Check:
    name: str  # database | migrations | worker
    ok: bool
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failing(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]


def check(db: sessionmaker[Session], *, heartbeat_max_age: int | None, now: datetime | None = None) -> Report:
    """The checks in one short read; ``heartbeat_max_age`` None (or 0) leaves the worker check out.
    A database that cannot be reached fails every check that needs it."""
    now = now or wall_now()
    newest, live = None, 0
    try:
        with db() as session:
            found = schema.status(session.connection())
            if found.at_head and heartbeat_max_age:  # an older schema may not have the table yet
                newest = session.scalar(select(func.max(WorkerHeartbeat.last_beat)))
                live = session.scalar(select(func.count()).select_from(WorkerHeartbeat).where(
                    WorkerHeartbeat.last_beat >= now - timedelta(seconds=heartbeat_max_age))) or 0
    except SQLAlchemyError as exc:
        # The error's class only: the driver's message may name the host, the user or more.
        error = type(getattr(exc, "orig", None) or exc).__name__
        unreachable: dict[str, object] = {"error": "database unreachable"}
        return Report((Check("database", False, {"error": error}), Check("migrations", False, unreachable))
                      + ((Check("worker", False, unreachable),) if heartbeat_max_age else ()))
    checks = [Check("database", True),
              Check("migrations", found.at_head, {"current": list(found.current), "head": list(found.head)})]
    if heartbeat_max_age:
        checks.append(_worker_check(newest, live, heartbeat_max_age, now) if found.at_head else
                      Check("worker", False, {"error": "schema not current"}))
    return Report(tuple(checks))


def _worker_check(newest: datetime | None, live: int, max_age: int, now: datetime) -> Check:
    if newest is None:
        return Check("worker", False, {"error": "no worker heartbeat", "max_age_seconds": max_age})
    age = round(max((now - newest).total_seconds(), 0.0), 1)
    return Check("worker", age <= max_age, {"age_seconds": age, "max_age_seconds": max_age, "live_workers": live})
