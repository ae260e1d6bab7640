"""Read-only figures for the dashboard (统计看板).

Everything here is a SQL query over ``pilot``, ``instance``, ``human_task``, ``audit_event`` and
``attachment``; no workflow is deserialized. Every call checks the user's jurisdiction with
:mod:`engine.access`: a pilot or instance outside it looks missing (NotFound), and the dashboard is
for provincial, ministry and admin users only (Forbidden for city users).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import clock
from engine import lookup
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User


def province_filter(user: User, province_id: int | None) -> int | None:
    """Provincial users always see their own province; others may narrow to one."""
    if user.role == Role.PROVINCE:
        return user.province_id
    return province_id


# --- the dashboard -----------------------------------------------------------------------------

@dataclass
class StageCount:
    key: str  # a BPMN id, or one of: waiting, completed, suspended, error, cancelled, not_started
    name: str | None  # the step's name for a BPMN id
    count: int


@dataclass
class OverdueRow:
    task_id: str
    pilot_id: int | None
    pilot: str | None
    province: str | None
    bpmn_id: str
    step: str
    round: int
    due_at: datetime
    days_overdue: int
    holder: str | None
    role: str


@dataclass
class RoundRow:
    pilot_id: int
    pilot: str
    province: str
    bpmn_id: str
    step: str
    rounds: int


@dataclass
class StepTime:
    bpmn_id: str
    step: str
    count: int
    average_hours: float
    median_hours: float


@dataclass
class Dashboard:
    province_id: int | None
    stages: list[StageCount]
    overdue: list[OverdueRow]  # the most overdue first; at most ``overdue_limit`` unless asked for all
    rounds: list[RoundRow]
    steps: list[StepTime]
    overdue_total: int = 0

    def pilot_rounds(self) -> list[tuple[str, str, int]]:
        """(pilot, province, highest round of any submit step), most rounds first."""
        best: dict[tuple[str, str], int] = {}
        for r in self.rounds:
            best[r.pilot, r.province] = max(best.get((r.pilot, r.province), 0), r.rounds)
        return sorted(((p, prov, n) for (p, prov), n in best.items()), key=lambda x: (-x[2], x[1], x[0]))


def _scope(user: User, province_col: Any, pilot_col: Any, province_id: int | None) -> ColumnElement[bool]:
    cond = access.pilot_scope(user, province_col, pilot_col)
    if province_id is not None:
        cond = and_(cond, province_col == province_id)
    return cond


def stage_counts(session: Session, user: User, province_id: int | None) -> list[StageCount]:
    """Running pilot instances per ready step (an instance with two ready steps counts under
    both), running ones waiting for a timer or message, the other states, and pilots with no
    instance yet."""
    inst_scope = and_(Instance.pilot_id.is_not(None), _scope(user, Instance.province_id, Instance.pilot_id,
                                                            province_id))
    per_step = session.execute(
        select(HumanTask.bpmn_id, func.min(HumanTask.name), func.count(func.distinct(HumanTask.instance_id)))
        .join(Instance, Instance.id == HumanTask.instance_id)
        # the task row carries its instance's pilot and province: filter on it, by index, first
        .where(HumanTask.state == TaskStatus.READY, HumanTask.pilot_id.is_not(None),
               _scope(user, HumanTask.province_id, HumanTask.pilot_id, province_id),
               Instance.state == InstanceState.RUNNING)
        .group_by(HumanTask.bpmn_id).order_by(func.count(func.distinct(HumanTask.instance_id)).desc(),
                                              HumanTask.bpmn_id))
    out = [StageCount(b, n, int(c)) for b, n, c in per_step]
    has_ready = select(HumanTask.id).where(HumanTask.instance_id == Instance.id,
                                           HumanTask.state == TaskStatus.READY).exists()
    waiting = session.scalar(select(func.count()).select_from(Instance)
                             .where(inst_scope, Instance.state == InstanceState.RUNNING, ~has_ready)) or 0
    by_state: dict[InstanceState, int] = {st: n for st, n in session.execute(select(Instance.state, func.count()).where(
        inst_scope, Instance.state != InstanceState.RUNNING).group_by(Instance.state))}
    not_started = session.scalar(
        select(func.count()).select_from(Pilot)
        .where(_scope(user, Pilot.province_id, Pilot.id, province_id),
               ~select(Instance.id).where(Instance.pilot_id == Pilot.id).exists())) or 0
    extra = [("waiting", waiting)] + [(s.value, by_state.get(s, 0)) for s in
                                      (InstanceState.COMPLETED, InstanceState.SUSPENDED, InstanceState.ERROR,
                                       InstanceState.CANCELLED)] + [("not_started", not_started)]
    return out + [StageCount(k, None, int(n)) for k, n in extra if n or k in ("completed", "not_started")]


def overdue_total(session: Session, user: User, province_id: int | None, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == TaskStatus.READY, HumanTask.due_at.is_not(None), HumanTask.due_at < now,
        _scope(user, HumanTask.province_id, HumanTask.pilot_id, province_id))) or 0


def overdue_tasks(session: Session, user: User, province_id: int | None, now: datetime,
                  limit: int | None = None) -> list[OverdueRow]:
    """Open tasks past their due date, the most overdue first (``limit``: only that many)."""
    holder = aliased(User)
    stmt = (select(HumanTask, Pilot.name, Province.name, holder)
            .outerjoin(Pilot, Pilot.id == HumanTask.pilot_id)
            .outerjoin(Province, Province.id == HumanTask.province_id)
            .outerjoin(holder, holder.id == HumanTask.claimed_by_id)
            .where(HumanTask.state == TaskStatus.READY, HumanTask.due_at.is_not(None), HumanTask.due_at < now,
                   _scope(user, HumanTask.province_id, HumanTask.pilot_id, province_id))
            .order_by(HumanTask.due_at, HumanTask.id).limit(limit))
    out = []
    for t, pilot, province, h in session.execute(stmt):
        due = t.due_at or now
        out.append(OverdueRow(t.id, t.pilot_id, pilot, province, t.bpmn_id, t.name, t.round, due,
                              (now - due).days, h.label if h else None, t.role.value))
    return out


def revision_rounds(session: Session, user: User, province_id: int | None) -> list[RoundRow]:
    """Highest round of every submit step (City lane) per pilot: the rounds are counted on the
    task index alone, the names joined to the few rows that come out."""
    highest = (select(HumanTask.pilot_id, HumanTask.bpmn_id, func.max(HumanTask.round).label("r"))
               .where(HumanTask.role == Role.CITY, HumanTask.pilot_id.in_(  # by pilot: the index's column
                   select(Pilot.id).where(_scope(user, Pilot.province_id, Pilot.id, province_id))))
               .group_by(HumanTask.pilot_id, HumanTask.bpmn_id).subquery())
    stmt = (select(Pilot.id, Pilot.name, Province.name, highest.c.bpmn_id, highest.c.r)
            .join(Pilot, Pilot.id == highest.c.pilot_id).join(Province, Province.id == Pilot.province_id)
            .order_by(Province.name, Pilot.name, highest.c.bpmn_id))
    rows = session.execute(stmt).all()
    names = _step_names(session, {b for _, _, _, b, _ in rows})
    return [RoundRow(pid, p, prov, b, names.get(b, b), int(r)) for pid, p, prov, b, r in rows]


def _step_names(session: Session, bpmn_ids: set[str]) -> dict[str, str]:
    """A name for each step (one task row each: steps are few, their tasks many)."""
    return {b: session.scalar(select(HumanTask.name).where(HumanTask.bpmn_id == b).limit(1)) or b
            for b in sorted(bpmn_ids)}


def step_times(session: Session, user: User, province_id: int | None) -> list[StepTime]:
    """Hours from a task's offer to its completion per step (stored with each completion): count,
    mean and median, computed by the database on the durations index (one row per step comes back,
    whatever the history; the names are read for those few rows)."""
    scope = and_(HumanTask.state == TaskStatus.COMPLETED, HumanTask.hours.is_not(None),
                 _scope(user, HumanTask.province_id, HumanTask.pilot_id, province_id))
    if session.get_bind().dialect.name == "postgresql":
        median: Any = func.percentile_cont(0.5).within_group(HumanTask.hours)
        stmt = (select(HumanTask.bpmn_id, func.count(), func.avg(HumanTask.hours), median)
                .where(scope).group_by(HumanTask.bpmn_id))
        rows = [(b, int(c), float(avg), float(med)) for b, c, avg, med in session.execute(stmt)]
    else:
        rows = _sqlite_medians(session, scope)
    names = _step_names(session, {b for b, *_ in rows})
    out = [StepTime(b, names[b], c, avg, med) for b, c, avg, med in rows]
    return sorted(out, key=lambda s: (-s.average_hours, s.bpmn_id))


def _sqlite_medians(session: Session, scope: ColumnElement[bool]) -> list[tuple[str, int, float, float]]:
    """SQLite has no percentile function. Per step, count and mean come from one pass over the index
    (state, [province,] step, hours); the median is the middle one or two of the step's durations,
    read in the index's order (an OFFSET walk, no sort)."""
    out = []
    groups = session.execute(select(HumanTask.bpmn_id, func.count(), func.avg(HumanTask.hours))
                             .where(scope).group_by(HumanTask.bpmn_id)).all()
    for bpmn_id, count, avg in groups:
        middle = session.scalars(select(HumanTask.hours).where(scope, HumanTask.bpmn_id == bpmn_id)
                                 .order_by(HumanTask.hours).limit(2 - count % 2).offset((count - 1) // 2)).all()
        out.append((bpmn_id, int(count), float(avg), sum(h or 0.0 for h in middle) / max(len(middle), 1)))
    return out


TABLES = ("stages", "overdue", "rounds", "steps")


OVERDUE_SHOWN = 50  # the page lists the most overdue; the CSV export lists them all


def dashboard(db: sessionmaker[Session], *, user_id: Caller, province_id: int | None = None,
              tables: tuple[str, ...] = TABLES, overdue_limit: int | None = OVERDUE_SHOWN) -> Dashboard:
    """The dashboard figures in the user's jurisdiction (a provincial user's own province; ministry
    and admin nationwide, or one province when ``province_id`` is given); only ``tables`` are
    computed (a CSV export wants one), the others are empty."""
    now = clock.now()
    with db() as session:
        user = lookup.dashboard_user(session, user_id)
        province_id = province_filter(user, province_id)
        return Dashboard(
            province_id,
            stage_counts(session, user, province_id) if "stages" in tables else [],
            overdue_tasks(session, user, province_id, now, overdue_limit) if "overdue" in tables else [],
            revision_rounds(session, user, province_id) if "rounds" in tables else [],
            step_times(session, user, province_id) if "steps" in tables else [],
            overdue_total(session, user, province_id, now) if "overdue" in tables else 0)
