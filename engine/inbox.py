"""The human_task projection: kept in step with every saved workflow, and the task-list queries.

Task lists are indexed queries on this table, never a deserialization of an instance.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from SpiffWorkflow.task import Task
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import bpmn
from engine import clock
from engine import workflow
from engine.errors import NotFound
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Pilot
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User

SCOPES = ("mine", "group", "completed")


def sync(session: Session, instance: Instance, ready_tasks: list[Task], now: datetime) -> None:
    """Insert rows for newly ready user tasks and cancel rows whose task is gone."""
    ready = {str(t.id): t for t in ready_tasks}
    listed = set(session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance.id,
                                                            HumanTask.state == TaskStatus.READY)))
    for task_id in listed - ready.keys():
        row = session.get(HumanTask, task_id)  # a row completed by this very call is in the session
        if row is not None and row.state == TaskStatus.READY:
            row.state, row.completed_at = TaskStatus.CANCELLED, now
    new = [task for task_id, task in ready.items() if task_id not in listed]
    if not new:
        return
    # A task's round is the how-many-th time its step is offered in this instance.
    rounds = dict(session.execute(
        select(HumanTask.bpmn_id, func.max(HumanTask.round))
        .where(HumanTask.instance_id == instance.id, HumanTask.bpmn_id.in_({t.task_spec.bpmn_id for t in new}))
        .group_by(HumanTask.bpmn_id)).all())
    for task in new:
        spec = task.task_spec
        rounds[spec.bpmn_id] = rounds.get(spec.bpmn_id, 0) + 1
        session.add(HumanTask(id=str(task.id), instance_id=instance.id, bpmn_id=spec.bpmn_id,
                              name=(spec.bpmn_name or spec.bpmn_id)[:200], lane=spec.lane,
                              role=access.LANE_ROLES[spec.lane], province_id=instance.province_id,
                              pilot_id=instance.pilot_id, form=bpmn.task_form(spec)[0],
                              round=rounds[spec.bpmn_id], state=TaskStatus.READY,
                              due_at=workflow.due_at(task, now), created_at=now))


@dataclass
class TaskQuery:
    scope: str = "group"
    province_id: int | None = None
    pilot_id: int | None = None
    bpmn_id: str | None = None
    overdue: bool = False
    page: int = 1
    per_page: int = 50
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    items: list[HumanTask]
    total: int
    page: int
    per_page: int


def task_list_statement(user: User, query: TaskQuery) -> Select[tuple[HumanTask]]:
    """The SELECT behind a task list: scope, the access rule, filters, soonest due first."""
    stmt = select(HumanTask)
    if query.scope == "mine":
        stmt = stmt.where(HumanTask.state == TaskStatus.READY, HumanTask.claimed_by_id == user.id,
                          access.task_scope(user))
    elif query.scope == "group":
        stmt = stmt.where(HumanTask.state == TaskStatus.READY, HumanTask.claimed_by_id.is_(None),
                          access.task_scope(user))
    elif query.scope == "completed":
        stmt = stmt.where(HumanTask.completed_by_id == user.id, HumanTask.state == TaskStatus.COMPLETED)
    else:
        raise ValueError(f"unknown scope {query.scope!r}; use one of {', '.join(SCOPES)}")
    if query.province_id is not None:
        stmt = stmt.where(HumanTask.province_id == query.province_id)
    if query.pilot_id is not None:
        stmt = stmt.where(HumanTask.pilot_id == query.pilot_id)
    if query.bpmn_id:
        stmt = stmt.where(HumanTask.bpmn_id == query.bpmn_id)
    if query.overdue:
        stmt = stmt.where(HumanTask.due_at < clock.now())
    if query.scope == "completed":
        return stmt.order_by(HumanTask.completed_at.desc(), HumanTask.id)
    return stmt.order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id)


def tasks_for(db: sessionmaker[Session], user_id: int, query: TaskQuery) -> Page:
    """One page of a user's task list."""
    with db() as session:
        user = _active_user(session, user_id)
        stmt = task_list_statement(user, query)
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        page = max(query.page, 1)
        items = session.scalars(stmt.options(selectinload(HumanTask.claimed_by))
                                .limit(query.per_page).offset((page - 1) * query.per_page)).all()
        return Page(list(items), total, page, query.per_page)


def counts_for(db: sessionmaker[Session], user_id: int) -> dict[str, int]:
    """How many tasks each scope holds (for the navigation)."""
    with db() as session:
        user = _active_user(session, user_id)
        return {scope: session.scalar(select(func.count()).select_from(
            task_list_statement(user, TaskQuery(scope=scope)).order_by(None).subquery())) or 0
            for scope in SCOPES}


def _active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("no such user")
    return user


__all__ = ["Page", "Role", "TaskQuery", "counts_for", "sync", "task_list_statement", "tasks_for"]
