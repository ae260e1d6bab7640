"""An administrator operating a running instance: send the pilot back to an earlier step
(SpiffWorkflow's reset), and retry an instance that stopped with an error.

Sending back rewinds the workflow to a completed user task still in its tree (pruning keeps the
path from the last step everyone passed; older steps are gone from SpiffWorkflow's state and
cannot be reset to). The rewound step is offered again as a new task (a new id and a new round,
the old row stays completed in the record); tasks after it are withdrawn; timers attached to it are
armed afresh from the moment of the send-back, and timers of withdrawn steps are forgotten
(SpiffWorkflow leaves them in its event manager, where the next refresh would crash).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from uuid import uuid4

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import lookup
from engine import runtime
from engine import state
from engine.db import transaction
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import WorkflowFailed
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import TaskStatus

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Target:
    """A completed step the instance can be sent back to."""

    task_id: str
    bpmn_id: str
    name: str
    round: int
    completed_at: datetime | None
    completed_by: str | None


@dataclass(frozen=True)
class Retried:
    ok: bool
    error: str | None  # the new error when it failed again


def send_back_targets(session: Session, instance: Instance) -> list[Target]:
    """The completed user tasks a running instance can be sent back to, earliest first."""
    if instance.state != InstanceState.RUNNING:
        return []
    wf = state.restore(instance)
    ids = [str(t.id) for t in wf.get_tasks(state=TaskState.COMPLETED, manual=True, skip_subprocesses=True)
           if _resettable(t)]
    rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(ids), HumanTask.state == TaskStatus.COMPLETED)
                           .options(selectinload(HumanTask.claimed_by)).order_by(HumanTask.completed_at))
    return [Target(r.id, r.bpmn_id, r.name, r.round, r.completed_at, r.claimed_by.label if r.claimed_by else None)
            for r in rows]


def send_back(db: sessionmaker[Session], instance_id: int, task_id: str, *, user_id: Caller, reason: str) -> str:
    """Send a running instance back to an earlier, completed user task; return the new task's id."""
    _require_reason(reason)
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        instance = lookup.visible_instance(session, actor, instance_id)
        if instance.state != InstanceState.RUNNING:
            raise InvalidState(f"the instance is {instance.state.value}", reason=f"instance_{instance.state.value}")
        wf = state.restore(instance)
        task = _target(wf, task_id)
        withdrawn = [r.name for r in session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskStatus.READY))]
        new_id: list[UUID] = []

        def act() -> None:
            wf.reset_from_task_id(task.id)
            _forget_removed_events(wf)
            new_id.append(_rekey(wf, task))

        runtime.run_and_save(session, instance, wf, act)
        audit.record(session, "instance_sent_back", actor_id=actor.id, instance_id=instance.id,
                     task_id=str(new_id[0]), bpmn_id=task.task_spec.bpmn_id, before={"withdrawn": withdrawn},
                     after={"to": task.task_spec.bpmn_id, "from_task": task_id}, message=reason.strip())
        return str(new_id[0])


def retry(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> Retried:
    """Run an instance in error again from its saved state (its timers, then the engine); if it
    fails again it stays in error with the new message."""
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        instance = lookup.visible_instance(session, actor, instance_id)
        if instance.state != InstanceState.ERROR:
            raise InvalidState("only an instance in error can be retried", reason="not_in_error")
        previous = instance.error
        try:
            with session.begin_nested():  # a failed run leaves nothing behind but the new error
                instance.state, instance.error = InstanceState.RUNNING, None
                wf = state.restore(instance)
                runtime.run_and_save(session, instance, wf, wf.refresh_timers)
        except WorkflowFailed as exc:
            instance.state, instance.error = InstanceState.ERROR, exc.message
            audit.record(session, "instance_error", actor_id=actor.id, instance_id=instance.id,
                         before={"error": previous}, message=exc.message)
            return Retried(False, exc.message)
        audit.record(session, "instance_retried", actor_id=actor.id, instance_id=instance.id,
                     before={"state": "error", "error": previous}, after={"state": instance.state.value})
        return Retried(True, None)


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise InvalidData("a reason is required", [{"field": "reason", "message": "required"}],
                          reason="reason_required")


def _resettable(task: Task) -> bool:
    """A completed user task of the top-level process, outside any loop, on the path to a live task."""
    if isinstance(task.task_spec, LoopTask) or (task.parent is not None and isinstance(task.parent.task_spec,
                                                                                        LoopTask)):
        return False
    return any(t.state & LIVE for t in task)


def _target(wf: BpmnWorkflow, task_id: str) -> Task:
    try:
        task = wf.tasks.get(UUID(task_id))
    except ValueError:
        task = None
    if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual or not _resettable(task):
        raise InvalidState("the process cannot be sent back to this step", reason="cannot_send_back")
    return task


def _forget_removed_events(wf: BpmnWorkflow) -> None:
    alive = {*wf.tasks, *(tid for sp in wf.subprocesses.values() for tid in sp.tasks)}
    for task_id in [tid for tid in wf.event_manager.tasks if tid not in alive]:
        del wf.event_manager.tasks[task_id]


def _rekey(wf: BpmnWorkflow, task: Task) -> UUID:
    """Give the rewound task a new id: it is offered anew, and the completed one stays on record."""
    old, new = task.id, uuid4()
    items = list(wf.tasks.items())
    wf.tasks.clear()
    wf.tasks.update((new if tid == old else tid, t) for tid, t in items)  # parents stay before children
    task.id = new
    if task.parent is not None:
        task.parent._children = [new if c == old else c for c in task.parent._children]
    for child in task.children:
        child._parent = new
    return new
