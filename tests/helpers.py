"""Test helpers: a movable clock, personas (the World) and task shortcuts."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import definitions
from engine import users
from engine.models import HumanTask
from engine.models import Level
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User

PASSWORD = "Correct-Horse-9"
_HASH = users.HASHER.hash(PASSWORD)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


def reset_postgres(eng: Engine) -> None:
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@dataclass
class World:
    db: sessionmaker[Session]
    users: dict[str, int] = field(default_factory=dict)
    pilots: dict[str, int] = field(default_factory=dict)
    provinces: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, db: sessionmaker[Session], processes: Path | None = None) -> World:
        world = cls(db)
        with db.begin() as s:
            for code, name in (("A", "浙江省"), ("B", "福建省")):
                province = Province(name=name)
                s.add(province)
                s.flush()
                world.provinces[code] = province.id
            for code, name, prov in (("A1", "宁波市", "A"), ("A2", "温州市", "A"), ("B1", "南平市", "B")):
                pilot = Pilot(name=name, province_id=world.provinces[prov], level=Level.CITY, batch_year=2013)
                s.add(pilot)
                s.flush()
                world.pilots[code] = pilot.id
            specs = [("city_a1", Role.CITY, "A", "A1"), ("city_a2", Role.CITY, "A", "A2"),
                     ("city_b1", Role.CITY, "B", "B1"), ("prov_a", Role.PROVINCE, "A", None),
                     ("prov_a2", Role.PROVINCE, "A", None), ("prov_b", Role.PROVINCE, "B", None),
                     ("ministry", Role.MINISTRY, None, None), ("admin", Role.ADMIN, None, None)]
            for name, role, prov, pilot in specs:
                u = User(username=name, role=role, password_hash=_HASH,
                         province_id=world.provinces[prov] if prov else None,
                         pilot_id=world.pilots[pilot] if pilot else None)
                s.add(u)
                s.flush()
                world.users[name] = u.id
        if processes is not None and any(processes.glob("*.bpmn")):
            engine.deploy(db, definitions.read_paths([processes]), user_id=world.users["admin"])
        return world

    def uid(self, name: str) -> int:
        return self.users[name]

    def ready(self, instance_id: int) -> list[HumanTask]:
        with self.db() as s:
            return list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                         HumanTask.state == TaskStatus.READY)
                                  .order_by(HumanTask.created_at, HumanTask.bpmn_id)))

    def ready_ids(self, instance_id: int) -> list[str]:
        return sorted(t.bpmn_id for t in self.ready(instance_id))

    def task(self, instance_id: int, bpmn_id: str) -> HumanTask:
        found = [t for t in self.ready(instance_id) if t.bpmn_id == bpmn_id]
        assert found, f"{bpmn_id} is not ready; ready: {self.ready_ids(instance_id)}"
        return found[0]

    def do(self, user: str, instance_id: int, bpmn_id: str, data: dict[str, Any]) -> HumanTask:
        """Claim and complete a ready task as ``user``."""
        task = self.task(instance_id, bpmn_id)
        engine.claim(self.db, task.id, user_id=self.uid(user))
        engine.complete(self.db, task.id, user_id=self.uid(user), data=data)
        return task

    def instance_state(self, instance_id: int) -> str:
        return engine.get_instance(self.db, instance_id, user_id=self.uid("admin")).state


@contextlib.contextmanager
def statements(db: sessionmaker[Session]) -> Iterator[list[str]]:
    """The SQL statements run on ``db``'s engine inside the block (BEGIN/COMMIT not counted)."""
    seen: list[str] = []
    bind = db.kw["bind"]

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", record)
