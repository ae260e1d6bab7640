"""Sign-in state kept on the server: each browser session a user opened (so signing out, a
deactivation or a password change ends it for good, whatever copy of the cookie exists), and the
sign-in throttle per attempted username and client address (the same for names that exist and
names that do not)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.columns import UTCDateTime
from engine.columns import created
from engine.columns import intpk
from engine.models import Base


class UserSession(Base):
    """A signed-in browser session: the cookie carries a random key, only its sha256 is kept."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_id", "ended_at"),)
    id: Mapped[intpk]
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created]
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed_out | timed_out | password_changed | deactivated | access_changed | replaced
    end_reason: Mapped[str | None] = mapped_column(String(20))


class SignInThrottle(Base):
    """Failed sign-ins in a row for one (normalized username, client address), and the lock they
    earned. A row exists whether or not the username does, so the lock tells nothing about it."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("username", "client"),)
    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80))  # stripped and case-folded, as attempted
    client: Mapped[str] = mapped_column(String(64))  # the client's address ("" when unknown)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[created]
