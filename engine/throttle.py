"""Sign-in throttling per (attempted username, client address), blind to whether the username
exists: a name nobody has is locked after the same failures, with the same answer, as a real one,
so the lock cannot be used to find out which accounts exist.

After MAX_FAILURES wrong passwords in a row a pair is locked for LOCK_MINUTES; each further failure
after a lock ends locks it again for twice as long (at most MAX_LOCK). A success clears the pair.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine import audit
from engine import clock
from engine.models_auth import SignInThrottle

MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_LOCK = timedelta(hours=24)
MAX_NAME, MAX_CLIENT = 80, 64
PRUNE_ONE_IN = 100  # about one attempt in a hundred clears out stale pairs


def normalized(username: str) -> str:
    """The throttle's key for what was typed: stripped, case-folded, cut to the column."""
    return username.strip().casefold()[:MAX_NAME]


def pair(session: Session, username: str, client: str) -> SignInThrottle:
    """The throttle row of this pair, locked for this transaction (created when missing; a
    concurrent first attempt for the same pair does not fail)."""
    key = {"username": normalized(username), "client": client[:MAX_CLIENT]}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(SignInThrottle).values(**key, failures=0, updated_at=clock.now())
                    .on_conflict_do_nothing(index_elements=["username", "client"]))
    row = session.scalars(select(SignInThrottle).filter_by(**key).with_for_update()).one()
    now = clock.now()
    if locked_until(row, now) is None and row.updated_at < now - MAX_LOCK:
        row.failures, row.locked_until = 0, None  # failures "in a row" are those of the last day
    if secrets.randbelow(PRUNE_ONE_IN) == 0:
        prune(session, now)
    return row


def prune(session: Session, now: datetime) -> None:
    """Forget pairs that are not locked and failed last more than MAX_LOCK ago (guessed names
    would otherwise pile up)."""
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.updated_at < now - MAX_LOCK,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now)))


def locked_until(row: SignInThrottle, now: datetime) -> datetime | None:
    return row.locked_until if row.locked_until is not None and row.locked_until > now else None


def failed(session: Session, row: SignInThrottle, now: datetime, actor_id: int | None) -> None:
    """Count a failure; lock the pair after MAX_FAILURES (audited, under the account when it exists)."""
    row.failures += 1
    row.updated_at = now
    if row.failures >= MAX_FAILURES:
        doublings = min(row.failures - MAX_FAILURES, 10)
        row.locked_until = now + min(timedelta(minutes=LOCK_MINUTES) * 2 ** doublings, MAX_LOCK)
        audit.record(session, "sign_in_locked", actor_id=actor_id,
                     after={"username": row.username, "client": row.client, "failed_logins": row.failures,
                            "locked_until": row.locked_until.isoformat()})


def succeeded(session: Session, row: SignInThrottle) -> None:
    session.delete(row)


def lift(session: Session, username: str) -> None:
    """Lift every lock on a username (an administrator set a new password)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.username == normalized(username)))
