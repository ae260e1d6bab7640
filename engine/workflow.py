"""Running a restored SpiffWorkflow safely: the script engine, a step budget, and what the
database needs to know about a workflow after it ran (ready tasks, due dates, timers, messages).

Everything here works on an in-memory workflow; callers own loading, saving and transactions.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine import expressions

MAX_STEPS_PER_CALL = 5_000      # tasks one call may run before we call it a runaway loop
MAX_SECONDS_PER_CALL = 10.0
TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


class RunawayWorkflow(Exception):
    """The process kept running without waiting for a person or a timer."""


def script_engine(services: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None) -> PythonScriptEngine:
    # Deploy is the gate for scripts (config flag); whatever was deployed runs restricted.
    return PythonScriptEngine(environment=expressions.SafeEnvironment(services=services))


def advance(wf: BpmnWorkflow) -> Snapshot:
    """Run engine steps (and timers already due) until the workflow waits, within a budget."""
    deadline = clock.monotonic() + MAX_SECONDS_PER_CALL
    steps = 0

    def budget(_task: Task) -> None:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS_PER_CALL or clock.monotonic() > deadline:
            raise RunawayWorkflow(f"the process ran {steps} steps without waiting; it looks like an endless loop")

    for _ in range(100):
        wf.do_engine_steps(will_complete_task=budget)
        wf.refresh_timers()
        now = snapshot(wf)
        if not now.engine_ready:
            return now
    raise RunawayWorkflow("timers kept firing without the process waiting")


@dataclass
class Snapshot:
    """What one pass over every task (all depths, all subprocesses) tells about a workflow."""

    ready: list[Task]      # READY user/manual tasks
    engine_ready: bool     # READY tasks the engine itself should run
    live: bool             # anything READY, WAITING or STARTED
    completed: set[str]    # BPMN ids of the completed tasks in the tree

    def finished(self, wf: BpmnWorkflow) -> bool:
        # SpiffWorkflow's is_completed() cannot see below depth 1000; we looked everywhere.
        return not self.live and bool(wf.is_completed())


LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def snapshot(wf: BpmnWorkflow) -> Snapshot:
    ready: list[Task] = []
    completed: set[str] = set()
    engine_ready = live = False
    for tasks in (wf.tasks, *(sp.tasks for sp in wf.subprocesses.values())):
        for task in tasks.values():
            state = task.state
            if state & LIVE:
                live = True
                if state == TaskState.READY:
                    if task.task_spec.manual:
                        ready.append(task)
                    else:
                        engine_ready = True
            elif state == TaskState.COMPLETED and (bpmn_id := getattr(task.task_spec, "bpmn_id", None)):
                completed.add(bpmn_id)  # control tasks (root, start, end) have none
    return Snapshot(ready, engine_ready, live, completed)


def outcome(wf: BpmnWorkflow) -> str | None:
    """The name of the end event a finished process reached (its outcome: "通过验收", "不予通过" …)."""
    names = [t.task_spec.bpmn_name for t in wf.tasks.values()
             if isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED and t.task_spec.bpmn_name]
    return names[-1] if names else None


def _event_time(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            return TimerEventDefinition.get_datetime(value)  # type: ignore[no-any-return]
        except ValueError:
            return None
    return None


def next_timer(wf: BpmnWorkflow) -> datetime | None:
    """When the earliest pending timer fires (what the worker polls on)."""
    times = [_event_time(e.value) for e in wf.waiting_events() if e.event_type in TIMER_EVENTS]
    return min((t for t in times if t is not None), default=None)


def waiting_messages(wf: BpmnWorkflow) -> list[dict[str, str | None]]:
    """Messages the workflow can catch now, with the lane of the catching event (who may send)."""
    found = {}
    for task in wf.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition):
            found[definition.name] = {"name": definition.name, "lane": task.task_spec.lane,
                                      "label": task.task_spec.bpmn_name or definition.name,
                                      "bpmn_id": task.task_spec.bpmn_id}
    return sorted(found.values(), key=lambda m: str(m["name"]))


def due_at(task: Task, started: datetime) -> datetime | None:
    """A task's due date: its ``dueIn`` duration property, else its latest boundary timer."""
    props = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
    if props.get("dueIn"):
        value = task.workflow.script_engine.evaluate(task, props["dueIn"])
        parsed = TimerEventDefinition.parse_iso_duration(str(value))
        delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, started)
        return started + delta
    times = []
    parent = task.parent
    for sibling in parent.children if parent else []:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is not task and isinstance(definition, TimerEventDefinition) \
                and sibling.state == TaskState.WAITING:
            times.append(_event_time(definition.details(sibling).value))
    return max((t for t in times if t is not None), default=None)


def form_fields(task: Task, schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The task's current values of the fields its form declares (prefill for revisions).

    Top-level choices and yes/no fields start empty: they are decisions, taken afresh every
    round (a second review must not open on the first one's "request revision", nor a fresh
    review on another step's "approve" that shares the variable name).
    """
    if not schema:
        return {}
    return {k: task.data[k] for k, node in schema.get("properties", {}).items()
            if k in task.data and not _is_decision(node)}


def _is_decision(node: Any) -> bool:
    return isinstance(node, dict) and ("oneOf" in node or "enum" in node or node.get("type") == "boolean")


def cycle_of(task: Task) -> str:
    """Which iterations of enclosing multi-instance activities ``task`` runs in, outermost first
    ("annual_cycle:2"; "" when there is none). A step offered again in a new iteration (next
    year's report) starts a new series of rounds; a loop inside one iteration is a revision."""
    parts: list[str] = []
    current: Task | None = task
    while current is not None:
        parent = current.parent
        if parent is not None and isinstance(parent.task_spec, MultiInstanceTask):
            parts.append(f"{parent.task_spec.bpmn_id}:{_iteration(parent, current)}")
        if parent is None:  # the root of a subprocess: continue in the workflow that called it
            owner = getattr(current.workflow, "parent_task_id", None)
            parent = current.workflow.top_workflow.get_task_from_id(owner) if owner is not None else None
        current = parent
    return "/".join(reversed(parts))[:200]


def _iteration(loop: Task, child: Task) -> int:
    """1-based number of a multi-instance child (its index or key when it is a number)."""
    key = child.internal_data.get("key_or_index", child.internal_data.get("item"))
    if isinstance(key, int) and not isinstance(key, bool):
        return key + 1
    siblings = [c.id for c in loop.children if c.task_spec == child.task_spec]
    return siblings.index(child.id) + 1 if child.id in siblings else len(siblings)
