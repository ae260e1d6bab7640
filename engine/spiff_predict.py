"""SpiffWorkflow's task prediction without recursion on the length of a chain.

When an instance starts (and after each step), SpiffWorkflow predicts the tasks ahead of it:
``TaskSpec._predict`` calls itself for each child down every definite path, one Python frame per
step, so a process of ~1000 steps in a row could not even start (RecursionError). This replaces it,
process-wide, with the same walk done with an explicit stack: the same tasks visited in the same
order with the same arguments (a frame's children are read lazily, as the original for-loop does),
only without the Python recursion. Installed when the engine is imported (engine.runtime).
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.util.task import TaskState

_ORIGINAL = TaskSpec._predict


def _visit(spec: Any, task: Any, seen: list[Any], looked_ahead: int, mask: int) -> tuple[Any, ...]:
    """The original function's body up to its loop over the children: the frame to continue."""
    if task.has_state(mask):
        spec._predict_hook(task)
    if task.has_state(TaskState.PREDICTED_MASK):
        seen.append(spec)
    look_ahead = task.has_state(TaskState.DEFINITE_MASK) or looked_ahead + 1 < spec.lookahead
    return iter(task.children), seen, looked_ahead, look_ahead


def predict(self: Any, my_task: Any, seen: list[Any] | None = None, looked_ahead: int = 0,
            mask: int = TaskState.PREDICTED_MASK) -> None:
    stack = [_visit(self, my_task, [] if seen is None else seen, looked_ahead, mask)]
    while stack:
        children, seen_here, depth, look_ahead = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif child.has_state(mask) and child not in seen_here and look_ahead:
            if type(child.task_spec)._predict is not predict:  # a subclass's own prediction: leave it be
                child.task_spec._predict(child, seen_here[:], depth + 1, mask)
            else:
                stack.append(_visit(child.task_spec, child, seen_here[:], depth + 1, mask))


def install() -> None:
    TaskSpec._predict = predict


__all__ = ["install", "predict"]
