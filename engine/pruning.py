"""Pruning a workflow's task tree down to what the running process still needs.

SpiffWorkflow keeps every task it ever ran. A revision loop adds a few tasks per round, so
without pruning each completion deserializes, walks and serializes the whole history (its cost
grows with every round), and a loop past ~333 rounds sinks below the depth-1000 horizon of
SpiffWorkflow's iterators and silently stalls. The history that matters to people lives in our
own tables (audit events, human_task rows, ``Instance.visited``), so a workflow keeps only its
root and the subtree of the last completed user task above every unfinished one (the step an
administrator may send the process back to; engine/operations.py).

Nothing an unfinished task can reach is touched: unfinished tasks keep their parents, data,
siblings and descendants; only the chain of finished tasks above the cut, and branches that
finished beside it, are dropped. Completed subprocesses go with the task that ran them.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

DONE = TaskState.COMPLETED | TaskState.CANCELLED  # ERROR stays: a failed task is not history yet


def prune(wf: BpmnWorkflow) -> set[str]:
    """Drop finished history from the workflow and its subprocesses; return the BPMN ids of
    the completed tasks dropped (for the path-taken record)."""
    dropped: list[Task] = []
    for workflow in (wf, *wf.subprocesses.values()):
        dropped += _prune_one(workflow)
    dropped += _drop_orphan_subprocesses(wf)
    for task in dropped:
        wf.event_manager.remove_task(task)
    return completed_ids(dropped)


def completed_ids(tasks: Any) -> set[str]:
    """BPMN ids of the completed tasks among ``tasks`` (control tasks have none)."""
    return {t.task_spec.bpmn_id for t in tasks
            if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None)}


def _prune_one(workflow: Any) -> list[Task]:
    root: Task = workflow.task_tree
    cut = _cut_point(workflow)
    if cut is None or cut is root or cut.parent is root:
        return []
    keep = {root.id, *_subtree_ids(workflow, cut)}
    dropped = [t for tid, t in workflow.tasks.items() if tid not in keep]
    for task in dropped:
        del workflow.tasks[task.id]
    # The dict keeps creation order (parents before children), which the delta serializer needs.
    root._children = [cut.id]
    cut._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = None  # as SpiffWorkflow's own migrate_workflow does
    return dropped


def _cut_point(workflow: Any) -> Task | None:
    """The deepest completed user task that is an ancestor of every unfinished task (else the
    deepest completed task that is)."""
    unfinished = [t for t in workflow.tasks.values() if not t.state & DONE]
    if not unfinished:
        return None
    chain = _ancestors(unfinished[0])
    meets: dict[UUID, int] = {t.id: i for i, t in enumerate(chain)}
    deepest = len(chain) - 1
    for task in unfinished:
        walked, node = [], task
        while node.id not in meets:  # remembering each walk keeps this linear in the tree
            walked.append(node.id)
            node = node.parent
        position = meets[node.id]
        meets.update(dict.fromkeys(walked, position))
        deepest = min(deepest, position)
    while deepest > 0 and chain[deepest].state != TaskState.COMPLETED:
        deepest -= 1
    # The last user task everyone passed stays too, so an administrator can send the process back
    # to it (SpiffWorkflow resets only to a task in the tree); it costs one round, not a history.
    step = deepest
    while step > 0 and not (chain[step].state == TaskState.COMPLETED and chain[step].task_spec.manual):
        step -= 1
    if step == 0:
        return chain[deepest]
    # With its boundary events' split above it, so that a reset re-arms its timers as well.
    return chain[step - 1] if isinstance(chain[step - 1].task_spec, BoundaryEventSplit) else chain[step]


def _ancestors(task: Task) -> list[Task]:
    chain = [task]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain[::-1]


def _subtree_ids(workflow: Any, top: Task) -> set[UUID]:
    found, stack = set(), [top.id]
    while stack:
        tid = stack.pop()
        found.add(tid)
        stack.extend(workflow.tasks[tid]._children)
    return found


def _drop_orphan_subprocesses(wf: BpmnWorkflow) -> list[Task]:
    """Delete subprocesses whose calling task was pruned (nested ones follow their parent)."""
    dropped: list[Task] = []
    while True:
        alive = {*wf.tasks, *(tid for sp in wf.subprocesses.values() for tid in sp.tasks)}
        orphans = [sp_id for sp_id in wf.subprocesses if sp_id not in alive]
        if not orphans:
            return dropped
        for sp_id in orphans:
            dropped += wf.subprocesses.pop(sp_id).tasks.values()
