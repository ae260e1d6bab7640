"""A task's dossier (卷宗): everything the person doing or reading one task needs, read in one
session with at most one workflow load — the task and its form with what it opens with, the work
it is asked to judge, this step's earlier rounds, the changes between rounds, the comments and
attachments of this step. Also the lighter reads of a task: its form alone, and the API's view.

What a page may show is decided here; how it looks is the web layer's job.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import attachments
from engine import comments
from engine import forms
from engine import inbox
from engine import lookup
from engine import queries
from engine import rounds
from engine import state
from engine.attachments import AttachmentView
from engine.comments import CommentView
from engine.comments import PinTarget
from engine.lookup import Caller
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import InstanceState
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User
from engine.queries import InstanceView
from engine.rounds import StepChanges


@dataclass
class Document:
    """One completed task's submission as a person reads it: what was entered, by whom, with the
    files uploaded with it, and the form that gives it labels."""

    task_id: str
    bpmn_id: str
    name: str
    role: Role
    round: int
    cycle: str
    completed_at: datetime | None
    completed_by: str | None
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]
    attachments: list[AttachmentView] = field(default_factory=list)


@dataclass
class TaskForm:
    """A task's form alone (to read a posted form before acting on it)."""

    task: HumanTask
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None


@dataclass
class Dossier:
    task: HumanTask
    instance_version: int  # the optimistic-lock token the page sends back with a completion
    process_name: str
    pilot_id: int | None
    pilot_name: str | None
    province_name: str | None
    claimed_by: str | None
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    instructions: str | None
    values: dict[str, Any]
    may_act: bool  # the user may submit it now
    may_reassign: bool
    judging: bool  # it decides on work of a lower rank (a review)
    work: list[Document]
    changes: list[StepChanges]
    history: list[Document]  # this step's earlier rounds
    comments: list[CommentView]
    pinned: dict[str, list[CommentView]]
    pin_targets: list[PinTarget]
    attachments: list[AttachmentView]  # this step's, every round
    problems: list[dict[str, object]]  # of ``values`` against the form, when asked to check
    counts: dict[str, int] = field(default_factory=dict)  # the navigation's task counts, read alongside


def dossier(db: sessionmaker[Session], task_id: str, *, user_id: Caller, values: dict[str, Any] | None = None,
            check: bool = False) -> Dossier:
    """Everything the task page shows. ``values`` is the form as being edited (a failed submit):
    the page shows it and its pending changes, and with ``check`` every problem it has."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        instance, version_id = row.instance, row.instance.version_id
        trail = comments.instance_trail(session, instance.id)
        row = trail.by_id[row.id]
        may_act = _may_act(user, row)
        schema, ui = forms.load(session, version_id, row.form), forms.load(session, version_id, row.ui_form)
        work = trail.work(row)
        judging = trail.judges(row, work)
        if values is None:
            values = _values(trail, row, (schema, ui), work=work, may_act=may_act)
        names = _names(session, {t.completed_by_id for t in trail.rows} | {row.claimed_by_id})
        files = attachments.of_instance(session, instance.id)
        thread = comments.of_instance(session, instance.id)
        document = functools.partial(_document, session, version_id, names, files)
        step = {t.id for t in trail.rows if t.bpmn_id == row.bpmn_id and t.cycle == row.cycle}
        spec = state.task_spec(instance.version, row.bpmn_id)
        return Dossier(
            row, instance.lock_version, instance.version.definition.name, instance.pilot_id,
            instance.pilot.name if instance.pilot else None, instance.province.name if instance.province else None,
            names.get(row.claimed_by_id or 0), schema, ui, getattr(spec, "documentation", None), values, may_act,
            row.state == TaskStatus.READY and access.may_reassign(user, row), judging,
            [document(t) for t in work],
            _changes(session, trail, row, work=work, judging=judging, editing=values if may_act else None,
                     files=files),
            [document(t) for t in trail.earlier_rounds(row)],
            comments.for_step(session, thread, trail, row, work),
            _pinned(thread, trail, row), comments.pin_targets(session, trail, row, work),
            [a for a in files if a.task_id in step],
            forms.validate(session, version_id, row.form, values) if check else [], inbox.counts(session, user))


def _document(session: Session, version_id: int, names: dict[int, str], files: list[AttachmentView],
              t: HumanTask) -> Document:
    """A completed task as the document it is read as: its form, its answers, its attachments."""
    return Document(t.id, t.bpmn_id, t.name, t.role, t.round, t.cycle, t.completed_at,
                    names.get(t.completed_by_id or 0), forms.load(session, version_id, t.form),
                    forms.load(session, version_id, t.ui_form), dict(t.data or {}),
                    [a for a in files if a.task_id == t.id])


def task_form(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> TaskForm:
    """A task's form and UI schema, for a user who may see the task (no workflow is loaded)."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        version_id = row.instance.version_id
        return TaskForm(row, forms.load(session, version_id, row.form), forms.load(session, version_id, row.ui_form))


@dataclass
class TaskView:
    """One task for the API: its form, what the form opens with, its instructions."""

    task: HumanTask
    instance: InstanceView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    data: dict[str, Any]
    documentation: str | None
    may_act: bool


def get_task(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> TaskView:
    """One task with its form, what the form opens with (see :func:`rounds.prefill`) or what was
    submitted, and its instructions."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        instance, version_id = row.instance, row.instance.version_id
        schema, ui = forms.load(session, version_id, row.form), forms.load(session, version_id, row.ui_form)
        may_act = _may_act(user, row)
        if row.state == TaskStatus.READY:
            trail = comments.instance_trail(session, instance.id)
            current = trail.by_id[row.id]
            data = _values(trail, current, (schema, ui), work=trail.work(current), may_act=True, drafts=False)
        else:
            data = dict(row.data or {})
        spec = state.task_spec(instance.version, row.bpmn_id)
        return TaskView(row, queries.instance_view(session, instance), schema, ui, data,
                        getattr(spec, "documentation", None), may_act)


def _may_act(user: User, row: HumanTask) -> bool:
    return (row.state == TaskStatus.READY and row.instance.state == InstanceState.RUNNING
            and access.may_work_on(user, row))


def _values(trail: rounds.Trail, row: HumanTask, form: tuple[dict[str, Any] | None, dict[str, Any] | None], *,
            work: list[HumanTask], may_act: bool, drafts: bool = True) -> dict[str, Any]:
    """What the form shows: what was submitted; for the person who may act, the draft or what the
    form opens with; for anyone else, nothing yet."""
    if row.state != TaskStatus.READY:
        return dict(row.data or {})
    if not may_act:
        return {}
    if drafts and row.draft is not None:
        return dict(row.draft)
    task = state.restore(row.instance).get_task_from_id(UUID(row.id))
    return rounds.prefill(trail, row, *form, dict(task.data), work)


def _changes(session: Session, trail: rounds.Trail, row: HumanTask, *, work: list[HumanTask], judging: bool,
             editing: dict[str, Any] | None, files: list[AttachmentView]) -> list[StepChanges]:
    """修改对比: each step this task judges against its previous round; for a revision, this step's
    previous round against what is being entered now (or was submitted)."""
    pairs: list[tuple[HumanTask, HumanTask, dict[str, Any] | None, bool]] = []
    for judged in trail.steps_judged(row, work):
        earlier = trail.earlier_rounds(judged)
        if earlier:
            pairs.append((earlier[-1], judged, judged.data, False))
    own = trail.earlier_rounds(row)
    if own and not judging:
        if row.state == TaskStatus.COMPLETED:
            pairs.append((own[-1], row, row.data, False))
        elif row.state == TaskStatus.READY and editing is not None:
            pairs.append((own[-1], row, editing, True))
    if not pairs:
        return []
    removed = _removed_attachments(session, row.instance_id)
    version_id = row.instance.version_id
    out = []
    for old, new, data, pending in pairs:
        schema, ui = forms.load(session, version_id, new.form), forms.load(session, version_id, new.ui_form)
        out.append(StepChanges(new.bpmn_id, new.name, old.round, new.round, schema, ui,
                               rounds.diff_fields(schema, ui, old.data, data),
                               [a for a in files if a.task_id == new.id], removed.get(new.id, []), pending))
    return out


def _removed_attachments(session: Session, instance_id: int) -> dict[str, list[dict[str, Any]]]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                      AuditEvent.action == "attachment_removed")
                             .order_by(AuditEvent.id))
    out: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        out.setdefault(e.task_id or "", []).append(dict(e.data_before or {}))
    return out


def _pinned(thread: list[CommentView], trail: rounds.Trail, row: HumanTask) -> dict[str, list[CommentView]]:
    """Comments pinned to this step's fields in its earlier rounds, by field."""
    pinned: dict[str, list[CommentView]] = {}
    for c in thread:
        written_on = trail.by_id.get(c.task_id or "")
        if c.field and c.bpmn_id == row.bpmn_id and c.round < row.round \
                and (written_on is None or written_on.cycle == row.cycle):
            pinned.setdefault(c.field, []).append(c)
    return pinned


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(wanted)))}
