"""The indicator system as editable reference data: the tree, one indicator with its history, and
the changes an administrator makes (wording, a third-level indicator added or retired), each with
a reason, recorded before/after in indicator_revision and in the audit log.

A change never reaches a submitted document: task data keeps the codes that were submitted, and
a task shows them with the wording of the form its process version deployed (immutable).
Indicators are never deleted and codes never reused: a retired one keeps its code and history.
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
from engine import lookup
from engine.db import transaction
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import NotFound
from engine.models import Indicator
from engine.models import IndicatorRevision

MAX_NAME = 200
MAX_DESCRIPTION = 4000
MAX_REASON = 1000
FIELDS = ("name_zh", "name_en", "description")


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    level: int
    parent: str | None
    name_zh: str
    name_en: str
    description: str | None
    source_checked: bool
    retired: bool


@dataclass(frozen=True)
class Revision:
    at: datetime
    actor: str | None  # None: the system (command line, migration)
    action: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class IndicatorPage:
    indicator: IndicatorRow
    path: list[IndicatorRow]  # its ancestors, the first level first
    children: list[IndicatorRow]
    revisions: list[Revision]  # newest first


def sort_key(code: str) -> tuple[int, ...]:
    """3.3.9 before 3.3.10."""
    return tuple(int(part) if part.isascii() and part.isdigit() else 0 for part in code.split("."))


def _row(ind: Indicator, codes: dict[int, str]) -> IndicatorRow:
    return IndicatorRow(ind.code, ind.level, codes.get(ind.parent_id) if ind.parent_id else None, ind.name_zh,
                        ind.name_en, ind.description, ind.source_checked, ind.retired_at is not None)


def _all(session: Session) -> list[Indicator]:
    return sorted(session.scalars(select(Indicator)), key=lambda i: sort_key(i.code))


def catalogue(db: sessionmaker[Session], *, user_id: lookup.Actor) -> list[IndicatorRow]:
    """Every indicator, in code order (retired ones included, marked)."""
    with db() as session:
        lookup.admin_actor(session, user_id)
        every = _all(session)
        codes = {i.id: i.code for i in every}
        return [_row(i, codes) for i in every]


def _get(session: Session, code: str) -> Indicator:
    found = session.scalar(select(Indicator).where(Indicator.code == code[:20]))
    if found is None:
        raise NotFound(f"no indicator {code[:20]!r}", reason="indicator_not_found")
    return found


def page(db: sessionmaker[Session], code: str, *, user_id: lookup.Actor) -> IndicatorPage:
    """One indicator with its place in the tree, its children and its history."""
    with db() as session:
        lookup.admin_actor(session, user_id)
        every = _all(session)
        codes = {i.id: i.code for i in every}
        by_code = {i.code: i for i in every}
        ind = by_code.get(code[:20])
        if ind is None:
            raise NotFound(f"no indicator {code[:20]!r}", reason="indicator_not_found")
        prefixes = [".".join(code.split(".")[:n]) for n in range(1, ind.level)]
        revisions = session.scalars(select(IndicatorRevision).where(IndicatorRevision.indicator_id == ind.id)
                                    .options(selectinload(IndicatorRevision.actor))
                                    .order_by(IndicatorRevision.id.desc()))
        return IndicatorPage(_row(ind, codes), [_row(by_code[p], codes) for p in prefixes if p in by_code],
                             [_row(i, codes) for i in every if i.parent_id == ind.id],
                             [Revision(r.at, r.actor.label if r.actor else None, r.action, r.reason, r.before,
                                       r.after) for r in revisions])


def _text(value: str | None, limit: int, *, required: bool, field: str) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidData(f"{field} is required", [{"field": field, "message": "required"}],
                          reason="reason_required" if field == "reason" else "indicator_name_required")
    if len(text) > limit:
        raise InvalidData(f"{field} is longer than {limit} characters", [{"field": field, "message": "too long"}],
                          reason="indicator_too_long", n=limit)
    return text or None


def _wording(name_zh: str | None, name_en: str | None, description: str | None) -> dict[str, Any]:
    return {"name_zh": _text(name_zh, MAX_NAME, required=True, field="name_zh"),
            "name_en": _text(name_en, MAX_NAME, required=True, field="name_en"),
            "description": _text(description, MAX_DESCRIPTION, required=False, field="description")}


def _record(session: Session, ind: Indicator, actor_id: int | None, action: str, reason: str, *,
            before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    session.add(IndicatorRevision(indicator=ind, actor_id=actor_id, action=action, reason=reason,
                                  before=before, after=after))
    audit.record(session, "indicator_" + action, actor_id=actor_id, before=before,
                 after={"code": ind.code, **(after or {})}, message=reason)


def edit(db: sessionmaker[Session], code: str, *, user_id: lookup.Actor, name_zh: str | None,
         name_en: str | None, description: str | None, reason: str | None) -> None:
    """Change an indicator's wording (any level); InvalidData when nothing changed."""
    wording = _wording(name_zh, name_en, description)
    why = str(_text(reason, MAX_REASON, required=True, field="reason"))
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        ind = _get(session, code)
        before = {f: getattr(ind, f) for f in FIELDS if getattr(ind, f) != wording[f]}
        if not before:
            raise InvalidData("nothing changed", [], reason="indicator_unchanged")
        after = {f: wording[f] for f in before}
        for f, value in after.items():
            setattr(ind, f, value)
        _record(session, ind, actor_id, "edited", why, before=before, after=after)


def add(db: sessionmaker[Session], parent_code: str, *, user_id: lookup.Actor, name_zh: str | None,
        name_en: str | None, description: str | None, reason: str | None) -> str:
    """Add a third-level indicator under a second-level one; return its code (the next number
    under the parent, retired ones counted, so no code is ever given twice)."""
    wording = _wording(name_zh, name_en, description)
    why = str(_text(reason, MAX_REASON, required=True, field="reason"))
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        parent = _get(session, parent_code)
        if parent.level != 2:
            raise InvalidData("third-level indicators are added under a second-level one", [],
                              reason="indicator_level")
        siblings = session.scalars(select(Indicator.code).where(Indicator.parent_id == parent.id))
        number = max((sort_key(c)[-1] for c in siblings), default=0) + 1
        ind = Indicator(code=f"{parent.code}.{number}", level=3, parent_id=parent.id, source_checked=False,
                        **wording)
        session.add(ind)
        session.flush()
        _record(session, ind, actor_id, "added", why, before=None, after=wording)
        return ind.code


def set_retired(db: sessionmaker[Session], code: str, retired: bool, *, user_id: lookup.Actor,
                reason: str | None) -> None:
    """Retire a third-level indicator (no longer offered; kept with its code and history), or
    restore a retired one."""
    why = str(_text(reason, MAX_REASON, required=True, field="reason"))
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        ind = _get(session, code)
        if ind.level != 3:
            raise InvalidData("only third-level indicators are retired", [], reason="indicator_level")
        if (ind.retired_at is not None) == retired:
            raise InvalidState("the indicator is already so", reason="indicator_already")
        before = {"retired_at": ind.retired_at.isoformat() if ind.retired_at else None}
        ind.retired_at = clock.now() if retired else None
        after = {"retired_at": ind.retired_at.isoformat() if ind.retired_at else None}
        _record(session, ind, actor_id, "retired" if retired else "restored", why, before=before, after=after)
