"""Notifications: written in the transaction of the change they tell of (an outbox), and read,
paged and marked read by their recipient alone.

Who is told: a task goes to the users who may claim it (its role in its jurisdiction, at most
``MAX_RECIPIENTS``) or to its holder; a step offered again to the city (a send-back) tells the
submitter of the previous round that a revision is requested. A recipient with an e-mail address
who wants mail gets a row in the mail outbox too; ``engine.mail`` sends it after the commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import clock
from engine import lookup
from engine.db import MAX_ID
from engine.db import transaction
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User
from engine.models_notify import Kind
from engine.models_notify import MailOutbox
from engine.models_notify import MailState
from engine.models_notify import Notification

MAX_RECIPIENTS = 50  # a nationwide queue tells its first 50 members, not every ministry official
UNREAD_CAP = 100  # the bell counts this far ("99+"): the count stays an index range scan
MAX_PER_PAGE = 100
MAX_COUNTED = 10_000  # a list's total is counted this far


# --- writing (inside the caller's transaction) --------------------------------------------------

def params_of(task: HumanTask, instance: Instance) -> dict[str, Any]:
    """What the words of a task's notification are made of (stored, rendered by each reader)."""
    return {"task": task.name, "pilot": instance.pilot.name if instance.pilot is not None else None,
            "province": instance.province.name if instance.province is not None else None,
            "round": task.round, "due_at": task.due_at.isoformat() if task.due_at else None}


def add(session: Session, recipients: Iterable[User], kind: Kind, task: HumanTask, params: dict[str, Any]) -> int:
    """Add one notification per recipient (and its mail, when wanted); return how many."""
    at, count = clock.now(), 0
    for user in recipients:
        note = Notification(recipient_id=user.id, kind=kind, task_id=task.id, instance_id=task.instance_id,
                            pilot_id=task.pilot_id, params=params, created_at=at)
        session.add(note)
        if user.email and user.email_notifications:
            session.add(MailOutbox(notification=note, to_address=user.email, language=user.language or "zh",
                                   state=MailState.PENDING, attempts=0, next_attempt_at=at, created_at=at))
        count += 1
    return count


def queue_members(session: Session, task: HumanTask, *, exclude: Iterable[int] = ()) -> list[User]:
    """The holder of a claimed task, else the active users who may claim it (at most MAX_RECIPIENTS)."""
    if task.claimed_by_id is not None:
        holder = session.get(User, task.claimed_by_id)
        return [holder] if holder is not None and holder.active and holder.id not in set(exclude) else []
    stmt = select(User).where(User.active.is_(True), User.role == task.role, _jurisdiction(task))
    skipped = list(exclude)
    if skipped:
        stmt = stmt.where(User.id.not_in(skipped))
    found = session.scalars(stmt.order_by(User.id).limit(MAX_RECIPIENTS))
    return [u for u in found if access.may_act_on_task(u, task)]


def province_reviewers(session: Session, province_id: int | None, *, exclude: Iterable[int] = ()) -> list[User]:
    if province_id is None:
        return []
    stmt = select(User).where(User.active.is_(True), User.role == Role.PROVINCE, User.province_id == province_id)
    skipped = list(exclude)
    if skipped:
        stmt = stmt.where(User.id.not_in(skipped))
    return list(session.scalars(stmt.order_by(User.id).limit(MAX_RECIPIENTS)))


def _jurisdiction(task: HumanTask) -> ColumnElement[bool]:
    if task.role == Role.CITY:
        return User.pilot_id == task.pilot_id
    if task.role == Role.PROVINCE:
        return User.province_id == task.province_id
    return User.id.is_not(None)  # nationwide roles


def tasks_offered(session: Session, instance: Instance, rows: list[HumanTask]) -> None:
    """Tell of newly ready tasks: a city step offered again asks its last submitter for a revision,
    and everyone else who may claim a task hears it arrived."""
    for row in rows:
        params = params_of(row, instance)
        submitter = _previous_submitter(session, row) if row.role == Role.CITY and row.round > 1 else None
        told: list[int] = []
        if submitter is not None:
            add(session, [submitter], Kind.REVISION_REQUESTED, row, params)
            told.append(submitter.id)
        add(session, queue_members(session, row, exclude=told), Kind.TASK_ARRIVED, row, params)


def _previous_submitter(session: Session, row: HumanTask) -> User | None:
    user_id = session.scalar(select(HumanTask.completed_by_id).where(
        HumanTask.instance_id == row.instance_id, HumanTask.bpmn_id == row.bpmn_id, HumanTask.cycle == row.cycle,
        HumanTask.round == row.round - 1, HumanTask.state == TaskStatus.COMPLETED).limit(1))
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and access.may_act_on_task(user, row) else None


def task_assigned(session: Session, row: HumanTask, target: User) -> None:
    add(session, [target], Kind.TASK_ASSIGNED, row, params_of(row, row.instance))


# --- reading and marking read (the recipient only) -------------------------------------------------

@dataclass
class NotificationPage:
    items: list[Notification]
    total: int  # counted up to MAX_COUNTED
    unread: int  # counted up to UNREAD_CAP
    page: int
    per_page: int


def _unread(user_id: int) -> ColumnElement[bool]:
    return (Notification.recipient_id == user_id) & Notification.read_at.is_(None)


def unread_count(session: Session, user_id: int) -> int:
    """How many unread notifications the user has, counted up to UNREAD_CAP."""
    capped = select(Notification.id).where(_unread(user_id)).limit(UNREAD_CAP).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def list_for(db: sessionmaker[Session], user_id: Caller, *, page: int = 1, per_page: int = 20,
             unread_only: bool = False) -> NotificationPage:
    """One page of the user's notifications, newest first."""
    page, per_page = min(max(page, 1), MAX_COUNTED), min(max(per_page, 1), MAX_PER_PAGE)
    with db() as session:
        user = lookup.active_user(session, user_id)
        mine = _unread(user.id) if unread_only else Notification.recipient_id == user.id
        items = list(session.scalars(select(Notification).where(mine).order_by(Notification.id.desc())
                                     .limit(per_page).offset((page - 1) * per_page)))
        counted = select(Notification.id).where(mine).limit(MAX_COUNTED).subquery()
        total = session.scalar(select(func.count()).select_from(counted)) or 0
        return NotificationPage(items, total, unread_count(session, user.id), page, per_page)


def mark_read(db: sessionmaker[Session], notification_id: int, *, user_id: Caller) -> Notification:
    """Mark one of the user's notifications read (again: no change); another user's is not found."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        note = session.get(Notification, notification_id) if 0 < notification_id <= MAX_ID else None
        if note is None or note.recipient_id != user.id:
            raise NotFound(f"no notification {notification_id}", reason="notification_not_found")
        if note.read_at is None:
            note.read_at = clock.now()
        return note


def mark_all_read(db: sessionmaker[Session], *, user_id: Caller) -> int:
    """Mark every unread notification of the user read; return how many."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        result = session.execute(update(Notification).where(_unread(user.id)).values(read_at=clock.now())
                                 .execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]

