"""Runtime calls: start, complete, drafts, claim/unclaim/reassign, messages, suspend/resume/cancel.

Each public call is one transaction: load, check access, act, run the engine until it waits,
save state + human_task rows + audit event, commit once. A concurrent change to the same
instance surfaces as ConflictError (optimistic version counter) and changes nothing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import audit
from engine import clock
from engine import definitions
from engine import expressions
from engine import forms
from engine import inbox
from engine import lookup
from engine import notifications
from engine import pruning
from engine import queries
from engine import services
from engine import state
from engine import workflow
from engine.db import transaction
from engine.errors import ConflictError
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import NotFound
from engine.errors import WorkflowFailed
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessVersion
from engine.models import Province
from engine.models import TaskStatus
from engine.models import User
from engine.queries import InstanceView

# RecursionError: SpiffWorkflow recurses along the task tree; pruning keeps it shallow, this is the backstop.
ENGINE_ERRORS = (SpiffWorkflowException, expressions.ExpressionError, workflow.RunawayWorkflow, RecursionError)


def start(db: sessionmaker[Session], process: str, *, user_id: Caller, pilot_id: int | None = None,
          province_id: int | None = None) -> int:
    """Start the live version of ``process`` for a pilot (or, for a provincial process, a province)."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        version = definitions.live_version(session, process)
        if version is None:
            raise NotFound(f"no process definition {process!r}", reason="process_not_found", process=process)
        pilot, province = _subject(session, version, pilot_id, province_id)
        province_id = province.id if province is not None else None
        if not access.may_start(user, province_id, pilot_id):
            raise Forbidden("this pilot or province is outside your jurisdiction", reason="outside_jurisdiction")
        running = session.scalar(select(Instance.id).where(
            Instance.version_id.in_([v.id for v in version.definition.versions]),
            Instance.pilot_id.is_(pilot_id) if pilot_id is None else Instance.pilot_id == pilot_id,
            Instance.province_id == province_id,
            Instance.state.in_([InstanceState.RUNNING, InstanceState.SUSPENDED])))
        if running is not None:
            raise ConflictError(f"instance {running} of {process!r} is already running here",
                                reason="already_running", instance_id=running)
        spec, subprocess_specs = state.SPEC_CACHE.get(version.spec_hash, lambda: version.spec_json)
        wf = BpmnWorkflow(spec, subprocess_specs)
        wf.task_tree.data.update({"pilot_id": pilot_id, "pilot_name": pilot.name if pilot else None,
                                  "province_id": province_id, "province_name": province.name if province else None})
        instance = Instance(version_id=version.id, pilot_id=pilot_id, province_id=province_id,
                            state=InstanceState.RUNNING, workflow_json="{}", started_by_id=user.id,
                            serializer_version=state.SERIALIZER_VERSION, started_at=clock.now())
        session.add(instance)
        session.flush()
        audit.record(session, "instance_started", actor_id=user.id, instance_id=instance.id,
                     after={"process": process, "version": version.number, "pilot_id": pilot_id,
                            "province_id": province_id})
        run_and_save(session, instance, wf, lambda: None)
        return instance.id


def complete(db: sessionmaker[Session], task_id: str, *, user_id: Caller, data: Any,
             instance_version: int | None = None) -> InstanceView:
    """Complete a ready user task with form data; return its instance with the tasks now ready,
    read in the same transaction (what an API client or a page wants next).

    ``instance_version`` is the optimistic-lock token the caller saw (the instance's version when
    the task was opened): if the process moved on since, nothing is done (ConflictError)."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        instance = row.instance
        if instance_version is not None and instance_version != instance.lock_version:
            raise ConflictError("the process changed since you opened this task; reload and try again",
                                reason="instance_changed")
        clean = forms.check(session, instance.version_id, row.form, data)
        wf = state.restore(instance)
        task = wf.get_task_from_id(UUID(task_id))
        # SpiffWorkflow's run() has no state guard: check READY, manual and lane ourselves.
        if task.state != TaskState.READY or not task.task_spec.manual \
                or not access.may_act_in_lane(user, task.task_spec.lane, instance):
            raise InvalidState("this task cannot be completed now", reason="task_not_ready")
        before = {k: task.data.get(k) for k in clean}

        def act() -> None:
            task.set_data(**clean)
            task.run()

        row.state, row.completed_at, row.completed_by_id = TaskStatus.COMPLETED, clock.now(), user.id
        row.hours = max((row.completed_at - row.created_at).total_seconds() / 3600, 0.0)
        row.claimed_by_id, row.data, row.draft = user.id, clean, None
        audit.record(session, "task_completed", actor_id=user.id, instance_id=instance.id, task_id=task_id,
                     bpmn_id=row.bpmn_id, before=before, after=clean)
        run_and_save(session, instance, wf, act, opened_by=task_id)
        return queries.instance_view(session, instance)


def save_draft(db: sessionmaker[Session], task_id: str, *, user_id: Caller, data: dict[str, Any]) -> datetime:
    """Keep the form as typed so far (complete or not) on a ready task the user may work on (暂存)."""
    if not isinstance(data, dict):
        raise InvalidData("a draft must be a JSON object", [{"field": "", "message": "expected an object"}])
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        now = clock.now()
        row.draft, row.draft_saved_at = data, now
        audit.record(session, "draft_saved", actor_id=user.id, instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id)
        return now


def task_draft(db: sessionmaker[Session], task_id: str, *,
               user_id: Caller) -> tuple[dict[str, Any] | None, datetime | None]:
    """The draft saved on a ready task and when it was saved, for a user who may act on the task
    ((None, None) when there is none)."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.open_task(session, user, task_id)
        return (dict(row.draft) if row.draft is not None else None), row.draft_saved_at


def discard_draft(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> None:
    """Throw away the draft of a ready task the user may work on; without a draft it is a no-op."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        if row.draft is None:
            return
        row.draft, row.draft_saved_at = None, None
        audit.record(session, "draft_discarded", actor_id=user.id, instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id)


def claim(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> None:
    """Take a group task; claiming your own task again is a no-op."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        if row.claimed_by_id == user.id:
            return
        _set_claim(session, row, None, user.id)
        audit.record(session, "task_claimed", actor_id=user.id, instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id)


def unclaim(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> None:
    """Give a claimed task back to the group (the holder, or a reviewer who may reassign)."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.open_task(session, user, task_id, manage=True)
        if row.claimed_by_id is None:
            return
        if row.claimed_by_id != user.id and not access.may_reassign(user, row):
            raise Forbidden("only the user holding this task can release it", reason="not_holder")
        _set_claim(session, row, row.claimed_by_id, None)
        audit.record(session, "task_unclaimed", actor_id=user.id, instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id)


def reassign(db: sessionmaker[Session], task_id: str, *, user_id: Caller, to_user_id: int) -> None:
    """Hand a task to another user who may do it (转办), e.g. when its holder is absent."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.reassignable_task(session, user, task_id)
        target = session.get(User, to_user_id)
        if target is None or not access.may_act_on_task(target, row):
            raise InvalidData("that user cannot work on this task",
                              [{"field": "to_user_id", "message": "not eligible"}], reason="not_eligible")
        _set_claim(session, row, row.claimed_by_id, target.id)
        notifications.task_assigned(session, row, target)
        audit.record(session, "task_reassigned", actor_id=user.id, instance_id=row.instance_id, task_id=task_id,
                     bpmn_id=row.bpmn_id, after={"to_user_id": target.id, "to": target.username})


def send_message(db: sessionmaker[Session], instance_id: int, name: str, *, user_id: Caller,
                 payload: dict[str, Any] | None = None) -> None:
    """Deliver a message the instance waits for (e.g. open an inspection); the lane of the
    catching event decides who may send it."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        instance = lookup.visible_instance(session, user, instance_id)
        _require_running(instance)
        offered = {m["name"]: m for m in instance.waiting_messages or []}
        if name not in offered:
            raise InvalidState(f"the process is not waiting for message {name!r}", reason="message_not_awaited",
                               name=name)
        if not access.may_act_in_lane(user, offered[name]["lane"], instance):
            raise Forbidden("your role may not send this message", reason="message_not_yours")
        if payload is not None and not isinstance(payload, dict):
            raise InvalidData("payload must be a JSON object")
        wf = state.restore(instance)

        def act() -> None:
            wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload or {}))

        run_and_save(session, instance, wf, act)
        audit.record(session, "message_sent", actor_id=user.id, instance_id=instance.id, after=payload,
                     bpmn_id=offered[name].get("bpmn_id"), message=name)


def suspend(db: sessionmaker[Session], instance_id: int, *, user_id: Caller, reason: str) -> None:
    _admin_transition(db, instance_id, user_id, reason, target=InstanceState.SUSPENDED,
                      allowed_from={InstanceState.RUNNING})


def resume(db: sessionmaker[Session], instance_id: int, *, user_id: Caller, reason: str) -> None:
    _admin_transition(db, instance_id, user_id, reason, target=InstanceState.RUNNING,
                      allowed_from={InstanceState.SUSPENDED, InstanceState.ERROR})


def cancel(db: sessionmaker[Session], instance_id: int, *, user_id: Caller, reason: str) -> None:
    _admin_transition(db, instance_id, user_id, reason, target=InstanceState.CANCELLED,
                      allowed_from={InstanceState.RUNNING, InstanceState.SUSPENDED, InstanceState.ERROR})


def _admin_transition(db: sessionmaker[Session], instance_id: int, user_id: Caller, reason: str, *,
                      target: InstanceState, allowed_from: set[InstanceState]) -> None:
    if not (reason or "").strip():
        raise InvalidData("a reason is required", [{"field": "reason", "message": "required"}],
                          reason="reason_required")
    with transaction(db) as session:
        user = lookup.administrator(session, user_id)
        instance = lookup.visible_instance(session, user, instance_id)
        if instance.state not in allowed_from:
            raise InvalidState(f"a {instance.state.value} instance cannot become {target.value}",
                               reason="bad_transition")
        before = instance.state.value
        instance.state, instance.updated_at = target, clock.now()
        if target == InstanceState.CANCELLED:
            instance.ended_at, instance.next_timer_at = clock.now(), None
            session.execute(update(HumanTask).where(HumanTask.instance_id == instance.id,
                                                    HumanTask.state == TaskStatus.READY)
                            .values(state=TaskStatus.CANCELLED, completed_at=clock.now()))
        if target == InstanceState.RUNNING:
            instance.error = None
        audit.record(session, f"instance_{target.value}" if target != InstanceState.RUNNING else "instance_resumed",
                     actor_id=user.id, instance_id=instance.id, before={"state": before},
                     after={"state": target.value}, message=reason.strip())


# --- helpers shared by the calls above and by timers -------------------------------------------

def _subject(session: Session, version: ProcessVersion, pilot_id: int | None,
             province_id: int | None) -> tuple[Pilot | None, Province | None]:
    """The pilot (or, for a provincial process, the province) an instance is started for."""
    pilot = session.get(Pilot, pilot_id) if pilot_id is not None else None
    if pilot_id is not None and pilot is None:
        raise NotFound(f"no pilot {pilot_id}", reason="pilot_not_found")
    if pilot is not None:
        province_id = pilot.province_id
    elif version.needs_pilot:
        raise InvalidData(f"{version.definition.key!r} has City tasks, so it needs a pilot",
                          [{"field": "pilot_id", "message": "required"}], reason="pilot_required")
    province = session.get(Province, province_id) if province_id is not None else None
    if province_id is not None and province is None:
        raise NotFound(f"no province {province_id}", reason="province_not_found")
    return pilot, province


def _require_running(instance: Instance) -> None:
    if instance.state != InstanceState.RUNNING:
        raise InvalidState(f"the instance is {instance.state.value}", reason=f"instance_{instance.state.value}")


def _set_claim(session: Session, row: HumanTask, expected: int | None, new: int | None) -> None:
    # Compare-and-set: two people claiming at once cannot both win.
    holder = HumanTask.claimed_by_id.is_(None) if expected is None else HumanTask.claimed_by_id == expected
    result = session.execute(update(HumanTask).where(HumanTask.id == row.id, HumanTask.state == TaskStatus.READY,
                                                     holder).values(claimed_by_id=new)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("someone else claimed this task first", reason="claimed_by_other")
    session.expire(row, ["claimed_by_id"])


def run_and_save(session: Session, instance: Instance, wf: BpmnWorkflow, act: Any,
                 opened_by: str | None = None) -> None:
    """Run ``act`` (complete a task, fire a timer …) and the engine after it, then save; the tasks it
    offers are recorded as opened by the task ``opened_by``."""
    wf.script_engine = workflow.script_engine(services.bound(session, instance))
    try:
        act()
        now = workflow.advance(wf)
    except ENGINE_ERRORS as exc:
        raise WorkflowFailed(f"the process could not continue: {exc}", reason="workflow_failed") from exc
    save(session, instance, wf, now, opened_by)


def save(session: Session, instance: Instance, wf: BpmnWorkflow, now: workflow.Snapshot,
         opened_by: str | None = None) -> None:
    """Write the workflow state and everything derived from it (tasks, timers, stage)."""
    at = clock.now()
    visited = set(instance.visited or ()) | now.completed | pruning.prune(wf)
    with session.no_autoflush:  # one UPDATE of the instance, not one per query below
        if len(visited) != len(instance.visited or ()):
            instance.visited = sorted(visited)
        instance.workflow_json = state.dump_state(wf)
        instance.serializer_version = state.SERIALIZER_VERSION
        instance.updated_at = at
        instance.waiting_messages = workflow.waiting_messages(wf)
        inbox.sync(session, instance, now.ready, at, opened_by)
        if now.finished(wf):
            instance.state, instance.ended_at, instance.next_timer_at = InstanceState.COMPLETED, at, None
            instance.stage = (workflow.outcome(wf) or "")[:400] or None  # where it ended: its outcome
            audit.record(session, "instance_completed", instance_id=instance.id,
                         after={k: v for k, v in wf.data.items() if isinstance(v, (str, int, float, bool))})
            return
        instance.next_timer_at = workflow.next_timer(wf)
        names = sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in now.ready})
        instance.stage = ", ".join(names)[:400] or None
