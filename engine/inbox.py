"""The human_task projection: kept in step with every saved workflow, and the task-list queries.

Task lists are indexed queries on this table, never a deserialization of an instance.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from SpiffWorkflow.task import Task
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import bpmn
from engine import clock
from engine import lookup
from engine import notifications
from engine import workflow
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User

SCOPES = ("mine", "group", "held", "completed")
UNREAD = "unread"  # not a task list: the bell's unread notifications, counted with the badges
NAV_SCOPES = ("mine", "group", UNREAD)  # the navigation's badges (the completed history is never counted)


# One round trip, built once (the hot path pays only for binding): the instance's READY rows, and per
# step now ready and iteration it runs in, the last round it was offered in (id NULL).
_SYNC_QUERY = select(HumanTask.id, HumanTask.bpmn_id, HumanTask.cycle, HumanTask.round).where(
    HumanTask.instance_id == bindparam("instance_id"), HumanTask.state == TaskStatus.READY).union_all(
    select(null(), HumanTask.bpmn_id, HumanTask.cycle, func.max(HumanTask.round))
    .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.bpmn_id.in_(bindparam("steps", expanding=True)))
    .group_by(HumanTask.bpmn_id, HumanTask.cycle))


def sync(session: Session, instance: Instance, ready_tasks: list[Task], now: datetime,
         opened_by: str | None = None) -> None:
    """Insert rows for newly ready user tasks and cancel rows whose task is gone; ``opened_by`` is
    the task whose completion made the new ones ready (None for a timer, a message or the start)."""
    ready = {str(t.id): t for t in ready_tasks}
    rows = session.execute(_SYNC_QUERY, {"instance_id": instance.id,
                                         "steps": sorted({t.task_spec.bpmn_id for t in ready.values()})}).all()
    listed = {task_id for task_id, _, _, _ in rows if task_id is not None}
    # A task's round is the how-many-th time its step is offered in this iteration of the instance.
    rounds = {(bpmn_id, cycle): last for task_id, bpmn_id, cycle, last in rows if task_id is None}
    for task_id in listed - ready.keys():
        row = session.get(HumanTask, task_id)  # a row completed by this very call is in the session
        if row is not None and row.state == TaskStatus.READY:
            row.state, row.completed_at = TaskStatus.CANCELLED, now
    new = [task for task_id, task in ready.items() if task_id not in listed]
    offered: list[HumanTask] = []
    for task in new:  # parallel instances of one step offered together share their round
        spec, cycle = task.task_spec, workflow.cycle_of(task)
        form, ui_form = bpmn.task_form(spec)
        offered.append(HumanTask(id=str(task.id), instance_id=instance.id, bpmn_id=spec.bpmn_id,
                                 name=(spec.bpmn_name or spec.bpmn_id)[:200], lane=spec.lane,
                                 role=access.LANE_ROLES[spec.lane], province_id=instance.province_id,
                                 pilot_id=instance.pilot_id, form=form, ui_form=ui_form, cycle=cycle,
                                 round=rounds.get((spec.bpmn_id, cycle), 0) + 1, state=TaskStatus.READY,
                                 opened_by_id=opened_by, due_at=workflow.due_at(task, now), created_at=now))
        session.add(offered[-1])
    notifications.tasks_offered(session, instance, offered)  # told in this same transaction


@dataclass
class TaskQuery:
    scope: str = "group"
    province_id: int | None = None
    pilot_id: int | None = None
    bpmn_id: str | None = None
    overdue: bool = False
    page: int = 1
    per_page: int = 50
    search: str = ""  # part of a pilot's or a step's name
    sort: str = ""  # one of SORTS ("" is the list's own order: soonest due first, completed newest first)
    descending: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


SORTS = ("due", "created", "pilot", "province")


@dataclass(frozen=True)
class Rights:
    """What the user may do with a listed task, decided by the access rule (the page shows buttons)."""

    act: bool       # open it and complete it now
    claim: bool     # take it from the group queue
    release: bool   # give it back to the group queue (its holder, or a reviewer who may reassign)
    reassign: bool  # hand it to a colleague (转办)


@dataclass
class Page:
    items: list[HumanTask]
    total: int
    page: int
    per_page: int
    rights: dict[str, Rights] = field(default_factory=dict)  # by task id


def rights(user: User, task: HumanTask) -> Rights:
    if task.state != TaskStatus.READY:
        return Rights(False, False, False, False)
    reassign = access.may_reassign(user, task)
    held = task.claimed_by_id is not None
    return Rights(access.may_work_on(user, task), access.may_claim(user, task),
                  held and (task.claimed_by_id == user.id or reassign), reassign)


def task_list_statement(user: User, query: TaskQuery) -> Select[HumanTask]:
    """The SELECT behind a task list: scope, the access rule, filters, then the order asked for
    (by default soonest due first; completed tasks newest first)."""
    if query.scope not in _SCOPE_CONDITIONS:
        raise ValueError(f"unknown scope {query.scope!r}; use one of {', '.join(SCOPES)}")
    stmt = _filtered(select(HumanTask).where(_SCOPE_CONDITIONS[query.scope](user)), query)
    return _ordered(stmt, query)


def _ordered(stmt: Select[HumanTask], query: TaskQuery) -> Select[HumanTask]:
    if query.sort == "pilot":
        stmt = stmt.outerjoin(Pilot, Pilot.id == HumanTask.pilot_id)
        key: Any = Pilot.name
    elif query.sort == "province":
        stmt = stmt.outerjoin(Province, Province.id == HumanTask.province_id)
        key = Province.name
    elif query.sort == "created":
        key = HumanTask.created_at
    elif query.sort == "due" or query.scope != "completed":
        key = HumanTask.due_at
    else:
        return stmt.order_by(HumanTask.completed_at.desc(), HumanTask.id)
    first = key.desc().nulls_last() if query.descending else key.asc().nulls_last()
    return stmt.order_by(first, HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id)


def _mine(user: User) -> ColumnElement[bool]:
    return and_(HumanTask.state == TaskStatus.READY, HumanTask.claimed_by_id == user.id, access.task_scope(user))


def _group(user: User) -> ColumnElement[bool]:
    return and_(HumanTask.state == TaskStatus.READY, HumanTask.claimed_by_id.is_(None), access.task_scope(user))


def _held(user: User) -> ColumnElement[bool]:
    """Open tasks someone else holds that the user may see there: tasks of the user's own queue
    claimed by a colleague, and for reviewers who may reassign (province, admin) every claimed task
    in their jurisdiction — so who holds a task is always visible."""
    if not user.active:
        return false()
    visible = (access.pilot_scope(user, HumanTask.province_id, HumanTask.pilot_id)
               if user.role in (Role.PROVINCE, Role.ADMIN) else access.task_scope(user))
    return and_(HumanTask.state == TaskStatus.READY, HumanTask.claimed_by_id.is_not(None),
                HumanTask.claimed_by_id != user.id, visible)


def _completed(user: User) -> ColumnElement[bool]:
    return and_(HumanTask.completed_by_id == user.id, HumanTask.state == TaskStatus.COMPLETED)


_SCOPE_CONDITIONS = {"mine": _mine, "group": _group, "held": _held, "completed": _completed}


def tasks_for(db: sessionmaker[Session], user_id: Caller, query: TaskQuery) -> Page:
    """One page of a user's task list, with what the user may do with each task."""
    with db() as session:
        return page_of(session, lookup.active_user(session, user_id), query)


def page_of(session: Session, user: User, query: TaskQuery) -> Page:
    stmt = task_list_statement(user, query)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(query.page, 1)
    items = list(session.scalars(stmt.options(selectinload(HumanTask.claimed_by))
                                 .limit(query.per_page).offset((page - 1) * query.per_page)))
    return Page(items, total, page, query.per_page, {t.id: rights(user, t) for t in items})


def counts_for(db: sessionmaker[Session], user_id: Caller, scopes: tuple[str, ...] = NAV_SCOPES) -> dict[str, int]:
    """How many tasks each scope holds (the navigation shows ``NAV_SCOPES``)."""
    with db() as session:
        return counts(session, lookup.active_user(session, user_id), scopes)


def counts(session: Session, user: User, scopes: tuple[str, ...] = NAV_SCOPES) -> dict[str, int]:
    tasks = tuple(scope for scope in scopes if scope != UNREAD)
    found = dict(zip(tasks, session.execute(counts_statement(user, tasks)).one(), strict=True)) if tasks else {}
    if UNREAD in scopes:
        found[UNREAD] = notifications.unread_count(session, user.id)
    return {scope: found[scope] or 0 for scope in scopes}


def counts_statement(user: User, scopes: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """Every scope's count in one statement: one scalar subquery per scope, so each is served by
    its own index (an OR of the scopes would leave the planner one index for all, on state alone)."""
    return select(*(select(func.count()).select_from(HumanTask).where(_SCOPE_CONDITIONS[scope](user))
                    .scalar_subquery() for scope in scopes))


def _filtered(stmt: Select[HumanTask], query: TaskQuery) -> Select[HumanTask]:
    if query.province_id is not None:
        stmt = stmt.where(HumanTask.province_id == query.province_id)
    if query.pilot_id is not None:
        stmt = stmt.where(HumanTask.pilot_id == query.pilot_id)
    if query.bpmn_id:
        stmt = stmt.where(HumanTask.bpmn_id == query.bpmn_id)
    if query.overdue:
        stmt = stmt.where(HumanTask.due_at < clock.now())
    if query.search.strip():
        stmt = stmt.where(_matching(query.search))
    return stmt


def _matching(search: str) -> ColumnElement[bool]:
    """Tasks of a pilot, or of a step, whose name contains ``search``: each side is turned into a
    list of ids first (pilots and step names are few), so the task list keeps its index."""
    text = search.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{text}%"
    pilots = select(Pilot.id).where(Pilot.name.ilike(pattern, escape="\\")).scalar_subquery()
    return or_(HumanTask.pilot_id.in_(pilots), HumanTask.name.ilike(pattern, escape="\\"))


# --- beyond the lists: filter options, reassignment (the inbox page and the reassign form) ---------

@dataclass
class StepOption:
    bpmn_id: str
    name: str


def step_options(db: sessionmaker[Session], user_id: Caller) -> list[StepOption]:
    """Distinct steps among the tasks the user sees in any list (open in the user's queue or held
    by others there, or completed by the user), for the step filter."""
    with db() as session:
        return steps_of(session, lookup.active_user(session, user_id))


def steps_of(session: Session, user: User) -> list[StepOption]:
    names: dict[str, str] = dict(session.execute(
        select(HumanTask.bpmn_id, func.max(HumanTask.name)).where(
            or_(and_(HumanTask.state == TaskStatus.READY, access.task_scope(user)), _held(user)))
        .group_by(HumanTask.bpmn_id)).all())
    # The completed history can be long: its distinct steps come from the index alone, and a name
    # is read only for a step not open now (one row each).
    done = session.scalars(select(HumanTask.bpmn_id).distinct().where(
        HumanTask.completed_by_id == user.id, HumanTask.state == TaskStatus.COMPLETED))
    for bpmn_id in [b for b in done if b not in names]:
        names[bpmn_id] = session.scalar(select(HumanTask.name).where(
            HumanTask.completed_by_id == user.id, HumanTask.state == TaskStatus.COMPLETED,
            HumanTask.bpmn_id == bpmn_id).limit(1)) or bpmn_id
    return sorted((StepOption(b, n) for b, n in names.items()), key=lambda s: (s.name, s.bpmn_id))


def reassign_candidates(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> tuple[HumanTask, list[User]]:
    """The task and the users it may be handed to (转办): active, of the task's role, in its
    jurisdiction, not its current holder. Only for users who may reassign it."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.reassignable_task(session, user, task_id)
        row.claimed_by  # noqa: B018  (loaded now: the form names the current holder)
        stmt = select(User).where(User.active.is_(True), User.role == row.role).order_by(User.username)
        if row.claimed_by_id is not None:
            stmt = stmt.where(User.id != row.claimed_by_id)
        if row.role == Role.PROVINCE:
            stmt = stmt.where(User.province_id == row.province_id)
        elif row.role == Role.CITY:
            stmt = stmt.where(User.pilot_id == row.pilot_id)
        candidates = [u for u in session.scalars(stmt) if access.may_act_on_task(u, row)]
        return row, candidates
