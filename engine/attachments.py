"""Attachments (附件): what a file is (by its bytes, never its name), where its bytes live (by
sha256, outside the web root), and adding, withdrawing and opening one.

Adding and withdrawing act on a ready task the user may work on; opening needs only the instance
in view. The table holds metadata; the bytes are content-addressed and may be shared.
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
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import clock
from engine import lookup
from engine.db import transaction
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import Attachment
from engine.models import HumanTask
from engine.models import User

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
    """An upload was refused; ``refusal`` is one of empty, too_large, type, extension."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, [{"field": "file", "message": reason}], reason=f"upload_{reason}")
        self.refusal = reason


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


def add_attachment(db: sessionmaker[Session], task_id: str, *, user_id: Caller, filename: str, content: bytes,
                   directory: Path, max_bytes: int) -> AttachmentView:
    """Attach a file to a ready task the user may work on, in the task's round."""
    name, content_type = check_upload(filename, content, max_bytes)
    digest = hashlib.sha256(content).hexdigest()
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        instance = row.instance
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
        return _att_view(att, row.bpmn_id, user.label)


def remove_attachment(db: sessionmaker[Session], task_id: str, attachment_id: int, *, user_id: Caller) -> None:
    """Withdraw an attachment of this step (this round or an earlier one) while the task is ready.

    An attachment of this round is deleted (it was never submitted). One submitted in an earlier
    round is only marked withdrawn: it leaves the current submission but stays in the record of
    its round. Either way the removal is audited against the current task, so the changes of
    this round list it. The bytes stay (they are content-addressed and may be shared)."""
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        row = lookup.actionable_task(session, user, task_id)
        instance = row.instance
        att = session.get(Attachment, attachment_id)
        owner = session.get(HumanTask, att.task_id) if att is not None and att.task_id else None
        if att is None or att.instance_id != instance.id or owner is None or owner.bpmn_id != row.bpmn_id \
                or att.removed_at is not None:
            raise NotFound("no such attachment on this step", reason="attachment_not_found")
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


def of_instance(session: Session, instance_id: int) -> list[AttachmentView]:
    """Every attachment of an instance with its step and uploader, oldest first."""
    return of_instances(session, [instance_id]).get(instance_id, [])


def of_instances(session: Session, instance_ids: list[int]) -> dict[int, list[AttachmentView]]:
    """:func:`of_instance` for several instances in one query, by instance id."""
    rows = session.execute(select(Attachment, HumanTask.bpmn_id, User.display_name, User.username, HumanTask.name)
                           .outerjoin(HumanTask, HumanTask.id == Attachment.task_id)
                           .outerjoin(User, User.id == Attachment.uploaded_by_id)
                           .where(Attachment.instance_id.in_(instance_ids)).order_by(Attachment.id)).all()
    out: dict[int, list[AttachmentView]] = {}
    for a, b, d, u, step in rows:
        out.setdefault(a.instance_id, []).append(_att_view(a, b, d or u, step))
    return out


def list_for_task(db: sessionmaker[Session], task_id: str, *, user_id: Caller) -> list[AttachmentView]:
    """The attachments of a task's step, every round (withdrawn ones too), as its page lists them."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        row = lookup.visible_task(session, user, task_id)
        step = set(session.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == row.instance_id, HumanTask.bpmn_id == row.bpmn_id, HumanTask.cycle == row.cycle)))
        return [a for a in of_instance(session, row.instance_id) if a.task_id in step]


def list_for_instance(db: sessionmaker[Session], instance_id: int, *, user_id: Caller) -> list[AttachmentView]:
    """Every attachment of an instance the user may see, oldest first."""
    with db() as session:
        lookup.visible_instance(session, lookup.active_user(session, user_id), instance_id)
        return of_instance(session, instance_id)


def open_attachment(db: sessionmaker[Session], attachment_id: int, *, user_id: Caller,
                    directory: Path) -> tuple[AttachmentView, Path]:
    """An attachment's metadata and the path of its bytes, for a user who may view its instance."""
    with db() as session:
        user = lookup.active_user(session, user_id)
        att = lookup.visible_attachment(session, user, attachment_id)
        path = blob_path(directory, att.content_hash)
        if not path.is_file():
            raise NotFound("the file is missing from storage", reason="attachment_missing")
        return _att_view(att, None, None), path
