"""Read-only views for the web UI and API: instances, their events, one task with its form,
pilots. Every read goes through the access rule; out-of-jurisdiction looks like missing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import forms
from engine import runtime
from engine import workflow
from engine.errors import NotFound
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessVersion
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
    lock_version: int
    started_at: datetime
    ended_at: datetime | None
    next_timer_at: datetime | None
    error: str | None
    messages: list[dict[str, Any]]
    tasks: list[HumanTask]


@dataclass
class TaskView:
    task: HumanTask
    instance: InstanceView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]
    documentation: str | None
    may_act: bool


def _view(instance: Instance, tasks: list[HumanTask]) -> InstanceView:
    return InstanceView(instance.id, instance.version.definition.key, instance.version.number,
                        instance.pilot_id, instance.province_id, instance.state.value, instance.stage,
                        instance.lock_version, instance.started_at, instance.ended_at, instance.next_timer_at,
                        instance.error, list(instance.waiting_messages or []), tasks)


_INSTANCE = (select(Instance).where(Instance.id == bindparam("instance_id"))  # built once: after every completion
             .options(joinedload(Instance.version).joinedload(ProcessVersion.definition)))
_READY_TASKS = (select(HumanTask).where(HumanTask.instance_id == bindparam("instance_id"),
                                        HumanTask.state == TaskStatus.READY).order_by(HumanTask.created_at))


def _instance(session: Session, user: User, instance_id: int) -> Instance:
    instance = session.scalar(_INSTANCE, {"instance_id": instance_id})
    if instance is None or not access.may_view_instance(user, instance):
        raise NotFound(f"no instance {instance_id}")
    return instance


def get_instance(db: sessionmaker[Session], instance_id: int, *, user_id: int) -> InstanceView:
    """One instance with its ready tasks."""
    with db() as session:
        user = runtime.active_user(session, user_id)
        instance = _instance(session, user, instance_id)
        tasks = session.scalars(_READY_TASKS, {"instance_id": instance.id}).all()
        return _view(instance, list(tasks))


def complete(db: sessionmaker[Session], task_id: str, *, user_id: int, data: Any,
             expected_version: int | None = None) -> InstanceView:
    """Complete a task and return its instance with the tasks now ready, read in the same
    transaction (what an API client wants next, without a second round trip to the database)."""
    with runtime.transaction(db) as session:
        instance = runtime.complete_in(session, task_id, user_id=user_id, data=data,
                                       expected_version=expected_version)
        tasks = session.scalars(_READY_TASKS, {"instance_id": instance.id}).all()
        return _view(instance, list(tasks))


def list_instances(db: sessionmaker[Session], *, user_id: int, pilot_id: int | None = None,
                   state: str | None = None, process: str | None = None, limit: int = 100,
                   offset: int = 0) -> tuple[list[InstanceView], int]:
    """Instances in the user's jurisdiction, newest first, with the total count."""
    from sqlalchemy import func

    from engine.models import ProcessDefinition

    with db() as session:
        user = runtime.active_user(session, user_id)
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


def instance_events(db: sessionmaker[Session], instance_id: int, *, user_id: int) -> list[AuditEvent]:
    """The audit trail of an instance, oldest first."""
    with db() as session:
        user = runtime.active_user(session, user_id)
        _instance(session, user, instance_id)
        return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                    .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)))


def get_task(db: sessionmaker[Session], task_id: str, *, user_id: int) -> TaskView:
    """One task with its form, its current field values and instructions."""
    with db() as session:
        user = runtime.active_user(session, user_id)
        row = session.get(HumanTask, task_id)
        if row is None or not access.may_view_instance(user, row.instance):
            raise NotFound("no such task")
        schema = forms.load(session, row.instance.version_id, row.form)
        from engine import bpmn

        data: dict[str, Any] = dict(row.data or {})
        documentation = None
        ui_name = None
        if row.state == TaskStatus.READY:
            wf = runtime.load(session, row.instance)
            task = wf.get_task_from_id(UUID(task_id))
            data = _without_other_steps_answers(session, row, workflow.form_fields(task, schema))
            documentation = task.task_spec.documentation
            ui_name = bpmn.task_form(task.task_spec)[1]
        ui_schema = forms.load(session, row.instance.version_id, ui_name)
        view = _view(row.instance, [])
        return TaskView(row, view, schema, ui_schema, data, documentation,
                        row.state == TaskStatus.READY and access.may_act_on_task(user, row))


def _without_other_steps_answers(session: Session, row: HumanTask, data: dict[str, Any]) -> dict[str, Any]:
    """Prefill drops what another user task answered under the same field name.

    Task data is shared by the whole process, so a task book's "revision note" would open with
    the scheme's, and a second review with the first review's comment. What this step itself
    answered in an earlier round, and what scripts or the start put there, still prefill."""
    answers = session.execute(select(HumanTask.bpmn_id, HumanTask.data).where(
        HumanTask.instance_id == row.instance_id, HumanTask.state == TaskStatus.COMPLETED)).all()
    own = {k for bpmn_id, answered in answers if bpmn_id == row.bpmn_id for k in (answered or {})}
    others = {k for bpmn_id, answered in answers if bpmn_id != row.bpmn_id for k in (answered or {})}
    return {k: v for k, v in data.items() if k in own or k not in others}


def list_pilots(db: sessionmaker[Session], *, user_id: int) -> list[Pilot]:
    """Pilots in the user's jurisdiction, by province and name."""
    with db() as session:
        user = runtime.active_user(session, user_id)
        stmt = (select(Pilot).where(access.pilot_scope(user, Pilot.province_id, Pilot.id))
                .options(selectinload(Pilot.province)).order_by(Pilot.province_id, Pilot.name))
        return list(session.scalars(stmt))


def get_user(db: sessionmaker[Session], user_id: int) -> User | None:
    with db() as session:
        return session.scalar(select(User).where(User.id == user_id)
                              .options(selectinload(User.province), selectinload(User.pilot)))


def user_id_by_name(db: sessionmaker[Session], username: str) -> int | None:
    with db() as session:
        return session.scalar(select(User.id).where(User.username == username))
