"""Typed ORM models of notifications: what a user is told in the app, and the mail outbox the
worker sends from. A notification keeps its kind and parameters, never rendered text, so each
reader (the page, the API, the mail) words it in its own language."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from engine.columns import UTCDateTime
from engine.columns import created
from engine.columns import intpk
from engine.models import Base
from engine.models import _enum


class Kind(str, enum.Enum):
    TASK_ARRIVED = "task_arrived"  # a task is in a queue the user may claim from
    TASK_ASSIGNED = "task_assigned"  # a task was handed to the user (转办)
    REVISION_REQUESTED = "revision_requested"  # the user's submission was sent back
    DUE_SOON = "due_soon"  # a task the user may do is due within the lead time
    OVERDUE = "overdue"  # a task the user may do is past its due date
    ESCALATED = "escalated"  # a task in the user's province is overdue (to its reviewers)


class MailState(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; due again once its lease is over (the worker died)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient", "recipient_id", "id"),  # the list, newest first
        Index("ix_notification_unread", "recipient_id", "read_at", "id"),  # the bell
    )
    id: Mapped[intpk]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    task_id: Mapped[str | None] = mapped_column(String(36))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id"))
    params: Mapped[dict[str, Any]]  # task name, pilot name, due date, round: the words' ingredients
    created_at: Mapped[created]
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailOutbox(Base):
    """One e-mail to send for a notification, written in the notification's transaction."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[intpk]
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10))
    state: Mapped[MailState] = mapped_column(_enum(MailState))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[created]
    notification: Mapped[Notification] = relationship()
