"""Server-side browser sessions: opened at sign-in, looked up with the user on every request
(users.account), ended by signing out, a timeout, a password change or a deactivation. A copied
cookie is worth nothing once its session has ended here.

The cookie holds a random key; only its sha256 is stored, so the table leaks no usable session.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine.db import transaction
from engine.models import User
from engine.models_auth import UserSession

# A session's last_seen_at is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
REASONS = ("signed_out", "timed_out", "password_changed", "deactivated", "access_changed")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(db: sessionmaker[Session], user_id: int, *, max_age: timedelta) -> str:
    """Open a session for an active user and return its key (for the cookie; never stored).

    The user's sessions that ended or are older than ``max_age`` are removed on the way, so the
    table holds about one row per open browser."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction(db) as session:
        session.execute(delete(UserSession).where(
            UserSession.user_id == user_id,
            or_(UserSession.ended_at.is_not(None), UserSession.created_at < now - max_age)))
        session.add(UserSession(key_hash=digest(key), user_id=user_id, created_at=now, last_seen_at=now))
    return key


def end_session(db: sessionmaker[Session], key: str, reason: str = "signed_out") -> None:
    """End the session with this key (signing out, a timeout); unknown or ended keys: nothing."""
    with transaction(db) as session:
        session.execute(update(UserSession).where(UserSession.key_hash == digest(key),
                                                  UserSession.ended_at.is_(None))
                        .values(ended_at=clock.now(), end_reason=reason))


def end_all(session: Session, user: User, reason: str) -> None:
    """End every session of ``user`` inside the caller's transaction (a password change, a
    deactivation, a new role or jurisdiction)."""
    user.session_version += 1
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                    .values(ended_at=clock.now(), end_reason=reason))


def touch(db: sessionmaker[Session], key: str) -> None:
    """Note that the session was used now (called at most every TOUCH_EVERY per session)."""
    with transaction(db) as session:
        session.execute(update(UserSession).where(UserSession.key_hash == digest(key),
                                                  UserSession.ended_at.is_(None))
                        .values(last_seen_at=clock.now()))


def open_sessions(db: sessionmaker[Session], user_id: int) -> int:
    """How many sessions of the user are open (for the profile page and tests)."""
    with db() as session:
        return len(session.scalars(select(UserSession.id).where(UserSession.user_id == user_id,
                                                                UserSession.ended_at.is_(None))).all())
