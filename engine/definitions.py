"""Deploying definitions as immutable numbered versions, and listing them."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import bpmn
from engine import lookup
from engine import services
from engine import state
from engine.db import transaction
from engine.errors import DeployError
from engine.errors import Problem
from engine.models import DefinitionFile
from engine.models import ProcessDefinition
from engine.models import ProcessVersion

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int
    name: str
    created: bool  # False when identical bytes were already the live version
    deployed_at: datetime


def content_hash(files: dict[str, tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name][1]).digest())
    return digest.hexdigest()


def deploy(db: sessionmaker[Session], files: Iterable[tuple[str, bytes]], *, user_id: lookup.Actor,
           max_bytes: int = DEFAULT_MAX_BYTES, allow_scripts: bool = False) -> list[Deployed]:
    """Parse, check and store a bundle; every top-level process in it gets a new version. Only an
    administrator (or SYSTEM: the command line) deploys.

    Raises DeployError (listing every problem) and stores nothing when the bundle is bad, so the
    live version stays live. Bytes identical to the live version make no new version.
    """
    with db() as session:  # refuse a non-administrator before parsing what they sent
        actor_id = lookup.admin_actor(session, user_id)
    bundle = bpmn.parse_bundle(files, max_bytes=max_bytes, allow_scripts=allow_scripts,
                               services=services.NAMES)
    digest = content_hash(bundle.files)
    result = []
    with transaction(db) as session:
        for process in bundle.processes:
            result.append(_store(session, bundle, process, digest, actor_id))
    return result


def validate_bundle(db: sessionmaker[Session], files: Iterable[tuple[str, bytes]], *, user_id: lookup.Actor,
                    max_bytes: int = DEFAULT_MAX_BYTES, allow_scripts: bool = False) -> list[Problem]:
    """Every problem deploying ``files`` would meet (the same checks, nothing stored); empty when
    the bundle would deploy. Administrators only."""
    with db() as session:
        lookup.admin_actor(session, user_id)
    try:
        bpmn.parse_bundle(files, max_bytes=max_bytes, allow_scripts=allow_scripts, services=services.NAMES)
    except DeployError as exc:
        return list(exc.problems)
    return []


def _store(session: Session, bundle: bpmn.Bundle, process: bpmn.ParsedProcess, digest: str,
           actor_id: int | None) -> Deployed:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == process.key))
    if definition is None:
        definition = ProcessDefinition(key=process.key, name=process.name)
        session.add(definition)
        session.flush()
    live = latest_version(session, definition.id)
    if live is not None and live.content_hash == digest:
        return Deployed(process.key, live.number, live.name, False, live.deployed_at)
    number = (live.number if live else 0) + 1
    spec_json = state.dump_spec(process.spec, process.subprocess_specs)
    version = ProcessVersion(definition_id=definition.id, number=number, name=process.name,
                             content_hash=digest, needs_pilot=process.needs_pilot, deployed_by_id=actor_id,
                             spec_json=spec_json, spec_hash=hashlib.sha256(spec_json.encode()).hexdigest(),
                             serializer_version=state.SERIALIZER_VERSION)
    version.files = [DefinitionFile(name=name, kind=kind, content=content,
                                    sha256=hashlib.sha256(content).hexdigest())
                     for name, (kind, content) in sorted(bundle.files.items())]
    definition.name = process.name
    session.add(version)
    session.flush()
    audit.record(session, "definition_deployed", actor_id=actor_id,
                 after={"key": process.key, "version": number, "files": sorted(bundle.files)})
    return Deployed(process.key, number, process.name, True, version.deployed_at)


def latest_version(session: Session, definition_id: int) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition_id)
                          .order_by(ProcessVersion.number.desc()).limit(1))


def live_version(session: Session, key: str) -> ProcessVersion | None:
    """The newest version of the definition ``key`` (new instances start on it)."""
    definition_id = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key))
    return latest_version(session, definition_id) if definition_id is not None else None


def list_definitions(db: sessionmaker[Session]) -> list[Deployed]:
    """Every definition with its live version, by key."""
    newest = (select(ProcessVersion.definition_id, func.max(ProcessVersion.number).label("n"))
              .group_by(ProcessVersion.definition_id).subquery())
    stmt = (select(ProcessDefinition.key, ProcessVersion)
            .join(ProcessVersion, ProcessVersion.definition_id == ProcessDefinition.id)
            .join(newest, (newest.c.definition_id == ProcessVersion.definition_id)
                  & (newest.c.n == ProcessVersion.number))
            .order_by(ProcessDefinition.key))
    with db() as session:
        return [Deployed(key, v.number, v.name, True, v.deployed_at) for key, v in session.execute(stmt)]


def read_paths(paths: Iterable[str | Path]) -> list[tuple[str, bytes]]:
    """Files to deploy from paths; a directory contributes its .bpmn, .dmn and .json files."""
    files: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p.name, p.read_bytes()) for p in sorted(path.iterdir())
                      if p.is_file() and bpmn.file_kind(p.name)]
        elif path.is_file():
            files.append((path.name, path.read_bytes()))
        else:
            raise DeployError([Problem(str(path), None, None, "no such file or directory")])
    return files


def shipped_processes() -> Path:
    """The folder of BPMN, DMN and forms that ships with the product."""
    import processes

    return Path(processes.__file__).parent
