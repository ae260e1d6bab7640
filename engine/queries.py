"""Read-only views for the web UI and API: instances, their events, one task with its form,
pilots. Every read goes through the access rule; out-of-jurisdiction looks like missing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import lookup
from engine.lookup import Caller
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessDefinition
from engine.models import ProcessVersion
from engine.models import Province
from engine.models import TaskStatus
from engine.models import User


@dataclass
class InstanceView:
    id: int
    process: str
    version: int
    pilot_id: int | None
    province_id: int | None
    state: str
    stage: str | None
    instance_version: int  # the optimistic-lock token: send it back with a completion
    started_at: datetime
    ended_at: datetime | None
    next_timer_at: datetime | None
    error: str | None
    messages: list[dict[str, Any]]
    tasks: list[HumanTask]


def _view(instance: Instance, tasks: list[HumanTask]) -> InstanceView:
    return InstanceView(instance.id, instance.version.definition.key, instance.version.number,
                        instance.pilot_id, instance.province_id, instance.state.value, instance.stage,
                        instance.lock_version, instance.started_at, instance.ended_at, instance.next_timer_at,
                        instance.error, list(instance.waiting_messages or []), tasks)


_READY_TASKS = (select(HumanTask).where(HumanTask.instance_id == bindparam("instance_id"),  # built once
                                        HumanTask.state == TaskStatus.READY).order_by(HumanTask.created_at))


def instance_view(session: Session, instance: Instance) -> InstanceView:
    """An instance with its ready tasks, read in the caller's session (e.g. right after a completion)."""
    return _view(instance, list(session.scalars(_READY_TASKS, {"instance_id": instance.id})))


def get_instance(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> InstanceView:
    """One instance with its ready tasks."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        return instance_view(session, lookup.visible_instance(session, user, instance_id))


def list_instances(db: sessionmaker[Session], *, user_id: Caller, pilot_id: int | None = None,
                   state: str | None = None, process: str | None = None, limit: int = 100,
                   offset: int = 0) -> tuple[list[InstanceView], int]:
    """Instances in the user's jurisdiction, newest first, with the total count."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        stmt = select(Instance).where(access.instance_scope(user))
        if pilot_id is not None:
            stmt = stmt.where(Instance.pilot_id == pilot_id)
        if state:
            stmt = stmt.where(Instance.state == InstanceState(state))
        if process:
            stmt = stmt.join(ProcessVersion).join(ProcessDefinition).where(ProcessDefinition.key == process)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.options(selectinload(Instance.version).selectinload(ProcessVersion.definition))
                               .order_by(Instance.id.desc()).limit(limit).offset(offset)).all()
        return [_view(i, []) for i in rows], total


def instance_events(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> list[AuditEvent]:
    """The audit trail of an instance, oldest first."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        lookup.visible_instance(session, user, instance_id)
        return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                    .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)))


def list_pilots(db: sessionmaker[Session], *, user_id: lookup.Actor) -> list[Pilot]:
    """Pilots in the user's jurisdiction, by province and name."""
    with db() as session:
        return pilots_of(session, lookup.viewer(session, user_id))


def pilots_of(session: Session, user: User) -> list[Pilot]:
    stmt = (select(Pilot).join(Pilot.province).where(access.pilot_scope(user, Pilot.province_id, Pilot.id))
            .options(contains_eager(Pilot.province)).order_by(Pilot.province_id, Pilot.name))  # one statement
    return list(session.scalars(stmt))


def list_provinces(db: sessionmaker[Session], *, user_id: lookup.Actor) -> list[Province]:
    """Provinces the user may filter by: all for nationwide roles, the own one for the others."""
    with db() as session:
        return provinces_of(session, lookup.viewer(session, user_id))


def provinces_of(session: Session, user: User) -> list[Province]:
    stmt = select(Province).order_by(Province.id)
    if user.role not in access.NATIONWIDE:
        stmt = stmt.where(Province.id == user.province_id) if user.province_id is not None else stmt.where(false())
    return list(session.scalars(stmt))


def get_user(db: sessionmaker[Session], user_id: int) -> User | None:
    with db() as session:
        return session.scalar(select(User).where(User.id == user_id)
                              .options(selectinload(User.province), selectinload(User.pilot)))
