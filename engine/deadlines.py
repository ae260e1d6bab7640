"""Deadline notices, the worker's job: a task due within the lead time, and a task past due (told
to whoever may do it; a pilot's own task is escalated to the reviewers of its province), each
once per task.

A notice is claimed by a conditional UPDATE of the task's ``*_notified_at`` column (``… WHERE
the column IS NULL``) on rows locked with SKIP LOCKED (PostgreSQL): two workers at once never
both win a task, on either database, and the notifications are written in that same transaction.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine import db as dbutil
from engine import notifications
from engine.db import transaction
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Role
from engine.models import TaskStatus
from engine.models_notify import Kind

BATCH = 200


def send_deadline_notices(db: sessionmaker[Session], *, lead: timedelta, limit: int = 2000) -> int:
    """Write the due-soon and overdue notifications now due; return how many tasks were noticed."""
    done = 0
    for column, overdue in ((HumanTask.overdue_notified_at, True), (HumanTask.due_soon_notified_at, False)):
        while done < limit:
            noticed = _batch(db, column, overdue, lead, min(BATCH, limit - done))
            done += noticed
            if noticed == 0:
                break
    return done


def _batch(db: sessionmaker[Session], column: InstrumentedAttribute[object], overdue: bool, lead: timedelta,
           size: int) -> int:
    now = clock.now()
    due: ColumnElement[bool] = HumanTask.due_at <= now if overdue else (
        (HumanTask.due_at > now) & (HumanTask.due_at <= now + lead))
    with transaction(db) as session:
        candidates = select(HumanTask.id).join(Instance, Instance.id == HumanTask.instance_id).where(
            HumanTask.state == TaskStatus.READY, due, column.is_(None),
            Instance.state == InstanceState.RUNNING).order_by(HumanTask.due_at).limit(size)
        # Rows another worker holds are skipped (no waiting, no deadlock); the conditional UPDATE
        # below is what guarantees once, also for a row whose holder committed meanwhile.
        ids = list(session.scalars(dbutil.lock_skip_locked(session, candidates, of=HumanTask)))
        if not ids:
            return 0
        values: dict[str, Any] = {column.key: now}
        if overdue:  # past due, "due soon" would come too late
            values["due_soon_notified_at"] = func.coalesce(HumanTask.due_soon_notified_at, now)
        won = list(session.scalars(update(HumanTask).where(HumanTask.id.in_(ids), column.is_(None))
                                   .values(values).returning(HumanTask.id)
                                   .execution_options(synchronize_session=False)))
        rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(won)).options(
            selectinload(HumanTask.instance).selectinload(Instance.pilot),
            selectinload(HumanTask.instance).selectinload(Instance.province)))
        for row in rows:
            _notice(session, row, overdue)
        return len(won)


def _notice(session: Session, row: HumanTask, overdue: bool) -> None:
    params = notifications.params_of(row, row.instance)
    members = notifications.queue_members(session, row)
    notifications.add(session, members, Kind.OVERDUE if overdue else Kind.DUE_SOON, row, params)
    if overdue and row.role == Role.CITY:  # the province supervises its pilots (督办)
        reviewers = notifications.province_reviewers(session, row.province_id, exclude=[u.id for u in members])
        notifications.add(session, reviewers, Kind.ESCALATED, row, params)
