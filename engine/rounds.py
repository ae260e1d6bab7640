"""Rounds (轮次): how the tasks of one instance answer each other. The work a task is asked to
judge, the earlier rounds of its step, what a form starts with, and what changed between rounds.

Everything here works on the instance's task rows (the human_task projection) already loaded by
the caller; nothing queries, nothing deserializes a workflow.

- A step's **rounds** are its offers within one iteration of the instance (``HumanTask.cycle``):
  a scheme sent back for revision is offered again as round 2; next year's report is round 1.
- The **work** a task answers is what other roles completed since this step's previous round
  (a resubmission answers the review, a second review the revision), or, in a first round, along
  the tasks whose completion led to this one back to the role's own last act (a first review
  answers the submission; the ministry's assessment the acceptance application).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from engine import forms
from engine.models import HumanTask
from engine.models import Role
from engine.models import TaskStatus

# Who reviews whom: a task judging work of a lower rank is a decision (a review), its fields are
# never carried over from an earlier round; a task answering work of a higher rank is a revision.
RANK = {Role.CITY: 0, Role.PROVINCE: 1, Role.MINISTRY: 2, Role.ADMIN: 3}


class Trail:
    """The task rows of one instance, oldest first, with the relations between them."""

    def __init__(self, rows: list[HumanTask]) -> None:
        self.rows = sorted(rows, key=lambda t: (t.created_at, t.round))
        self.by_id = {t.id: t for t in self.rows}

    def earlier_rounds(self, row: HumanTask) -> list[HumanTask]:
        """The completed earlier rounds of ``row``'s step in its iteration, oldest first."""
        return sorted((t for t in self.rows if t.bpmn_id == row.bpmn_id and t.cycle == row.cycle
                       and t.round < row.round and t.state == TaskStatus.COMPLETED), key=lambda t: t.round)

    def work(self, row: HumanTask) -> list[HumanTask]:
        """The completed tasks of other roles that ``row`` answers, in the order they were done."""
        earlier = self.earlier_rounds(row)
        chain, boundary = self._chain(row, earlier[-1] if earlier else None)
        if earlier and earlier[-1].completed_at is not None:
            boundary = earlier[-1].completed_at
        window = [t for t in self.rows if t.state == TaskStatus.COMPLETED and t.role != row.role
                  and t.completed_at is not None and t.id != row.id and boundary < t.completed_at <= row.created_at]
        found = {t.id: t for t in [*window, *chain]}
        return sorted(found.values(), key=lambda t: (t.completed_at or t.created_at, t.created_at))

    def _chain(self, row: HumanTask, previous: HumanTask | None) -> tuple[list[HumanTask], datetime]:
        """Walk back along "opened by": the other roles' tasks passed on the way, and the moment
        after which completions count as work (when the walk reached the previous round of this
        step, or in a first round the role's own last task; else when its first task was offered)."""
        chain: list[HumanTask] = []
        since = row.created_at
        seen = {row.id}
        current = self.by_id.get(row.opened_by_id or "")
        while current is not None and current.id not in seen:
            seen.add(current.id)
            stop = current.bpmn_id == row.bpmn_id if previous is not None else current.role == row.role
            if stop:
                return chain, current.completed_at or current.created_at
            if current.role != row.role and current.state == TaskStatus.COMPLETED:
                chain.append(current)
            since = current.created_at
            current = self.by_id.get(current.opened_by_id or "")
        return chain, since

    def judges(self, row: HumanTask, work: list[HumanTask]) -> bool:
        """Whether ``row`` decides on work of a lower rank (a review), rather than revising its own."""
        return any(RANK.get(t.role, 0) < RANK.get(row.role, 0) for t in work)

    def steps_judged(self, row: HumanTask, work: list[HumanTask]) -> list[HumanTask]:
        """The latest round of each lower-ranked step in ``work``: what a reviewer decides on."""
        latest: dict[str, HumanTask] = {}
        for t in work:
            if RANK.get(t.role, 0) < RANK.get(row.role, 0):
                latest[t.bpmn_id] = t
        return list(latest.values())


def prefill(trail: Trail, row: HumanTask, schema: dict[str, Any] | None, ui: dict[str, Any] | None,  # noqa: PLR0917
            task_data: dict[str, Any], work: list[HumanTask]) -> dict[str, Any]:
    """What a ready task's form opens with.

    - what the process itself put into the task's data under a form field (the start, a script, a
      service task), but never what another user task answered under the same name;
    - for a revision, the step's own answers of its previous round (to be revised), except a reply
      to the last review (a field its UI schema shows only from a later round, ``ui:fromRound``);
    - a decision (choice or yes/no field) and every field of a review start empty in every round.
    """
    props = (schema or {}).get("properties") or {}
    answered = {k for t in trail.rows if t.state == TaskStatus.COMPLETED for k in (t.data or {})}
    values = {k: v for k, v in task_data.items() if k in props and k not in answered}
    earlier = trail.earlier_rounds(row)
    if earlier and not trail.judges(row, work):
        values.update({k: v for k, v in (earlier[-1].data or {}).items() if k in props and not _reply(ui, k)})
    return {k: v for k, v in values.items() if not _is_decision(props.get(k))}


def _reply(ui: dict[str, Any] | None, key: str) -> bool:
    node = (ui or {}).get(key)
    return isinstance(node, dict) and "ui:fromRound" in node


def _is_decision(node: Any) -> bool:
    return isinstance(node, dict) and ("oneOf" in node or "enum" in node or node.get("type") == "boolean")


# --- what changed between two rounds -------------------------------------------------------------

@dataclass
class RowChange:
    index: int
    status: str  # same | changed | added | removed
    cells: list[tuple[str, Any, Any, bool]]


@dataclass
class FieldChange:
    key: str
    old: Any
    new: Any
    changed: bool
    rows: list[RowChange] | None = None  # arrays of objects, row by row


def diff_fields(schema: dict[str, Any] | None, ui: dict[str, Any] | None, old: dict[str, Any] | None,
                new: dict[str, Any] | None) -> list[FieldChange]:
    """Field by field (arrays of objects row by row) comparison of two submissions."""
    old, new = old or {}, new or {}
    out = []
    for key in forms.field_order(schema, ui, old, new):
        a, b = old.get(key), new.get(key)
        if a is None and b is None:
            continue
        change = FieldChange(key, a, b, a != b)
        if (a is None or _is_table(a)) and (b is None or _is_table(b)) and (a or b):
            change.rows = _diff_rows(schema, ui, key, list(a or []), list(b or []))
        out.append(change)
    return out


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _diff_rows(schema: dict[str, Any] | None, ui: dict[str, Any] | None, key: str, a_rows: list[dict[str, Any]],
               b_rows: list[dict[str, Any]]) -> list[RowChange]:
    node = ((schema or {}).get("properties") or {}).get(key) or {}
    item_ui = (ui or {}).get(key, {}).get("items") if isinstance((ui or {}).get(key), dict) else None
    cols = forms.field_order(node.get("items") if isinstance(node, dict) else None, item_ui, *a_rows, *b_rows)
    rows = []
    for i in range(max(len(a_rows), len(b_rows))):
        ra = a_rows[i] if i < len(a_rows) else None
        rb = b_rows[i] if i < len(b_rows) else None
        cells = [(c, (ra or {}).get(c), (rb or {}).get(c), (ra or {}).get(c) != (rb or {}).get(c)) for c in cols]
        status = "added" if ra is None else "removed" if rb is None else "changed" if ra != rb else "same"
        rows.append(RowChange(i, status, cells))
    return rows


@dataclass
class StepChanges:
    """One step's submission compared with its previous round (修改对比)."""

    bpmn_id: str
    name: str
    old_round: int
    new_round: int
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    fields: list[FieldChange]
    added: list[Any] = field(default_factory=list)  # attachments uploaded in the new round
    removed: list[dict[str, Any]] = field(default_factory=list)  # attachments withdrawn in it
    pending: bool = False  # the new side is the form being edited, not yet submitted

    @property
    def changed(self) -> list[FieldChange]:
        return [f for f in self.fields if f.changed]

    @property
    def unchanged(self) -> list[FieldChange]:
        return [f for f in self.fields if not f.changed]
