"""Firing due timers: the worker's loop. Safe to run as several processes on PostgreSQL."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import clock
from engine import db as dbutil
from engine import runtime
from engine import state
from engine.db import transaction
from engine.errors import ConflictError
from engine.errors import WorkflowFailed
from engine.models import Instance
from engine.models import InstanceState

log = logging.getLogger(__name__)


class _NothingFired(Exception):
    """The instance was due, yet running its timers changed nothing."""


def fire_due_timers(db: sessionmaker[Session], *, limit: int = 1000) -> int:
    """Fire every timer due by now (per the engine clock); return how many instances moved.

    Each instance is handled in its own transaction and locked with SKIP LOCKED, so parallel
    workers split the work and one broken instance does not hold up the others.
    """
    fired, skipped = 0, set[int]()
    while fired + len(skipped) < limit:
        outcome = _fire_one(db, clock.now(), skipped)
        if outcome is None:
            break
        instance_id, ok = outcome
        if ok:
            fired += 1
        else:
            skipped.add(instance_id)
    return fired


def _fire_one(db: sessionmaker[Session], now: datetime, skipped: set[int]) -> tuple[int, bool] | None:
    instance_id = 0
    try:
        with transaction(db) as session:
            stmt = (select(Instance).where(Instance.state == InstanceState.RUNNING,
                                           Instance.next_timer_at <= now, Instance.id.not_in(skipped))
                    .order_by(Instance.next_timer_at).limit(1))
            instance = session.scalar(dbutil.lock_skip_locked(session, stmt))
            if instance is None:
                return None
            instance_id = instance.id
            wf = state.restore(instance)
            before = {e.name for e in wf.waiting_events()}

            def act() -> None:
                wf.refresh_timers()

            due_before = instance.next_timer_at
            runtime.run_and_save(session, instance, wf, act)
            after = {e.name for e in wf.waiting_events()}
            if before == after and instance.next_timer_at == due_before:
                # SpiffWorkflow fires a timer only once the clock is past its time: standing exactly
                # on it, nothing moved. Roll back (no empty audit event) and skip it this round.
                raise _NothingFired
            audit.record(session, "timer_fired", instance_id=instance_id,
                         after={"fired": sorted(n for n in before - after if n)}, message=None)
            return instance_id, True
    except _NothingFired:
        return instance_id, False
    except ConflictError:
        return instance_id, False  # someone completed a task meanwhile; next round picks it up
    except WorkflowFailed as exc:
        _mark_error(db, instance_id, str(exc))
        return instance_id, False


def _mark_error(db: sessionmaker[Session], instance_id: int, message: str) -> None:
    log.error("instance %s failed while firing timers: %s", instance_id, message)
    with transaction(db) as session:
        instance = session.get(Instance, instance_id)
        if instance is not None:
            instance.state, instance.error = InstanceState.ERROR, message
            audit.record(session, "instance_error", instance_id=instance_id, message=message)


