"""The admin console's own reads: the gate every admin page passes, and the overview.

Everything an admin changes goes through the calls that own it (users, definitions, runtime);
each of those checks the administrator itself, so the gate only spares a page the work of
rendering for someone who will be refused anyway.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import lookup
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessDefinition
from engine.models import User


def require_administrator(db: sessionmaker[Session], *, user_id: int) -> None:
    """Forbidden unless the user is an active administrator (the admin area's gate)."""
    with db() as session:
        lookup.administrator(session, user_id)


@dataclass(frozen=True)
class Overview:
    definitions: int
    instances: dict[str, int]  # by state; every state present
    users: int
    active_users: int
    pilots: int

    @property
    def incidents(self) -> int:
        return self.instances.get(InstanceState.ERROR.value, 0)


def overview(db: sessionmaker[Session], *, user_id: int) -> Overview:
    """What the admin home shows: how much there is, and how many instances are in error."""
    with db() as session:
        lookup.administrator(session, user_id)
        by_state = dict(session.execute(select(Instance.state, func.count()).group_by(Instance.state)).all())
        users = dict(session.execute(select(User.active, func.count()).group_by(User.active)).all())
        return Overview(session.scalar(select(func.count()).select_from(ProcessDefinition)) or 0,
                        {s.value: by_state.get(s, 0) for s in InstanceState},
                        sum(users.values()), users.get(True, 0),
                        session.scalar(select(func.count()).select_from(Pilot)) or 0)
