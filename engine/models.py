"""Typed ORM models: reference data, users, versioned definitions, instances, the human-task
projection, audit events and attachment metadata. Models change state; they never commit."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import true
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from engine.columns import UTCDateTime
from engine.columns import created
from engine.columns import intpk
from engine.columns import name200

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, Any: JSON}


class Role(str, enum.Enum):
    CITY = "city"
    PROVINCE = "province"
    MINISTRY = "ministry"
    ADMIN = "admin"


class Level(str, enum.Enum):
    CITY = "city"
    DISTRICT = "district"
    COUNTY = "county"
    TOWN = "town"


class InstanceState(str, enum.Enum):
    RUNNING = "running"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class TaskStatus(str, enum.Enum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Province(Base):
    __tablename__ = "province"
    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    pilots: Mapped[list[Pilot]] = relationship(back_populates="province")


class Pilot(Base):
    __tablename__ = "pilot"
    __table_args__ = (UniqueConstraint("province_id", "name", name="province_name"),)
    id: Mapped[intpk]
    name: Mapped[name200]
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), index=True)
    level: Mapped[Level] = mapped_column(_enum(Level))
    batch_year: Mapped[int | None]
    province: Mapped[Province] = relationship(back_populates="pilots")


def user_label(display_name: str | None, username: str) -> str:
    """How the interface names a user: the display name, else the user name."""
    return display_name or username


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id"))
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # sha256 of the API token; the token itself is shown once and never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Bumped on password change or deactivation so existing sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Sign-in throttling: consecutive failures and, after too many, when the next try is allowed.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notifications: in the app always; by e-mail when there is an address and the user wants it.
    email: Mapped[str | None] = mapped_column(String(254))
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=true())
    language: Mapped[str] = mapped_column(String(10), default="zh", server_default="zh")  # of the mails
    created_at: Mapped[created]
    province: Mapped[Province | None] = relationship()
    pilot: Mapped[Pilot | None] = relationship()

    @property
    def label(self) -> str:
        return user_label(self.display_name, self.username)


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[name200]
    created_at: Mapped[created]
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="definition", order_by="ProcessVersion.number")


class ProcessVersion(Base):
    """An immutable, numbered deployment of a definition with its files and its parsed spec."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("definition_id", "number", name="definition_number"),)
    id: Mapped[intpk]
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    number: Mapped[int]
    name: Mapped[name200]
    content_hash: Mapped[str] = mapped_column(String(64))
    # SpiffWorkflow's serialized spec + subprocess specs, written once at deploy time.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)  # read only on a spec-cache miss
    spec_hash: Mapped[str] = mapped_column(String(64))  # sha256 of spec_json: the spec cache key
    serializer_version: Mapped[str] = mapped_column(String(20))
    needs_pilot: Mapped[bool]
    deployed_at: Mapped[created]
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    definition: Mapped[ProcessDefinition] = relationship(back_populates="versions")
    files: Mapped[list[DefinitionFile]] = relationship(back_populates="version", order_by="DefinitionFile.name")


class DefinitionFile(Base):
    __tablename__ = "definition_file"
    __table_args__ = (UniqueConstraint("version_id", "name", name="version_name"),)
    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    name: Mapped[name200]
    kind: Mapped[str] = mapped_column(String(10))  # bpmn | dmn | form
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[ProcessVersion] = relationship(back_populates="files")


class Instance(Base):
    """A running process: SpiffWorkflow state without the spec, plus what queries need."""

    __tablename__ = "instance"
    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id"), index=True)
    state: Mapped[InstanceState] = mapped_column(_enum(InstanceState), index=True)
    workflow_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    lock_version: Mapped[int] = mapped_column(Integer)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The names of the ready steps while running; the end event reached once completed.
    stage: Mapped[str | None] = mapped_column(String(400))
    # Messages the workflow can catch now, with the lane allowed to send them.
    waiting_messages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # BPMN ids of every flow node completed so far (the path taken); SpiffWorkflow's own
    # history is pruned (engine/pruning.py), so this record is the one that lasts.
    visited: Mapped[list[str] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[created]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[created]
    version: Mapped[ProcessVersion] = relationship()
    pilot: Mapped[Pilot | None] = relationship()
    province: Mapped[Province | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class InstanceSnapshot(Base):
    """An instance as it was before an administrator migrated it to another version: revert puts
    exactly this state and version back, while the instance has not moved on since."""

    __tablename__ = "instance_snapshot"
    __table_args__ = (Index("ix_instance_snapshot_instance", "instance_id", "id"),)
    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))  # the version it was on
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    workflow_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    # The instance's lock version right after the migration: a revert is allowed only while the
    # instance still has it (nothing happened to it since).
    lock_version: Mapped[int]
    batch: Mapped[str] = mapped_column(String(36))  # the one action several instances moved in
    reason: Mapped[str | None] = mapped_column(Text)
    taken_at: Mapped[created]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class HumanTask(Base):
    """Projection of every user/manual task; inbox queries never deserialize a workflow."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_group_inbox", "state", "role", "province_id", "due_at"),
        Index("ix_human_task_claimed", "claimed_by_id", "state", "due_at"),
        Index("ix_human_task_completed", "completed_by_id", "state", "completed_at", "bpmn_id"),
        Index("ix_human_task_durations", "state", "province_id", "bpmn_id", "hours"),
        Index("ix_human_task_step_hours", "bpmn_id", "state", "hours"),  # step first: no other list wants it
        Index("ix_human_task_rounds", "role", "pilot_id", "bpmn_id", "round"),
        Index("ix_human_task_pilot", "pilot_id", "state"),
        Index("ix_human_task_instance", "instance_id", "state"),
        Index("ix_human_task_deadline", "state", "due_at"),  # the worker's deadline notices
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task uuid
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    bpmn_id: Mapped[name200]
    name: Mapped[name200]
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(_enum(Role))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id"))
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id"))
    form: Mapped[str | None] = mapped_column(String(200))
    ui_form: Mapped[str | None] = mapped_column(String(200))  # the UI schema the BPMN names for the form
    # Which iteration of an enclosing multi-instance activity the task runs in ("annual_cycle:2"),
    # "" outside any: rounds are counted within it, so each year's report starts at round 1.
    cycle: Mapped[str] = mapped_column(String(200), default="", server_default="")
    round: Mapped[int] = mapped_column(default=1)
    # The task whose completion offered this one (None when a timer, a message or the start did):
    # following it back finds the work a task answers.
    opened_by_id: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[created]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours: Mapped[float | None]  # offered → completed, written with the completion (the dashboard's durations)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what was submitted
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # saved, not yet submitted (暂存)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the deadline-approaching and the overdue notices went out (each once per task).
    due_soon_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance: Mapped[Instance] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])


class AuditEvent(Base):
    """Append-only record of every state change, written in the changing transaction."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_instance", "instance_id", "id"),)
    id: Mapped[intpk]
    at: Mapped[created]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(200))
    data_before: Mapped[Any | None] = mapped_column(JSON)
    data_after: Mapped[Any | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[User | None] = relationship()


class Attachment(Base):
    """Metadata of an uploaded file; the bytes live on disk, named by their sha256."""

    __tablename__ = "attachment"
    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[name200]
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    round: Mapped[int] = mapped_column(default=1)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[created]
    # Withdrawn by the submitter in a later round: no longer part of the current submission, but
    # still listed (and downloadable) in the record of the round it was submitted with.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Comment(Base):
    """A remark in an instance's thread; a reviewer may pin it to one form field of a task."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_instance", "instance_id", "id"),)
    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(200))
    round: Mapped[int] = mapped_column(default=1)
    field: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created]
    author: Mapped[User] = relationship()


class SavedFilter(Base):
    """A task-list filter a user named and kept."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[created]


class Indicator(Base):
    """A node of the national indicator system (4 first-level / 11 second-level / 57 third-level
    in the trial edition): reference data an admin edits; every change is an IndicatorRevision."""

    __tablename__ = "indicator"
    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(20), unique=True)  # the dotted path, "3.3.10"
    level: Mapped[int]  # 1, 2 or 3
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    name_zh: Mapped[name200]
    name_en: Mapped[name200]
    description: Mapped[str | None] = mapped_column(Text)
    source_checked: Mapped[bool] = mapped_column(default=False)  # the wording was read in a source
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no longer offered; never deleted
    revisions: Mapped[list[IndicatorRevision]] = relationship(
        back_populates="indicator", order_by="IndicatorRevision.id.desc()")


class IndicatorRevision(Base):
    """One change of an indicator: who, when, why, and its fields before and after."""

    __tablename__ = "indicator_revision"
    id: Mapped[intpk]
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    at: Mapped[created]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(20))  # added | edited | retired | restored
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    indicator: Mapped[Indicator] = relationship(back_populates="revisions")
    actor: Mapped[User | None] = relationship()
class DefinitionDraft(Base):
    """An administrator's unfinished edit of a definition (or of a new one): the bundle's files as
    text, the version it started from, who saved it last and when. Saving again replaces it."""

    __tablename__ = "definition_draft"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)  # the definition it becomes
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # file name -> text (BPMN, DMN, JSON)
    base_version: Mapped[int | None]
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[created]
    saved_by: Mapped[User | None] = relationship()


class WorkerHeartbeat(Base):
    """A running worker process (host:pid) and when it last finished a round: /healthz reads it."""

    __tablename__ = "worker_heartbeat"
    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_beat: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
