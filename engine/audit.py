"""Append-only audit events, added to the caller's session (same transaction as the change)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine import clock
from engine.models import AuditEvent

_INSERT = insert(AuditEvent)


def record(session: Session, action: str, *, actor_id: int | None = None, instance_id: int | None = None,
           task_id: str | None = None, bpmn_id: str | None = None, before: Any = None, after: Any = None,
           message: str | None = None) -> None:
    """Insert one audit event; it commits or rolls back with the change it describes."""
    # A Core INSERT on the session's connection: the log is append-only, so the unit of work has
    # nothing to track, and nothing pending is flushed early (the change is flushed once, at commit).
    session.connection().execute(_INSERT, {
        "at": clock.now(), "action": action, "actor_id": actor_id, "instance_id": instance_id, "task_id": task_id,
        "bpmn_id": bpmn_id, "data_before": before, "data_after": after, "message": message})
