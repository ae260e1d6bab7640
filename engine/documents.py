"""What surrounds a task's form: drafts (暂存), attachments, the comment thread, the reviewers'
feedback on the last round and the changes between rounds (修改对比).

Every call is one transaction and asks ``access`` itself: acting on a task (drafts, uploads)
needs the task's role and jurisdiction; reading and commenting need only the instance in view.
Attachment bytes are stored by their sha256 outside the web root; the table holds metadata.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import audit
from engine import clock
from engine import forms
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Attachment
from engine.models import AuditEvent
from engine.models import Comment
from engine.models import HumanTask
from engine.models import Instance
from engine.models import TaskStatus
from engine.models import User
from engine.runtime import _task_for_action
from engine.runtime import active_user
from engine.runtime import transaction

MAX_COMMENT_CHARS = 5000


# --- access helpers ----------------------------------------------------------------------------

def _visible_task(session: Session, user: User, task_id: str) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None or not access.may_view_instance(user, row.instance):
        raise NotFound("no such task")
    return row


# --- drafts ------------------------------------------------------------------------------------

def save_draft(db: sessionmaker[Session], task_id: str, *, user_id: int, data: dict[str, Any]) -> datetime:
    """Keep the form as typed so far (complete or not) on a ready task the user may act on."""
    if not isinstance(data, dict):
        raise InvalidData("a draft must be a JSON object", [{"field": "", "message": "expected an object"}])
    with transaction(db) as session:
        user = active_user(session, user_id)
        row, instance = _task_for_action(session, user, task_id)
        if row.claimed_by_id not in (None, user.id):
            raise ConflictError("another user has claimed this task; ask them to release it")
        now = clock.now()
        row.draft, row.draft_saved_at = data, now
        audit.record(session, "draft_saved", actor_id=user.id, instance_id=instance.id, task_id=task_id,
                     bpmn_id=row.bpmn_id)
        return now


# --- attachments -------------------------------------------------------------------------------

# Detected kind -> (content type, extensions a file of that kind may carry)
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "png": ("image/png", frozenset({"png"})),
    "jpeg": ("image/jpeg", frozenset({"jpg", "jpeg"})),
    "gif": ("image/gif", frozenset({"gif"})),
    "webp": ("image/webp", frozenset({"webp"})),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({"docx"})),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({"xlsx"})),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", frozenset({"pptx"})),
    "ole": ("application/octet-stream", frozenset({"doc", "xls", "ppt"})),
}
OLE_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
ALLOWED_EXTENSIONS = sorted(ext for _, exts in KINDS.values() for ext in exts)


class AttachmentRefused(InvalidData):
    """An upload was refused; ``reason`` is one of empty, too_large, type, extension."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, [{"field": "file", "message": reason}])
        self.reason = reason


MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"))
OOXML = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))


def detect(content: bytes) -> str | None:
    """The kind of file the bytes are, by their magic numbers (never by name)."""
    for magic, kind in MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return _ooxml(content) if content.startswith(b"PK\x03\x04") else None


def _ooxml(content: bytes) -> str | None:
    try:  # only the central directory is read: nothing is decompressed
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for prefix, kind in OOXML if any(n.startswith(prefix) for n in names)), None)


def clean_name(name: str) -> str:
    """The file name without any path, control characters or excess length."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", base).strip().strip(".") or "file"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext[:9]) if dot else base[:200]
    return base


def extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def blob_path(directory: Path, content_hash: str) -> Path:
    return Path(directory) / content_hash[:2] / content_hash


def _store(directory: Path, content_hash: str, content: bytes) -> None:
    target = blob_path(directory, content_hash)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass
class AttachmentView:
    id: int
    name: str
    content_type: str
    size: int
    round: int
    task_id: str | None
    bpmn_id: str | None
    uploaded_by: str | None
    uploaded_at: datetime
    content_hash: str
    step: str | None = None  # the name of the step it was uploaded in
    removed_at: datetime | None = None  # withdrawn in a later round


def check_upload(filename: str, content: bytes, max_bytes: int) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload, else AttachmentRefused."""
    if not content:
        raise AttachmentRefused("empty", "the file is empty")
    if len(content) > max_bytes:
        raise AttachmentRefused("too_large", f"the file is larger than {max_bytes} bytes")
    name = clean_name(filename)
    kind = detect(content)
    if kind is None:
        raise AttachmentRefused("type", "only PDF, Word, Excel, PowerPoint and image files are accepted")
    content_type, exts = KINDS[kind]
    ext = extension(name)
    if ext not in exts:
        raise AttachmentRefused("extension", f"the file's content is {kind}, its name says .{ext or '?'}")
    return name, OLE_TYPES.get(ext, content_type)


def add_attachment(db: sessionmaker[Session], task_id: str, *, user_id: int, filename: str, content: bytes,
                   directory: Path, max_bytes: int) -> AttachmentView:
    """Attach a file to a ready task the user may act on, in the task's round."""
    name, content_type = check_upload(filename, content, max_bytes)
    digest = hashlib.sha256(content).hexdigest()
    with transaction(db) as session:
        user = active_user(session, user_id)
        row, instance = _task_for_action(session, user, task_id)
        _store(directory, digest, content)
        att = Attachment(instance_id=instance.id, task_id=row.id, content_hash=digest, name=name,
                         content_type=content_type, size=len(content), round=row.round, uploaded_by_id=user.id,
                         uploaded_at=clock.now())
        session.add(att)
        session.flush()
        audit.record(session, "attachment_uploaded", actor_id=user.id, instance_id=instance.id, task_id=row.id,
                     bpmn_id=row.bpmn_id, after={"attachment_id": att.id, "name": name, "sha256": digest,
                                                 "size": len(content), "content_type": content_type,
                                                 "round": row.round})
        return _att_view(att, row.bpmn_id, user.display_name or user.username)


def remove_attachment(db: sessionmaker[Session], task_id: str, attachment_id: int, *, user_id: int) -> None:
    """Withdraw an attachment of this step (this round or an earlier one) while the task is ready.

    An attachment of this round is deleted (it was never submitted). One submitted in an earlier
    round is only marked withdrawn: it leaves the current submission but stays in the record of
    its round. Either way the removal is audited against the current task, so the changes of
    this round list it. The bytes stay (they are content-addressed and may be shared)."""
    with transaction(db) as session:
        user = active_user(session, user_id)
        row, instance = _task_for_action(session, user, task_id)
        att = session.get(Attachment, attachment_id)
        owner = session.get(HumanTask, att.task_id) if att is not None and att.task_id else None
        if att is None or att.instance_id != instance.id or owner is None or owner.bpmn_id != row.bpmn_id \
                or att.removed_at is not None:
            raise NotFound("no such attachment on this step")
        audit.record(session, "attachment_removed", actor_id=user.id, instance_id=instance.id, task_id=row.id,
                     bpmn_id=row.bpmn_id, before={"attachment_id": att.id, "name": att.name,
                                                  "sha256": att.content_hash, "size": att.size,
                                                  "round": att.round})
        if att.task_id == row.id:
            session.delete(att)
        else:
            att.removed_at, att.removed_by_id = clock.now(), user.id


def _att_view(att: Attachment, bpmn_id: str | None, uploader: str | None, step: str | None = None) -> AttachmentView:
    return AttachmentView(att.id, att.name, att.content_type, att.size, att.round, att.task_id, bpmn_id, uploader,
                          att.uploaded_at, att.content_hash, step, att.removed_at)


def _attachments(session: Session, instance_id: int) -> list[AttachmentView]:
    rows = session.execute(select(Attachment, HumanTask.bpmn_id, User.display_name, User.username, HumanTask.name)
                           .outerjoin(HumanTask, HumanTask.id == Attachment.task_id)
                           .outerjoin(User, User.id == Attachment.uploaded_by_id)
                           .where(Attachment.instance_id == instance_id).order_by(Attachment.id)).all()
    return [_att_view(a, b, d or u, step) for a, b, d, u, step in rows]


def open_attachment(db: sessionmaker[Session], attachment_id: int, *, user_id: int,
                    directory: Path) -> tuple[AttachmentView, Path]:
    """An attachment's metadata and the path of its bytes, for a user who may view its instance."""
    with db() as session:
        user = active_user(session, user_id)
        att = session.get(Attachment, attachment_id)
        if att is None:
            raise NotFound("no such attachment")
        instance = session.get(Instance, att.instance_id)
        if instance is None or not access.may_view_instance(user, instance):
            raise NotFound("no such attachment")
        path = blob_path(directory, att.content_hash)
        if not path.is_file():
            raise NotFound("the file is missing from storage")
        return _att_view(att, None, None), path


# --- comments ----------------------------------------------------------------------------------

@dataclass
class CommentView:
    id: int
    author: str
    body: str
    created_at: datetime
    task_id: str | None
    bpmn_id: str | None
    round: int
    field: str | None


@dataclass
class PinTarget:
    """A step whose form fields a comment on this task may be pinned to."""

    bpmn_id: str
    name: str
    round: int
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None


def add_comment(db: sessionmaker[Session], task_id: str, *, user_id: int, body: str,
                field: str | None = None) -> int:
    """Add a remark to the instance's thread from a task page; ``field`` is "step:field" to pin it."""
    text = (body or "").strip()
    if not text:
        raise InvalidData("the comment is empty", [{"field": "body", "message": "required"}])
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidData("the comment is too long", [{"field": "body", "message": "too_long"}])
    with transaction(db) as session:
        user = active_user(session, user_id)
        row = _visible_task(session, user, task_id)
        bpmn_id, round_, pinned = row.bpmn_id, row.round, None
        if field:
            step, _, name = field.partition(":")
            targets = {t.bpmn_id: t for t in _pin_targets(session, row)}
            target = targets.get(step)
            if target is None or name not in ((target.schema or {}).get("properties") or {}):
                raise InvalidData("no such field to pin the comment to", [{"field": "field", "message": "unknown"}])
            bpmn_id, round_, pinned = target.bpmn_id, target.round, name
        comment = Comment(instance_id=row.instance_id, task_id=row.id, bpmn_id=bpmn_id, round=round_, field=pinned,
                          author_id=user.id, body=text, created_at=clock.now())
        session.add(comment)
        session.flush()
        audit.record(session, "comment_added", actor_id=user.id, instance_id=row.instance_id, task_id=row.id,
                     bpmn_id=row.bpmn_id, after={"comment_id": comment.id, "field": pinned, "step": bpmn_id,
                                                 "round": round_})
        return comment.id


def _comments(session: Session, instance_id: int) -> list[CommentView]:
    rows = session.scalars(select(Comment).where(Comment.instance_id == instance_id).order_by(Comment.id)).all()
    return [CommentView(c.id, c.author.display_name or c.author.username, c.body, c.created_at, c.task_id,
                        c.bpmn_id, c.round, c.field) for c in rows]


# --- rounds: what came before this task ----------------------------------------------------------

def _completed(session: Session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                        HumanTask.state == TaskStatus.COMPLETED)
                                .order_by(HumanTask.completed_at, HumanTask.created_at)))


def _before(done: list[HumanTask], row: HumanTask) -> list[HumanTask]:
    """Completed rows that finished before ``row`` was offered (or, for a completed row, before it)."""
    limit = row.created_at
    return [t for t in done if t.id != row.id and t.completed_at is not None and t.completed_at <= limit]


def _preceding(done: list[HumanTask], row: HumanTask) -> list[HumanTask]:
    """Other steps' rows completed since this step's previous round (the work this task answers)."""
    earlier = _before(done, row)
    own = [t for t in earlier if t.bpmn_id == row.bpmn_id]
    since = own[-1].completed_at if own else None
    return [t for t in earlier if t.bpmn_id != row.bpmn_id and (since is None or (t.completed_at or since) > since)]


def _pin_targets(session: Session, row: HumanTask) -> list[PinTarget]:
    done = _completed(session, row.instance_id)
    out: list[PinTarget] = []
    seen: set[str] = set()
    for t in reversed(_preceding(done, row)):
        if t.bpmn_id in seen or t.role == row.role:
            continue
        seen.add(t.bpmn_id)
        out.append(_target(session, t))
    if row.bpmn_id not in seen:
        out.append(_target(session, row))
    return out


def _target(session: Session, t: HumanTask) -> PinTarget:
    version_id = t.instance.version_id
    return PinTarget(t.bpmn_id, t.name, t.round, forms.load(session, version_id, t.form),
                     forms.load(session, version_id, _ui_name(t.form)))


def _ui_name(form: str | None) -> str | None:
    """The ui schema shipped beside a form (SpiffArena's naming: x-schema.json -> x-uischema.json)."""
    if not form or not form.endswith("-schema.json"):
        return None
    return form[: -len("-schema.json")] + "-uischema.json"


@dataclass
class Feedback:
    """A completed task of another step that answered this step's previous round (e.g. a review)."""

    bpmn_id: str
    name: str
    round: int
    completed_at: datetime | None
    completed_by: str | None
    data: dict[str, Any]
    schema: dict[str, Any] | None


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


@dataclass
class StepChanges:
    """One step's submission compared with its previous round."""

    bpmn_id: str
    name: str
    old_round: int
    new_round: int
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    fields: list[FieldChange]
    added: list[AttachmentView] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    pending: bool = False  # the new side is the form being edited, not yet submitted

    @property
    def changed(self) -> list[FieldChange]:
        return [f for f in self.fields if f.changed]

    @property
    def unchanged(self) -> list[FieldChange]:
        return [f for f in self.fields if not f.changed]


def _ordered_keys(schema: dict[str, Any] | None, ui: dict[str, Any] | None, *values: Any) -> list[str]:
    props = list(((schema or {}).get("properties") or {}).keys())
    order = [k for k in (ui or {}).get("ui:order", []) if isinstance(k, str) and k in props]
    keys = order + [k for k in props if k not in order]
    for value in values:
        if isinstance(value, dict):
            keys += [k for k in value if k not in keys]
    return keys


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def diff_fields(schema: dict[str, Any] | None, ui: dict[str, Any] | None, old: dict[str, Any] | None,
                new: dict[str, Any] | None) -> list[FieldChange]:
    """Field by field (arrays of objects row by row) comparison of two submissions."""
    old, new = old or {}, new or {}
    out = []
    for key in _ordered_keys(schema, ui, old, new):
        a, b = old.get(key), new.get(key)
        if a is None and b is None:
            continue
        change = FieldChange(key, a, b, a != b)
        if (a is None or _is_table(a)) and (b is None or _is_table(b)) and (a or b):
            node = ((schema or {}).get("properties") or {}).get(key) or {}
            item_ui = ((ui or {}).get(key) or {}).get("items") if isinstance((ui or {}).get(key), dict) else None
            a_rows, b_rows = list(a or []), list(b or [])
            cols = _ordered_keys(node.get("items") if isinstance(node, dict) else None, item_ui, *a_rows, *b_rows)
            rows = []
            for i in range(max(len(a_rows), len(b_rows))):
                ra = a_rows[i] if i < len(a_rows) else None
                rb = b_rows[i] if i < len(b_rows) else None
                cells = [(c, (ra or {}).get(c), (rb or {}).get(c), (ra or {}).get(c) != (rb or {}).get(c))
                         for c in cols]
                status = "added" if ra is None else "removed" if rb is None else \
                    "changed" if ra != rb else "same"
                rows.append(RowChange(i, status, cells))
            change.rows = rows
        out.append(change)
    return out


@dataclass
class TaskExtras:
    """Everything the task page shows besides the form itself."""

    pilot_name: str | None
    province_name: str | None
    claimed_by: str | None
    attachments: list[AttachmentView]
    comments: list[CommentView]
    feedback: list[Feedback]
    pinned: dict[str, list[CommentView]]
    pin_targets: list[PinTarget]
    changes: list[StepChanges]


def _changes(session: Session, row: HumanTask, done: list[HumanTask], current: dict[str, Any] | None,
             attachments: list[AttachmentView]) -> list[StepChanges]:
    removed_events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == row.instance_id,
                                                              AuditEvent.action == "attachment_removed")
                                     .order_by(AuditEvent.id)).all()

    def step(old: HumanTask, new: HumanTask, new_data: dict[str, Any] | None, pending: bool) -> StepChanges:
        target = _target(session, new)
        return StepChanges(new.bpmn_id, new.name, old.round, new.round, target.schema, target.ui_schema,
                           diff_fields(target.schema, target.ui_schema, old.data, new_data),
                           [a for a in attachments if a.task_id == new.id],
                           [dict(e.data_before or {}) for e in removed_events if e.task_id == new.id], pending)

    out = []
    earlier = _before(done, row)
    seen: set[str] = set()
    for t in reversed(_preceding(done, row)):
        if t.bpmn_id in seen or t.role == row.role:
            continue
        seen.add(t.bpmn_id)
        rounds = [x for x in earlier if x.bpmn_id == t.bpmn_id]
        if len(rounds) >= 2:
            out.append(step(rounds[-2], rounds[-1], rounds[-1].data, False))
    if not out:
        own = [x for x in earlier if x.bpmn_id == row.bpmn_id]
        if own:
            if row.state == TaskStatus.COMPLETED:
                out.append(step(own[-1], row, row.data, False))
            elif row.state == TaskStatus.READY:
                out.append(step(own[-1], row, current if current is not None else row.draft, True))
    return out


def task_extras(db: sessionmaker[Session], task_id: str, *, user_id: int,
                current: dict[str, Any] | None = None) -> TaskExtras:
    """Pilot and province names, attachments, comments, the feedback on the last round, the
    comments pinned to this step's fields and the changes since the last round."""
    with db() as session:
        user = active_user(session, user_id)
        row = _visible_task(session, user, task_id)
        instance = row.instance
        done = _completed(session, row.instance_id)
        attachments = _attachments(session, instance.id)
        comments = _comments(session, instance.id)
        feedback = [Feedback(t.bpmn_id, t.name, t.round, t.completed_at,
                             _name(session, t.completed_by_id), dict(t.data or {}),
                             forms.load(session, instance.version_id, t.form))
                    for t in _preceding(done, row) if t.role != row.role and t.data]
        pinned: dict[str, list[CommentView]] = {}
        for c in comments:
            if c.field and c.bpmn_id == row.bpmn_id and c.round < row.round:
                pinned.setdefault(c.field, []).append(c)
        changes = _changes(session, row, done, current, attachments)
        diffed = {c.bpmn_id for c in changes}
        feedback = [f for f in feedback if f.bpmn_id not in diffed] if _reviews(done, row) else []
        return TaskExtras(instance.pilot.name if instance.pilot else None,
                          instance.province.name if instance.province else None, _name(session, row.claimed_by_id),
                          attachments, comments, feedback, pinned, _pin_targets(session, row), changes)


def _reviews(done: list[HumanTask], row: HumanTask) -> bool:
    """Whether this step ran before (so what others did since is feedback on it)."""
    return any(t.bpmn_id == row.bpmn_id for t in _before(done, row))


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    u = session.get(User, user_id)
    return (u.display_name or u.username) if u else None


def changes_since_last_round(db: sessionmaker[Session], task_id: str, *, user_id: int,
                             current: dict[str, Any] | None = None) -> list[StepChanges]:
    """For a task whose step (or the step it reviews) had an earlier round: the previous round's
    submitted data against the latest, field by field, and the attachments added and removed.

    A review task compares the two latest completed submissions of the steps it answers; a
    resubmission compares its previous round with ``current`` (the form as being edited; the
    saved draft when not given)."""
    with db() as session:
        user = active_user(session, user_id)
        row = _visible_task(session, user, task_id)
        done = _completed(session, row.instance_id)
        return _changes(session, row, done, current, _attachments(session, row.instance_id))


__all__ = ["ALLOWED_EXTENSIONS", "AttachmentRefused", "AttachmentView", "CommentView", "Feedback", "FieldChange",
           "PinTarget", "RowChange", "StepChanges", "TaskExtras", "add_attachment", "add_comment",
           "changes_since_last_round", "check_upload", "detect", "diff_fields", "open_attachment",
           "remove_attachment", "save_draft", "task_extras"]
