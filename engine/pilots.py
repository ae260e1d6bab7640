"""The pilots (试点): the list in a user's jurisdiction, and one pilot's page with every instance —
its open tasks, the path taken on the diagram, the timeline (办理记录) and each round's documents.

Everything here is a SQL query over ``pilot``, ``instance``, ``human_task``, ``audit_event``,
``attachment`` and ``comment``; no workflow is deserialized. A pilot or instance outside the
user's jurisdiction looks missing (NotFound).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import attachments
from engine import clock
from engine import forms
from engine import lookup
from engine import state
from engine.attachments import AttachmentView
from engine.dossier import Document
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import AuditEvent
from engine.models import Comment
from engine.models import DefinitionFile
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessDefinition
from engine.models import ProcessVersion
from engine.models import Province
from engine.models import TaskStatus
from engine.models import User

# --- the pilot list ----------------------------------------------------------------------------

@dataclass
class PilotRow:
    id: int
    name: str
    province_id: int
    province: str
    level: str
    batch_year: int | None
    instance_id: int | None
    state: str | None
    stage: str | None
    open_tasks: int
    overdue: int
    rating: int | None = None  # the star grade of a completed lifecycle (1–3), when its process gives one


def rating(final_data: Any) -> int | None:
    """The star grade a finished lifecycle ended with: the process variable ``stars`` (set by the
    shipped ``star_rating`` decision), a whole number from 1 to 3; None for no grade or a fail."""
    stars = final_data.get("stars") if isinstance(final_data, dict) else None
    if isinstance(stars, float) and stars.is_integer():
        stars = int(stars)
    return stars if isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 3 else None


def list_pilot_rows(db: sessionmaker[Session], *, user_id: Caller, province_id: int | None = None,
                    search: str | None = None) -> list[PilotRow]:
    """Pilots in the user's jurisdiction with their latest instance's state and stage, open and
    overdue task counts; optionally one province and a name search."""
    now = clock.now()
    with db() as session:
        user = lookup.active_user(session, user_id)
        cond: list[ColumnElement[bool]] = [access.pilot_scope(user, Pilot.province_id, Pilot.id)]
        if user.role in access.NATIONWIDE and province_id is not None:
            cond.append(Pilot.province_id == province_id)
        if search and search.strip():
            pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            cond.append(or_(Pilot.name.ilike(pattern, escape="\\"), Province.name.ilike(pattern, escape="\\")))
        latest = (select(Instance.pilot_id, func.max(Instance.id).label("iid"))
                  .where(Instance.pilot_id.is_not(None)).group_by(Instance.pilot_id).subquery())
        open_tasks = (select(HumanTask.pilot_id, func.count().label("n"),
                             func.sum(case((HumanTask.due_at < now, 1), else_=0)).label("late"))
                      .where(HumanTask.state == TaskStatus.READY, HumanTask.pilot_id.is_not(None))
                      .group_by(HumanTask.pilot_id).subquery())
        stmt = (select(Pilot, Province.name, Instance.id, Instance.state, Instance.stage, open_tasks.c.n,
                       open_tasks.c.late)
                .join(Province, Province.id == Pilot.province_id)
                .outerjoin(latest, latest.c.pilot_id == Pilot.id)
                .outerjoin(Instance, Instance.id == latest.c.iid)
                .outerjoin(open_tasks, open_tasks.c.pilot_id == Pilot.id)
                .where(*cond).order_by(Province.name, Pilot.name))
        rows = [PilotRow(p.id, p.name, p.province_id, prov, p.level.value, p.batch_year, iid,
                         state.value if state is not None else None, stage, int(n or 0), int(late or 0))
                for p, prov, iid, state, stage, n, late in session.execute(stmt)]
        done = {r.instance_id: r for r in rows if r.state == "completed" and r.instance_id is not None}
        if done:
            for iid, data in session.execute(select(AuditEvent.instance_id, AuditEvent.data_after).where(
                    AuditEvent.action == "instance_completed", AuditEvent.instance_id.in_(done))):
                done[iid].rating = rating(data)
        return rows


# --- one pilot's page --------------------------------------------------------------------------

@dataclass
class ReadyTask:
    id: str
    bpmn_id: str
    name: str
    round: int
    due_at: datetime | None
    holder: str | None
    role: str


@dataclass
class RoundGroup:
    """Documents completed one after the other in one round — of the instance, or of one iteration
    of a repeated part (a creation year, named by that part and its number) — opened by a step."""

    round: int
    cycle: str  # "" outside any repeated part
    cycle_name: str | None
    cycle_number: int | None
    first_step: str
    documents: list[Document] = field(default_factory=list)


@dataclass
class Event:
    id: int
    action: str
    at: datetime
    actor: str | None
    bpmn_id: str | None
    step: str | None
    round: int | None
    decision: str | None
    comment: str | None
    message: str | None
    decision_node: dict[str, Any] | None = None  # the decision field's schema node (its option titles)
    versions: tuple[int, int] | None = None  # a migration or its revert: from and to version


@dataclass
class InstanceDetail:
    id: int
    process: str
    process_name: str
    version: int
    state: str
    stage: str | None
    started_at: datetime
    ended_at: datetime | None
    error: str | None
    tasks: list[ReadyTask]
    visited: list[str]
    current: list[str]
    events: list[Event]
    rounds: list[RoundGroup]
    rating: int | None = None  # the star grade it ended with


@dataclass
class PilotPage:
    id: int
    name: str
    province: str
    level: str
    batch_year: int | None
    instances: list[InstanceDetail]  # one page of them: open ones first, then the newest
    total: int = 0  # instances in all
    page: int = 1
    per_page: int = 10


@dataclass
class _Loaded:
    """What the details of one page of instances need, read with one query per table."""

    tasks: dict[int, list[HumanTask]]
    users: dict[int, User]
    files: dict[int, list[AttachmentView]]
    audit: dict[int, list[AuditEvent]]
    comments: dict[int, dict[int, str]]


def _load(session: Session, ids: list[int]) -> _Loaded:
    tasks: dict[int, list[HumanTask]] = {i: [] for i in ids}
    for t in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids))
                             .options(selectinload(HumanTask.claimed_by))
                             .order_by(HumanTask.created_at, HumanTask.bpmn_id)):
        tasks[t.instance_id].append(t)
    done_by = {t.completed_by_id for ts in tasks.values() for t in ts if t.completed_by_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(done_by)))} if done_by else {}
    audit: dict[int, list[AuditEvent]] = {i: [] for i in ids}
    for e in session.scalars(select(AuditEvent).where(AuditEvent.instance_id.in_(ids))
                             .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)):
        audit[e.instance_id or 0].append(e)
    comments: dict[int, dict[int, str]] = {i: {} for i in ids}
    for cid, iid, body in session.execute(select(Comment.id, Comment.instance_id, Comment.body)
                                          .where(Comment.instance_id.in_(ids))):
        comments[iid][cid] = body
    return _Loaded(tasks, users, attachments.of_instances(session, ids), audit, comments)


def _decision_and_comment(data: Any, schema: dict[str, Any] | None) -> tuple[str | None, str | None,
                                                                          dict[str, Any] | None]:
    """A completed step's decision (its first answered choice field) with that field's schema node,
    and its comment (its first answered field named ``…comment`` or ``…note``), for the timeline."""
    if not isinstance(data, dict):
        return None, None, None
    props = (schema or {}).get("properties") or {}
    decision, node = next(((str(v), props[k]) for k, v in data.items()
                           if isinstance(props.get(k), dict) and ("oneOf" in props[k] or "enum" in props[k])
                           and isinstance(v, str) and v), (None, None))
    comment = next((str(v) for k, v in data.items()
                    if (k.endswith("comment") or k.endswith("note")) and isinstance(v, str) and v.strip()), None)
    return decision, comment, node


# Audit messages written by the engine (a message's key, an exception's English): not for a page.
_MACHINE_MESSAGES = {"message_sent", "instance_error", "timer_fired"}


def _events(bodies: dict[int, str], rows: list[AuditEvent], tasks: dict[str, HumanTask],  # noqa: PLR0917
            names: dict[str, str], schemas: Any, element_name: Any) -> list[Event]:
    out = []
    for e in rows:
        task = tasks.get(e.task_id or "")
        bpmn_id = e.bpmn_id or (task.bpmn_id if task else None)
        decision, comment, node = None, None, None
        if e.action == "task_completed" and task is not None:
            decision, comment, node = _decision_and_comment(e.data_after, schemas(task))
        if e.action == "comment_added" and isinstance(e.data_after, dict):
            comment = bodies.get(e.data_after.get("comment_id") or 0)
        step = (names.get(bpmn_id) or element_name(bpmn_id)) if bpmn_id else None
        message = None if e.action in _MACHINE_MESSAGES else e.message  # a reason typed by a person stays
        out.append(Event(e.id, e.action, e.at, _label(e.actor), bpmn_id, step, task.round if task else None,
                         decision, comment, message, node, _versions(e)))
    return out


def _versions(e: AuditEvent) -> tuple[int, int] | None:
    """From and to version of a migration or its revert."""
    before, after = e.data_before, e.data_after
    if e.action in _MIGRATIONS and isinstance(before, dict) and isinstance(after, dict):
        return before.get("version"), after.get("version")  # type: ignore[return-value]
    return None


_MIGRATIONS = {"instance_migrated", "instance_migration_reverted"}


def _detail(session: Session, instance: Instance, loaded: _Loaded) -> InstanceDetail:
    rows = loaded.tasks[instance.id]
    by_id = {t.id: t for t in rows}
    names = {t.bpmn_id: t.name for t in rows}
    users = loaded.users
    ready = [t for t in rows if t.state == TaskStatus.READY]
    files = loaded.files.get(instance.id, [])
    version_id = instance.version_id

    def schema(t: HumanTask) -> dict[str, Any] | None:
        return forms.load(session, version_id, t.form)

    audit = loaded.audit[instance.id]
    done_order = {e.task_id: e.id for e in audit if e.action == "task_completed"}  # the order they were done
    groups: list[RoundGroup] = []  # consecutive documents of one round of one iteration
    for t in sorted((t for t in rows if t.state == TaskStatus.COMPLETED), key=lambda t: done_order.get(t.id, 0)):
        if not groups or (groups[-1].cycle, groups[-1].round) != (t.cycle, t.round):
            groups.append(RoundGroup(t.round, t.cycle, *_cycle_label(instance, t.cycle), t.name))
        groups[-1].documents.append(Document(
            t.id, t.bpmn_id, t.name, t.role, t.round, t.cycle, t.completed_at,
            _label(users.get(t.completed_by_id or 0)),
            schema(t), forms.load(session, version_id, t.ui_form), dict(t.data or {}),
            [a for a in files if a.task_id == t.id]))
    return InstanceDetail(
        instance.id, instance.version.definition.key, instance.version.definition.name, instance.version.number,
        instance.state.value, instance.stage, instance.started_at, instance.ended_at, instance.error,
        [ReadyTask(t.id, t.bpmn_id, t.name, t.round, t.due_at, _label(t.claimed_by), t.role.value)
         for t in ready],
        list(instance.visited or []), sorted({t.bpmn_id for t in ready}),
        _events(loaded.comments[instance.id], audit, by_id, names, schema,
                lambda bpmn_id: _element_name(instance, bpmn_id)),
        groups, next((rating(e.data_after) for e in audit if e.action == "instance_completed"), None))


def _element_name(instance: Instance, bpmn_id: str) -> str | None:
    return state.element_name(instance.version, bpmn_id)


def _cycle_label(instance: Instance, cycle: str) -> tuple[str | None, int | None]:
    """(name of the repeated part, iteration number) of a cycle key such as "annual_cycle:2"."""
    if not cycle:
        return None, None
    bpmn_id, _, number = cycle.rpartition("/")[2].partition(":")
    return _element_name(instance, bpmn_id) or bpmn_id, int(number) if number.isdigit() else None


def pilot_page(db: sessionmaker[Session], pilot_id: int, *, user_id: Caller, page: int = 1,
               per_page: int = 10) -> PilotPage:
    """A pilot with one page of its instances (open ones first, then the newest), each with its
    ready tasks, path taken, timeline and submissions by round: the same few queries whatever the
    pilot's history."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        pilot = lookup.visible_pilot(session, user, pilot_id)
        mine = and_(Instance.pilot_id == pilot.id, access.instance_scope(user))
        total = session.scalar(select(func.count()).select_from(Instance).where(mine)) or 0
        page = min(max(page, 1), max(1, -(-total // per_page)))
        open_first = case((Instance.state.in_(_OPEN), 0), else_=1)
        instances = list(session.scalars(
            select(Instance).where(mine).options(selectinload(Instance.version).selectinload(ProcessVersion.definition))
            .order_by(open_first, Instance.id.desc()).limit(per_page).offset((page - 1) * per_page)))
        loaded = _load(session, [i.id for i in instances])
        return PilotPage(pilot.id, pilot.name, pilot.province.name, pilot.level.value, pilot.batch_year,
                         [_detail(session, i, loaded) for i in instances], total, page, per_page)


_OPEN = (InstanceState.RUNNING, InstanceState.SUSPENDED, InstanceState.ERROR)


_PROCESS_ID = r"<(?:\w+:)?process\b[^>]*\bid=\"{}\""


def diagram(db: sessionmaker[Session], instance_id: int, *, user_id: Caller,
            pilot_id: int | None = None) -> tuple[str, list[str], list[str]]:
    """(BPMN XML of the file that holds the instance's process, visited element ids, ids of the
    ready tasks) for a user who may view the instance (of ``pilot_id``, when given)."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        instance = lookup.visible_instance(session, user, instance_id)
        if pilot_id is not None and instance.pilot_id != pilot_id:
            raise NotFound(f"no instance {instance_id}", reason="instance_not_found")
        key = session.scalar(select(ProcessDefinition.key).join(ProcessVersion)
                             .where(ProcessVersion.id == instance.version_id))
        pattern = re.compile(_PROCESS_ID.format(re.escape(key or "")).encode())
        files = session.scalars(select(DefinitionFile).where(DefinitionFile.version_id == instance.version_id,
                                                             DefinitionFile.kind == "bpmn")
                                .order_by(DefinitionFile.name))
        content = next((f.content for f in files if pattern.search(f.content)), None)
        if content is None:
            raise NotFound("the diagram of this process is not stored", reason="diagram_missing")
        current = session.scalars(select(HumanTask.bpmn_id).distinct().where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskStatus.READY))
        return content.decode("utf-8"), list(instance.visited or []), sorted(current)




def _label(user: User | None) -> str | None:
    return user.label if user is not None else None
