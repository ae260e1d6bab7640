"""The admin's process catalogue: every definition with its versions, who deployed each and when,
how many instances run on each, and any version's files. Reads only, administrators only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import sessionmaker

from engine import lookup
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import DefinitionDraft
from engine.models import DefinitionFile
from engine.models import Instance
from engine.models import InstanceState
from engine.models import ProcessDefinition
from engine.models import ProcessVersion
from engine.models import User


@dataclass(frozen=True)
class VersionRow:
    number: int
    name: str
    deployed_at: datetime
    deployed_by: str | None  # None: the command line or the demo (SYSTEM)
    files: list[str]
    running: int  # instances running (or suspended) on this version
    instances: int  # every instance ever started on it


@dataclass(frozen=True)
class DraftInfo:
    key: str
    base_version: int | None
    saved_by: str | None
    saved_at: datetime


@dataclass(frozen=True)
class ProcessRow:
    key: str
    name: str
    versions: list[VersionRow]  # newest first
    draft: DraftInfo | None

    @property
    def live(self) -> VersionRow:
        return self.versions[0]

    @property
    def running(self) -> int:
        return sum(v.running for v in self.versions)


@dataclass(frozen=True)
class Catalog:
    processes: list[ProcessRow]
    new_drafts: list[DraftInfo]  # drafts of processes not deployed yet


def list_processes(db: sessionmaker[Session], *, user_id: Caller) -> Catalog:
    """Every definition (by key) with its version history, and the drafts of new processes."""
    with db() as session:
        lookup.administrator(session, user_id)
        pending = drafts(session)
        definitions = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)).all()
        rows = [ProcessRow(d.key, d.name, _versions(session, d.id), pending.pop(d.key, None)) for d in definitions]
        return Catalog([r for r in rows if r.versions], sorted(pending.values(), key=lambda d: d.key))


def process(db: sessionmaker[Session], key: str, *, user_id: Caller) -> ProcessRow:
    """One definition's history; NotFound when nothing of that key was deployed."""
    with db() as session:
        lookup.administrator(session, user_id)
        definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
        versions = _versions(session, definition.id) if definition is not None else []
        if definition is None or not versions:
            raise NotFound(f"no definition {key!r}", reason="process_not_found")
        return ProcessRow(definition.key, definition.name, versions, drafts(session, key).get(key))


def version_files(db: sessionmaker[Session], key: str, number: int, *,
                  user_id: Caller) -> list[tuple[str, str, bytes]]:
    """The files (name, kind, content) of version ``number`` of ``key``, by name."""
    with db() as session:
        lookup.administrator(session, user_id)
        rows = session.execute(
            select(DefinitionFile.name, DefinitionFile.kind, DefinitionFile.content)
            .join(ProcessVersion, ProcessVersion.id == DefinitionFile.version_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
            .where(ProcessDefinition.key == key, ProcessVersion.number == number)
            .order_by(DefinitionFile.name)).all()
        if not rows:
            raise NotFound(f"no version {number} of {key!r}", reason="version_not_found", n=number)
        return [(name, kind, content) for name, kind, content in rows]


def _versions(session: Session, definition_id: int) -> list[VersionRow]:
    counts: dict[tuple[int, bool], int] = {}
    active = Instance.state.in_((InstanceState.RUNNING, InstanceState.SUSPENDED, InstanceState.ERROR))
    for version_id, is_active, n in session.execute(
            select(Instance.version_id, active, func.count())
            .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
            .where(ProcessVersion.definition_id == definition_id).group_by(Instance.version_id, active)):
        counts[(version_id, bool(is_active))] = n
    versions = session.scalars(select(ProcessVersion).where(ProcessVersion.definition_id == definition_id)
                               .options(joinedload(ProcessVersion.files).load_only(DefinitionFile.name))
                               .order_by(ProcessVersion.number.desc())).unique().all()
    labels = _labels(session, {v.deployed_by_id for v in versions})
    return [VersionRow(v.number, v.name, v.deployed_at, labels.get(v.deployed_by_id) if v.deployed_by_id else None,
                       [f.name for f in v.files], counts.get((v.id, True), 0),
                       counts.get((v.id, True), 0) + counts.get((v.id, False), 0)) for v in versions]


def _labels(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def drafts(session: Session, key: str | None = None) -> dict[str, DraftInfo]:
    stmt = select(DefinitionDraft).options(joinedload(DefinitionDraft.saved_by))
    if key is not None:
        stmt = stmt.where(DefinitionDraft.key == key)
    return {d.key: DraftInfo(d.key, d.base_version, d.saved_by.label if d.saved_by else None, d.saved_at)
            for d in session.scalars(stmt)}
