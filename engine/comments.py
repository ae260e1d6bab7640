"""Comments (意见): remarks in an instance's thread, written from a task page, optionally pinned to
one field of the form of this step or of a step it judges.

Reading and commenting need only the instance in view; a pinned comment is stored with the step
and round of the field it is about, so the next round shows it beside that field.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import clock
from engine import forms
from engine import lookup
from engine import rounds
from engine.db import transaction
from engine.errors import InvalidData
from engine.lookup import Caller
from engine.models import Comment
from engine.models import HumanTask

MAX_COMMENT_CHARS = 5000


@dataclass
class CommentView:
    id: int
    author: str
    body: str
    created_at: datetime
    task_id: str | None
    bpmn_id: str | None  # the step it is about
    round: int
    field: str | None  # the field key it is pinned to
    field_node: dict[str, Any] | None = None  # that field's schema node (for its label)


@dataclass
class PinTarget:
    """A step whose form fields a comment on this task may be pinned to."""

    bpmn_id: str
    name: str
    round: int
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None


def pin_targets(session: Session, trail: rounds.Trail, row: HumanTask,
                work: list[HumanTask]) -> list[PinTarget]:
    """This step (its current round) and the steps it judges (their latest round)."""
    return [_target(session, t) for t in [*trail.steps_judged(row, work), row]]


def _target(session: Session, t: HumanTask) -> PinTarget:
    version_id = t.instance.version_id
    return PinTarget(t.bpmn_id, t.name, t.round, forms.load(session, version_id, t.form),
                     forms.load(session, version_id, t.ui_form))


def add_comment(db: sessionmaker[Session], task_id: str, *, user_id: Caller, body: str,
                field: str | None = None) -> int:
    """Add a remark to the instance's thread from a task page; ``field`` is "step:field" to pin it."""
    text = (body or "").strip()
    if not text:
        raise InvalidData("the comment is empty", [{"field": "body", "message": "required"}], reason="comment_empty")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidData("the comment is too long", [{"field": "body", "message": "too_long"}],
                          reason="comment_too_long", n=MAX_COMMENT_CHARS)
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        bpmn_id, round_, pinned = row.bpmn_id, row.round, None
        if field:
            trail = instance_trail(session, row.instance_id)
            step, _, name = field.partition(":")
            targets = {t.bpmn_id: t for t in pin_targets(session, trail, row, trail.work(trail.by_id[row.id]))}
            target = targets.get(step)
            if target is None or name not in ((target.schema or {}).get("properties") or {}):
                raise InvalidData("no such field to pin the comment to", [{"field": "field", "message": "unknown"}],
                                  reason="comment_field_unknown")
            bpmn_id, round_, pinned = target.bpmn_id, target.round, name
        comment = Comment(instance_id=row.instance_id, task_id=row.id, bpmn_id=bpmn_id, round=round_, field=pinned,
                          author_id=user.id, body=text, created_at=clock.now())
        session.add(comment)
        session.flush()
        audit.record(session, "comment_added", actor_id=user.id, instance_id=row.instance_id, task_id=row.id,
                     bpmn_id=row.bpmn_id, after={"comment_id": comment.id, "field": pinned, "step": bpmn_id,
                                                 "round": round_})
        return comment.id


def list_for_task(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> list[CommentView]:
    """The thread as a task's page shows it (see :func:`for_step`)."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        trail = instance_trail(session, row.instance_id)
        row = trail.by_id[row.id]
        return for_step(session, of_instance(session, row.instance_id), trail, row, trail.work(row))


def list_for_instance(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> list[CommentView]:
    """An instance's whole thread, oldest first, for a user who may see the instance."""
    with db() as session:
        lookup.visible_instance(session, lookup.active_user(session, user_id), instance_id)
        return of_instance(session, instance_id)


def instance_trail(session: Session, instance_id: int) -> rounds.Trail:
    """Every task row of an instance, for :class:`rounds.Trail` (callers have loaded the instance:
    each row's ``instance`` comes from the session, without a query)."""
    return rounds.Trail(list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))))


def of_instance(session: Session, instance_id: int) -> list[CommentView]:
    rows = session.scalars(select(Comment).where(Comment.instance_id == instance_id)
                           .options(selectinload(Comment.author)).order_by(Comment.id)).all()
    return [CommentView(c.id, c.author.label, c.body, c.created_at, c.task_id,
                        c.bpmn_id, c.round, c.field) for c in rows]


def for_step(session: Session, comments: list[CommentView], trail: rounds.Trail, row: HumanTask,
             work: list[HumanTask]) -> list[CommentView]:
    """The thread as this step sees it: remarks about this step or a step it judges (pinned or not,
    any round), and remarks written on the tasks it answers. An earlier step's discussion stays on
    the pilot page. Pinned remarks carry their field's schema node, for its label."""
    steps = {row.bpmn_id, *(t.bpmn_id for t in trail.steps_judged(row, work))}
    answered = {t.id for t in work}
    shown = [c for c in comments if c.bpmn_id in steps or (c.field is None and c.task_id in answered)]
    forms_of = {t.bpmn_id: t for t in trail.rows if t.form}
    for c in shown:
        owner = forms_of.get(c.bpmn_id or "")
        if c.field and owner is not None:
            c.field_node = forms.node(forms.load(session, owner.instance.version_id, owner.form), c.field)
    return shown
