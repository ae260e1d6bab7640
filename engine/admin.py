"""The admin console's own reads: the gate every admin page passes, the overview, the instance
list and one instance's operations page, and the incidents.

Everything an admin changes goes through the calls that own it (users, definitions, runtime);
each of those checks the administrator itself, so the gate only spares a page the work of
rendering for someone who will be refused anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import lookup
from engine import migration
from engine import operations
from engine.lookup import Caller
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessDefinition
from engine.models import ProcessVersion
from engine.models import TaskStatus
from engine.models import User


def require_administrator(db: sessionmaker[Session], *, user_id: Caller) -> None:
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


def overview(db: sessionmaker[Session], *, user_id: Caller) -> Overview:
    """What the admin home shows: how much there is, and how many instances are in error."""
    with db() as session:
        lookup.administrator(session, user_id)
        by_state = dict(session.execute(select(Instance.state, func.count()).group_by(Instance.state)).all())
        users = dict(session.execute(select(User.active, func.count()).group_by(User.active)).all())
        return Overview(session.scalar(select(func.count()).select_from(ProcessDefinition)) or 0,
                        {s.value: by_state.get(s, 0) for s in InstanceState},
                        sum(users.values()), users.get(True, 0),
                        session.scalar(select(func.count()).select_from(Pilot)) or 0)


# --- operating instances ------------------------------------------------------------------------

@dataclass(frozen=True)
class InstanceFilter:
    process: str | None = None
    version: int | None = None
    state: str | None = None
    province_id: int | None = None
    pilot_id: int | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class InstanceRow:
    id: int
    process: str
    process_name: str
    version: int
    pilot_id: int | None
    pilot: str | None
    province: str | None
    state: str
    stage: str | None
    updated_at: datetime
    error: str | None


@dataclass(frozen=True)
class ProcessChoice:
    key: str
    name: str
    versions: list[int]


@dataclass(frozen=True)
class InstancePage:
    items: list[InstanceRow]
    total: int
    page: int
    per_page: int
    processes: list[ProcessChoice]


@dataclass(frozen=True)
class OpenTask:
    id: str
    bpmn_id: str
    name: str
    round: int
    holder: str | None


@dataclass(frozen=True)
class Revert:
    """The last migration of an instance, and whether it can still be reverted."""

    from_version: int
    to_version: int
    taken_at: datetime
    taken_by: str | None
    reason: str | None
    possible: bool  # the instance has not moved on since


@dataclass(frozen=True)
class InstanceDetail:
    row: InstanceRow
    tasks: list[OpenTask]
    send_back: list[operations.Target]
    versions: list[int]  # the process's other versions (targets of a migration)
    revert: Revert | None


def _row(i: Instance) -> InstanceRow:
    return InstanceRow(i.id, i.version.definition.key, i.version.definition.name, i.version.number, i.pilot_id,
                       i.pilot.name if i.pilot else None, i.province.name if i.province else None, i.state.value,
                       i.stage, i.updated_at, i.error)


_LOADED = (selectinload(Instance.version).selectinload(ProcessVersion.definition), selectinload(Instance.pilot),
           selectinload(Instance.province))


def _filtered(stmt: Select[Instance], query: InstanceFilter) -> Select[Instance]:
    if query.process:
        stmt = stmt.where(ProcessDefinition.key == query.process)
    if query.version is not None:
        stmt = stmt.where(ProcessVersion.number == query.version)
    if query.state:
        stmt = stmt.where(Instance.state == InstanceState(query.state))
    if query.province_id is not None:
        stmt = stmt.where(Instance.province_id == query.province_id)
    if query.pilot_id is not None:
        stmt = stmt.where(Instance.pilot_id == query.pilot_id)
    return stmt


def instances(db: sessionmaker[Session], *, user_id: Caller, query: InstanceFilter) -> InstancePage:
    """Every instance nationwide, filtered and paged, newest first, with the filter's choices."""
    with db() as session:
        lookup.administrator(session, user_id)
        stmt = _filtered(select(Instance).join(ProcessVersion, ProcessVersion.id == Instance.version_id)
                         .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id), query)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        page = max(query.page, 1)
        rows = session.scalars(stmt.options(*_LOADED).order_by(Instance.id.desc())
                               .limit(query.per_page).offset((page - 1) * query.per_page))
        choices: dict[str, ProcessChoice] = {}
        for key, name, number in session.execute(
                select(ProcessDefinition.key, ProcessDefinition.name, ProcessVersion.number)
                .join(ProcessVersion).order_by(ProcessDefinition.key, ProcessVersion.number)):
            choices.setdefault(key, ProcessChoice(key, name, [])).versions.append(number)
        return InstancePage([_row(i) for i in rows], total, page, query.per_page, list(choices.values()))


def instance(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> InstanceDetail:
    """One instance as its admin page needs it: open tasks, steps to send back to, versions to
    migrate to, and its last migration if it can be reverted."""
    with db() as session:
        user = lookup.administrator(session, user_id)
        found = lookup.visible_instance(session, user, instance_id)
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == found.id,
                                                        HumanTask.state == TaskStatus.READY)
                                .options(selectinload(HumanTask.claimed_by)).order_by(HumanTask.created_at))
        versions = [v.number for v in found.version.definition.versions if v.id != found.version_id]
        return InstanceDetail(_row(found), [OpenTask(t.id, t.bpmn_id, t.name, t.round,
                                                     t.claimed_by.label if t.claimed_by else None) for t in tasks],
                              operations.send_back_targets(session, found), versions, _revert(session, found))


def _revert(session: Session, found: Instance) -> Revert | None:
    snap = migration.revertible(session, found.id)
    if snap is None:
        return None
    before, after = session.get(ProcessVersion, snap.version_id), session.get(ProcessVersion, snap.to_version_id)
    by = session.get(User, snap.taken_by_id) if snap.taken_by_id else None
    return Revert(before.number if before else 0, after.number if after else 0, snap.taken_at,
                  by.label if by else None, snap.reason, snap.lock_version == found.lock_version)


# --- incidents ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Failure:
    """One ``instance_error`` event: a timer (or a retry) that failed, with its message."""

    id: int
    at: datetime
    instance_id: int
    subject: str | None  # the pilot (or province) of the instance
    message: str | None
    still_in_error: bool


@dataclass(frozen=True)
class Incidents:
    open: list[InstanceRow]  # instances in error now, each with its message
    failures: list[Failure]  # the latest failures, resolved or not


def incidents(db: sessionmaker[Session], *, user_id: Caller, limit: int = 50) -> Incidents:
    """Instances in error and the latest failed timers and retries."""
    with db() as session:
        lookup.administrator(session, user_id)
        open_ = [_row(i) for i in session.scalars(select(Instance).where(Instance.state == InstanceState.ERROR)
                                                  .options(*_LOADED).order_by(Instance.updated_at.desc()))]
        in_error = {r.id for r in open_}
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "instance_error",
                                                               AuditEvent.instance_id.is_not(None))
                                      .order_by(AuditEvent.id.desc()).limit(limit)))
        subjects = {i.id: (i.pilot.name if i.pilot else i.province.name if i.province else None)
                    for i in session.scalars(select(Instance).where(Instance.id.in_({e.instance_id for e in events}))
                                             .options(*_LOADED))}
        return Incidents(open_, [Failure(e.id, e.at, e.instance_id or 0, subjects.get(e.instance_id or 0), e.message,
                                         e.instance_id in in_error) for e in events])
