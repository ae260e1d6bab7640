"""Moving running instances to another version of their process, and back.

SpiffWorkflow aligns the instance's task specs with the target version's (``SpecDiff`` /
``diff_workflow``) and re-points the tasks (``migrate_workflow``). Around that we decide what is
safe: a dry run does the whole migration in memory and says, per instance, whether it can move and
why not; the migration itself does the same and saves, keeping the prior state in
``instance_snapshot`` so that a revert puts back exactly that state and version.

Refused (with a reason code): a token (a READY, WAITING or STARTED task) in a step the target
removes, or in a step it changes beyond its flows, name, texts and form; anything inside a running
call activity or subprocess; a loop or multi-instance in progress; a finished instance; the
version it is on. Open tasks keep their ids, so open task pages, claims and drafts survive; a
waiting timer keeps its fire time (SpiffWorkflow would re-arm it from the moment of migration).

A batch is one action: one transaction, all or nothing. If any selected instance cannot move,
nothing moves and the error lists each refused instance (the dry run lists them beforehand).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff
from SpiffWorkflow.bpmn.util.diff import migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import bpmn
from engine import clock
from engine import lookup
from engine import queries
from engine import runtime
from engine import state
from engine import workflow
from engine.db import transaction
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceSnapshot
from engine.models import InstanceState
from engine.models import ProcessVersion
from engine.models import TaskStatus

MAX_BATCH = 200  # instances one action may move (each is restored and migrated in memory)
MOVABLE = {InstanceState.RUNNING, InstanceState.SUSPENDED, InstanceState.ERROR}
LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# What a new version may change about a step a token stands in: the flows around it, its name and
# texts, its form and scripts. Anything else (its kind, lane, event, loop) refuses the move.
COMPATIBLE = frozenset({"inputs", "outputs", "bpmn_name", "description", "documentation", "extensions",
                        "data_input_associations", "data_output_associations", "io_specification",
                        "prescript", "postscript", "variable", "lookahead"})


@dataclass(frozen=True)
class Step:
    bpmn_id: str
    name: str | None
    attributes: tuple[str, ...] = ()  # for a changed step: what changed


@dataclass(frozen=True)
class Changes:
    """What the target version changes against the version an instance is on."""

    added: list[Step]
    removed: list[Step]
    changed: list[Step]


@dataclass(frozen=True)
class Verdict:
    """One instance in a dry run or a migration: can it move, and if not, why and where."""

    instance_id: int
    pilot: str | None
    province: str | None
    state: str
    stage: str | None
    from_version: int
    to_version: int
    can_move: bool
    reason: str | None  # the refusal's code ("token_in_removed_step" …)
    element: str | None  # the step it is about (its name, else its BPMN id)
    changes: Changes


@dataclass(frozen=True)
class Plan:
    process: str
    process_name: str
    to_version: int
    instances: list[Verdict] = field(default_factory=list)

    @property
    def movable(self) -> list[Verdict]:
        return [v for v in self.instances if v.can_move]


class _Refused(Exception):
    def __init__(self, reason: str, element: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.element = reason, element


def plan(db: sessionmaker[Session], instance_ids: list[int], *, to_version: int, user_id: Caller) -> Plan:
    """Dry run: migrate each instance in memory and say whether it can move; nothing is saved."""
    with db() as session:
        instances, target = _load(session, user_id, instance_ids, to_version)
        result = _plan(target)
        for instance in instances:
            result.instances.append(_trial(instance, target)[0])
        session.rollback()
        return result


def migrate(db: sessionmaker[Session], instance_ids: list[int], *, to_version: int, user_id: Caller,
            reason: str | None = None) -> Plan:
    """Move the instances to version ``to_version`` of their process: one audited action, all or
    nothing (InvalidState listing each refused instance, and nothing moved)."""
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        instances, target = _load(session, user_id, instance_ids, to_version)
        result, trials = _plan(target), []
        for instance in instances:
            verdict, wf = _trial(instance, target)
            result.instances.append(verdict)
            trials.append((instance, wf))
        refused = [v for v in result.instances if not v.can_move]
        if refused:
            raise InvalidState(f"{len(refused)} of {len(instance_ids)} instance(s) cannot move; nothing was migrated",
                               [{"instance_id": v.instance_id, "reason": v.reason, "element": v.element}
                                for v in refused], reason="migration_refused", n=len(refused))
        batch, note = str(uuid.uuid4()), (reason or "").strip()[:2000] or None
        for (instance, wf), verdict in zip(trials, result.instances, strict=True):
            _apply(session, instance, wf, target, verdict, batch=batch, actor_id=actor.id, reason=note)
        return result


def revert(db: sessionmaker[Session], instance_id: int, *, user_id: Caller,
           reason: str | None = None) -> queries.InstanceView:
    """Put back the state and version an instance had before its last migration; refused once the
    instance moved on since (anything changed it: a completion, a timer, a suspension …)."""
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        instance = lookup.visible_instance(session, actor, instance_id)
        snap = revertible(session, instance.id)
        if snap is None:
            raise InvalidState("this instance has no migration to revert", reason="nothing_to_revert")
        if snap.lock_version != instance.lock_version:
            raise ConflictError("the instance moved on since it was migrated; reverting would lose that",
                                reason="instance_moved_on")
        migrated_from = instance.version.number
        prior = session.get(ProcessVersion, snap.version_id)
        assert prior is not None  # a foreign key
        instance.version_id, instance.version = prior.id, prior
        instance.workflow_json, instance.serializer_version = snap.workflow_json, snap.serializer_version
        wf = state.restore(instance)
        runtime.save(session, instance, wf, workflow.snapshot(wf))
        instance.workflow_json = snap.workflow_json  # exactly as kept, byte for byte
        _refresh_rows(session, instance, wf)
        snap.reverted_at, snap.reverted_by_id = clock.now(), actor.id
        audit.record(session, "instance_migration_reverted", actor_id=actor.id, instance_id=instance.id,
                     before={"version": migrated_from}, after={"version": prior.number, "batch": snap.batch},
                     message=(reason or "").strip()[:2000] or None)
        session.flush()
        return queries.instance_view(session, instance)


def revertible(session: Session, instance_id: int) -> InstanceSnapshot | None:
    """The snapshot a revert would restore: the instance's last migration, if not reverted yet."""
    last = session.scalar(select(InstanceSnapshot).where(InstanceSnapshot.instance_id == instance_id)
                          .order_by(InstanceSnapshot.id.desc()).limit(1))
    return last if last is not None and last.reverted_at is None else None


# --- loading and judging ------------------------------------------------------------------------

def _load(session: Session, user_id: Caller, instance_ids: list[int],
          to_version: int) -> tuple[list[Instance], ProcessVersion]:
    user = lookup.administrator(session, user_id)
    ids = list(dict.fromkeys(instance_ids))
    if not ids:
        raise InvalidData("choose at least one instance", [{"field": "instance_ids", "message": "required"}],
                          reason="no_instances")
    if len(ids) > MAX_BATCH:
        raise InvalidData(f"at most {MAX_BATCH} instances at once",
                          [{"field": "instance_ids", "message": "too many"}], reason="too_many_instances",
                          n=MAX_BATCH)
    instances = [lookup.visible_instance(session, user, i) for i in ids]
    definitions = {i.version.definition_id for i in instances}
    if len(definitions) != 1:
        raise InvalidData("the instances belong to different processes",
                          [{"field": "instance_ids", "message": "mixed processes"}], reason="mixed_processes")
    target = session.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definitions.pop(),
                                                         ProcessVersion.number == to_version))
    if target is None:
        raise NotFound(f"the process has no version {to_version}", reason="version_not_found", n=to_version)
    return instances, target


def _plan(target: ProcessVersion) -> Plan:
    return Plan(target.definition.key, target.definition.name, target.number)


def _trial(instance: Instance, target: ProcessVersion) -> tuple[Verdict, BpmnWorkflow | None]:
    """Migrate the instance's workflow in memory (the instance row is not touched)."""
    new_spec, new_deps = state.SPEC_CACHE.get(target.spec_hash, lambda: target.spec_json)
    changes, wf = Changes([], [], []), None
    try:
        if instance.version_id == target.id:
            raise _Refused("same_version")
        if instance.state not in MOVABLE:
            raise _Refused(f"instance_{instance.state.value}")
        wf = state.restore(instance)
        diff = SpecDiff(state.SERIALIZER.registry, wf.spec, new_spec)
        changes = _changes(diff)
        _check(wf, diff)
        _move(wf, diff, new_spec, new_deps)
        reason, element = None, None
    except _Refused as refusal:
        reason, element, wf = refusal.reason, refusal.element, None
    verdict = Verdict(instance.id, instance.pilot.name if instance.pilot else None,
                      instance.province.name if instance.province else None, instance.state.value, instance.stage,
                      instance.version.number, target.number, reason is None, reason, element, changes)
    return verdict, wf


def _changes(diff: SpecDiff) -> Changes:
    def steps(specs: Any) -> list[Step]:
        return sorted({Step(s.bpmn_id, s.bpmn_name) for s in specs if getattr(s, "bpmn_id", None)},
                      key=lambda s: s.bpmn_id)

    changed = sorted({Step(s.bpmn_id, s.bpmn_name, tuple(sorted(attrs))) for s, attrs in diff.changed.items()
                      if getattr(s, "bpmn_id", None) and set(attrs) - {"inputs", "outputs"}},
                     key=lambda s: s.bpmn_id)
    return Changes(steps(diff.added), steps(diff.removed), changed)


def _name(task: Task) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _check(wf: BpmnWorkflow, diff: SpecDiff) -> None:
    """Refuse what SpiffWorkflow cannot move safely (see the module docstring)."""
    for sp_id, sp in wf.subprocesses.items():
        if any(t.state & LIVE for t in sp.tasks.values()):
            caller = _task(wf, sp_id)
            raise _Refused("subprocess_running", _name(caller) if caller is not None else None)
    for task in wf.get_tasks(state=LIVE, skip_subprocesses=True):
        if isinstance(task.task_spec, SubWorkflowTask):
            raise _Refused("subprocess_running", _name(task))
        if isinstance(task.task_spec, LoopTask) or _inside_loop(task):
            raise _Refused("loop_running", _name(task))
        if diff.alignment.get(task.task_spec) is None:
            raise _Refused("token_in_removed_step", _name(task))
        if set(diff.changed.get(task.task_spec, ())) - COMPATIBLE:
            raise _Refused("token_in_changed_step", _name(task))


def _task(wf: BpmnWorkflow, task_id: Any) -> Task | None:
    try:
        return wf.get_task_from_id(task_id)
    except TaskNotFoundException:
        return None


def _inside_loop(task: Task) -> bool:
    parent = task.parent
    while parent is not None:
        if isinstance(parent.task_spec, LoopTask) and not parent.state & TaskState.FINISHED_MASK:
            return True
        parent = parent.parent
    return False


def _move(wf: BpmnWorkflow, diff: SpecDiff, new_spec: Any, new_deps: dict[str, Any]) -> None:
    ready = {t.id for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    # SpiffWorkflow resets waiting tasks, which re-arms a timer from now: keep when it fires.
    timers = {t.id: dict(t.internal_data) for t in wf.get_tasks(state=TaskState.WAITING, skip_subprocesses=True)
              if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)}
    _drop_removed_history(wf, diff)
    migrate_workflow(WorkflowDiff(wf, diff), wf, new_spec)
    wf.subprocess_specs = new_deps
    for task_id, internal in timers.items():
        task = wf.tasks.get(task_id)
        if task is not None and task.state == TaskState.WAITING:
            task.internal_data.update(internal)
    current = set(new_spec.task_specs.values())
    if any(t.task_spec not in current for t in wf.tasks.values()):
        raise _Refused("unsafe_structure")
    if any(getattr(getattr(_task(wf, sp_id), "task_spec", None), "spec", None) not in new_deps
           for sp_id in wf.subprocesses):
        raise _Refused("subprocess_removed")
    if not ready <= {t.id for t in wf.get_tasks(state=TaskState.READY, manual=True)}:
        raise _Refused("unsafe_structure")


def _drop_removed_history(wf: BpmnWorkflow, diff: SpecDiff) -> None:
    """Finished tasks of steps the target removed are history (kept in our own tables): take them
    out of the tree, their children moving up to their parent, so the state restores on the new
    spec. The root stays (a process without its start is refused)."""
    for task in [t for t in wf.tasks.values()
                 if t.state & TaskState.FINISHED_MASK and diff.alignment.get(t.task_spec) is None]:
        parent = task.parent
        if parent is None:
            raise _Refused("unsafe_structure")
        at = parent._children.index(task.id)
        parent._children[at:at + 1] = task._children
        for child in task.children:
            child._parent = parent.id
        del wf.tasks[task.id]
        wf.event_manager.remove_task(task)
        if wf.last_task is task:
            wf.last_task = None


# --- saving -------------------------------------------------------------------------------------

def _apply(session: Session, instance: Instance, wf: BpmnWorkflow | None, target: ProcessVersion,  # noqa: PLR0917
           verdict: Verdict, *, batch: str, actor_id: int, reason: str | None) -> None:
    assert wf is not None  # only instances that can move get here
    prior = (instance.version_id, instance.workflow_json, instance.serializer_version)
    instance.version_id, instance.version = target.id, target
    runtime.save(session, instance, wf, workflow.snapshot(wf))
    _refresh_rows(session, instance, wf)
    session.flush()  # the instance's lock version is now the one a revert must find
    session.add(InstanceSnapshot(instance_id=instance.id, version_id=prior[0], to_version_id=target.id,
                                 workflow_json=prior[1], serializer_version=prior[2],
                                 lock_version=instance.lock_version, batch=batch, reason=reason,
                                 taken_by_id=actor_id))
    audit.record(session, "instance_migrated", actor_id=actor_id, instance_id=instance.id,
                 before={"version": verdict.from_version},
                 after={"version": target.number, "batch": batch,
                        "added": [s.bpmn_id for s in verdict.changes.added],
                        "removed": [s.bpmn_id for s in verdict.changes.removed]},
                 message=reason)


def _refresh_rows(session: Session, instance: Instance, wf: BpmnWorkflow) -> None:
    """Open task rows take the name and form their step has in the version now in force."""
    tasks = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.state == TaskStatus.READY)):
        task = tasks.get(row.id)
        if task is not None:
            spec = task.task_spec
            row.name = (spec.bpmn_name or spec.bpmn_id)[:200]
            row.form, row.ui_form = bpmn.task_form(spec)
