"""Service-task operators: the only side doors a BPMN may call, each a small named function.

A BPMN service task names its operator (``spiffworkflow:serviceTaskOperator id=...``); deploy
refuses unknown names. Operators read the database through the session of the running call and
see only the calling instance's jurisdiction.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Pilot
from engine.models import TaskStatus

Operator = Callable[[Session, Instance, dict[str, Any]], Any]


def gather_task_data(session: Session, instance: Instance, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Completed data of task ``bpmn_id`` in calendar ``year`` (China time), for every pilot of
    the calling instance's province: how a provincial summary collects its pilots' reports."""
    bpmn_id, year = str(params.get("bpmn_id", "")), int(params.get("year", 0))
    start = datetime(year, 1, 1, tzinfo=clock.CHINA)
    end = datetime(year + 1, 1, 1, tzinfo=clock.CHINA)
    rows = session.execute(
        select(HumanTask, Pilot.name).join(Pilot, Pilot.id == HumanTask.pilot_id)
        .where(HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskStatus.COMPLETED,
               HumanTask.province_id == instance.province_id,
               HumanTask.completed_at >= start, HumanTask.completed_at < end)
        .order_by(Pilot.name, HumanTask.completed_at))
    return [{"pilot_id": task.pilot_id, "pilot_name": name, "completed_at": task.completed_at.isoformat()
             if task.completed_at else None, "data": task.data or {}} for task, name in rows]


OPERATORS: dict[str, Operator] = {"gather_task_data": gather_task_data}
NAMES = frozenset(OPERATORS)


def bound(session: Session, instance: Instance) -> dict[str, Callable[[dict[str, Any]], Any]]:
    """Operators bound to one call's session and instance, as the script environment wants them."""
    return {name: functools.partial(op, session, instance) for name, op in OPERATORS.items()}
