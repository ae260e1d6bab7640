"""Drafts of definitions, kept on the server while an administrator edits them in the browser.

One draft per definition key (or the key of a process not deployed yet): the bundle's files as
text, the version it started from, who saved it last and when. Saving again replaces it;
deploying it makes a new version (engine.definitions) and then discards it. Administrators only.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from lxml import etree
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import bpmn
from engine import catalog
from engine import clock
from engine import definitions
from engine import lookup
from engine import starter
from engine.db import transaction
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.lookup import Caller
from engine.models import DefinitionDraft
from engine.models import ProcessDefinition

# A definition key is a BPMN process id: an XML name we also use in URLs and file names.
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")
MAX_FILES = 200


@dataclass(frozen=True)
class Draft:
    key: str
    files: dict[str, str]  # name -> text
    base_version: int | None  # the version it started from (None: a new process)
    saved_by: str | None
    saved_at: datetime | None  # None: not saved yet (a version opened in the editor)

    @property
    def main(self) -> str | None:
        """The BPMN file that defines the process ``key`` (else the first BPMN file)."""
        return main_file(self.key, self.files)


@dataclass(frozen=True)
class FormCheck:
    schema: dict[str, Any] | None
    ui: dict[str, Any] | None
    problems: list[str]


def save(db: sessionmaker[Session], key: str, files: dict[str, str], *, user_id: Caller,
         base_version: int | None, max_bytes: int = definitions.DEFAULT_MAX_BYTES) -> Draft:
    """Keep ``files`` as the draft of ``key``, replacing any earlier draft of it."""
    _check_key(key)
    _check_files(files, max_bytes)
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        row = session.scalar(select(DefinitionDraft).where(DefinitionDraft.key == key))
        if row is None:
            row = DefinitionDraft(key=key)
            session.add(row)
        row.files, row.base_version, row.saved_by_id, row.saved_by = dict(files), base_version, actor.id, actor
        row.saved_at = clock.now()
        session.flush()
        audit.record(session, "draft_saved", actor_id=actor.id,
                     after={"key": key, "base_version": base_version, "files": sorted(files)})
        return _view(row)


def load(db: sessionmaker[Session], key: str, *, user_id: Caller) -> Draft:
    """The saved draft of ``key``; NotFound when there is none."""
    with db() as session:
        lookup.administrator(session, user_id)
        row = session.scalar(select(DefinitionDraft).where(DefinitionDraft.key == key)
                             .options(joinedload(DefinitionDraft.saved_by)))
        if row is None:
            raise NotFound(f"no draft of {key!r}", reason="draft_not_found")
        return _view(row)


def list_drafts(db: sessionmaker[Session], *, user_id: Caller) -> list[catalog.DraftInfo]:
    with db() as session:
        lookup.administrator(session, user_id)
        return sorted(catalog.drafts(session).values(), key=lambda d: d.key)


def discard(db: sessionmaker[Session], key: str, *, user_id: Caller) -> None:
    """Throw the draft of ``key`` away (nothing deployed changes)."""
    with transaction(db) as session:
        actor = lookup.administrator(session, user_id)
        gone = session.execute(delete(DefinitionDraft).where(DefinitionDraft.key == key)).rowcount  # type: ignore[attr-defined]
        if not gone:
            raise NotFound(f"no draft of {key!r}", reason="draft_not_found")
        audit.record(session, "draft_discarded", actor_id=actor.id, after={"key": key})


def from_version(db: sessionmaker[Session], key: str, number: int, *, user_id: Caller) -> Draft:
    """Version ``number`` of ``key`` as an unsaved draft (to open it in the editor)."""
    files = catalog.version_files(db, key, number, user_id=user_id)
    return Draft(key, {name: as_text(content) for name, _kind, content in files}, number, None, None)


def start_new(db: sessionmaker[Session], key: str, *, user_id: Caller, name: str, task_name: str,
              field_label: str) -> Draft:
    """Save the draft of a new process ``key`` that opens runnable (see engine.starter)."""
    _check_key(key)
    _refuse_taken(db, key)
    return save(db, key, starter.files(key, name, task_name, field_label), user_id=user_id, base_version=None)


def import_file(db: sessionmaker[Session], filename: str, content: bytes, *, user_id: Caller,
                max_bytes: int = definitions.DEFAULT_MAX_BYTES) -> Draft:
    """Save a BPMN file from another modeler as a draft, keyed by the first process it defines.

    Any well-formed BPMN opens (non-executable models too: the admin makes them executable in the
    editor); deploy refuses it later, with every problem, if it still cannot run. A process that
    is deployed already gets a draft based on its live version, holding just this file.
    """
    with db() as session:
        lookup.administrator(session, user_id)
    if len(content) > max_bytes:
        raise InvalidData("the file is too large", [{"field": "file", "message": f"larger than {max_bytes} bytes"}],
                          reason="file_too_large", limit=max_bytes)
    text = as_text(content)
    key = _process_key(text)
    name = PurePath(filename).name or f"{key}.bpmn"
    if bpmn.file_kind(name) != "bpmn":
        name = f"{PurePath(name).stem or key}.bpmn"
    with db() as session:
        if session.scalar(select(DefinitionDraft.id).where(DefinitionDraft.key == key)) is not None:
            raise ConflictError(f"there is a draft of {key!r} already", reason="draft_exists", key=key)
        live = definitions.live_version(session, key)
    return save(db, key, {name: text}, user_id=user_id, base_version=live.number if live else None,
                max_bytes=max_bytes)


def deploy(db: sessionmaker[Session], key: str, *, user_id: Caller, max_bytes: int = definitions.DEFAULT_MAX_BYTES,
           allow_scripts: bool = False) -> list[definitions.Deployed]:
    """Deploy the saved draft of ``key`` as the acting administrator, then discard it. A refused
    bundle raises DeployError, stores nothing and keeps the draft (the live version stays live)."""
    draft = load(db, key, user_id=user_id)
    deployed = definitions.deploy(db, [(n, t.encode()) for n, t in sorted(draft.files.items())], user_id=user_id,
                                  max_bytes=max_bytes, allow_scripts=allow_scripts)
    with transaction(db) as session:
        session.execute(delete(DefinitionDraft).where(DefinitionDraft.key == key))
    return deployed


def check_form(db: sessionmaker[Session], schema_text: str, ui_text: str, *, user_id: Caller) -> FormCheck:
    """A form's JSON Schema and UI schema as the editor types them: parsed, and why they cannot
    serve as a task form (JSON syntax; JSON Schema meta-validation; an object form)."""
    with db() as session:
        lookup.administrator(session, user_id)
    problems: list[str] = []
    schema, ui = _json(schema_text, "schema", problems), _json(ui_text or "{}", "ui", problems)
    if schema is not None:
        problems += bpmn.form_schema_problems(schema)
    if ui is not None and not isinstance(ui, dict):
        problems.append("a UI schema must be a JSON object")
    return FormCheck(schema if isinstance(schema, dict) and not problems else None,
                     ui if isinstance(ui, dict) else None, problems)


def main_file(key: str, files: dict[str, str]) -> str | None:
    names = sorted(n for n in files if bpmn.file_kind(n) == "bpmn")
    for name in names:
        if f'id="{key}"' in files[name] and re.search(rf'<([\w-]+:)?process\b[^>]*\bid="{re.escape(key)}"',
                                                      files[name]):
            return name
    return names[0] if names else None


def as_text(content: bytes) -> str:
    """A definition file's text (UTF-8; XML in another declared encoding is re-encoded)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            root = etree.fromstring(content, bpmn.SAFE_XML)
        except etree.XMLSyntaxError:
            raise InvalidData("not UTF-8 text", [{"field": "file", "message": "not UTF-8 text"}],
                              reason="not_bpmn") from None
        return str(etree.tostring(root, encoding="unicode"))


def _process_key(text: str) -> str:
    try:
        root = etree.fromstring(text.encode(), bpmn.SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or root.getroottree().docinfo.doctype or etree.QName(root).namespace != bpmn.BPMN_NS:
        raise InvalidData("not a BPMN 2.0 file", [{"field": "file", "message": "not a BPMN 2.0 file"}],
                          reason="not_bpmn")
    processes = root.findall(f"{{{bpmn.BPMN_NS}}}process")
    executable = [p for p in processes if p.get("isExecutable") == "true"] or processes
    key = (executable[0].get("id") or "") if executable else ""
    if not KEY.fullmatch(key):
        raise InvalidData("the file defines no process", [{"field": "file", "message": "no process with an id"}],
                          reason="no_process")
    return key


def _check_key(key: str) -> None:
    if not KEY.fullmatch(key):
        raise InvalidData(f"invalid process key {key!r}", [{"field": "key", "message": "invalid"}],
                          reason="invalid_key")


def _check_files(files: dict[str, str], max_bytes: int) -> None:
    bad = [n for n, t in files.items() if not isinstance(n, str) or not isinstance(t, str)
           or bpmn.file_kind(n) is None or PurePath(n).name != n or len(n) > bpmn.MAX_NAME_CHARS
           or len(t.encode()) > max_bytes]
    if bad or not files or len(files) > MAX_FILES:
        raise InvalidData("invalid draft files", [{"field": str(n)[:200], "message": "invalid"} for n in bad[:20]],
                          reason="invalid_draft")


def _refuse_taken(db: sessionmaker[Session], key: str) -> None:
    with db() as session:
        taken = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key)) is not None \
            or session.scalar(select(DefinitionDraft.id).where(DefinitionDraft.key == key)) is not None
    if taken:
        raise ConflictError(f"{key!r} exists already", reason="key_taken", key=key)


def _json(text: str, what: str, problems: list[str]) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        problems.append(f"{'UI schema' if what == 'ui' else 'JSON Schema'}: not valid JSON ({exc})")
        return None


def _view(row: DefinitionDraft) -> Draft:
    return Draft(row.key, dict(row.files), row.base_version, row.saved_by.label if row.saved_by else None,
                 row.saved_at)
