"""Task-list filters a user names and keeps (Camunda Tasklist's saved filters).

A saved query holds only the filter fields of an inbox list (scope, province, pilot, step,
overdue), checked here; each filter belongs to one user, who alone lists and deletes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import inbox
from engine.db import transaction
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.lookup import Caller
from engine.lookup import active_user
from engine.models import SavedFilter
from engine.models import User

SCOPES = inbox.SCOPES
MAX_NAME = 100
MAX_PER_USER = 50


@dataclass(frozen=True)
class FilterView:
    id: int
    name: str
    query: dict[str, Any]


def clean_query(query: dict[str, Any]) -> dict[str, Any]:
    """Keep only known filter fields, with their types checked; drop empty ones."""
    unknown = sorted(set(query) - {"scope", "province_id", "pilot_id", "bpmn_id", "overdue", "search", "sort",
                                   "descending"})
    if unknown:
        raise InvalidData("unknown filter fields", [{"field": k, "message": "unknown field"} for k in unknown])
    out: dict[str, Any] = {}
    scope = query.get("scope") or "mine"
    if scope not in SCOPES:
        raise InvalidData("unknown list", [{"field": "scope", "message": "unknown list"}])
    out["scope"] = scope
    for key in ("province_id", "pilot_id"):
        value = query.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidData(f"{key} must be a positive integer", [{"field": key, "message": "not an id"}])
        out[key] = value
    step = query.get("bpmn_id")
    if step:
        if not isinstance(step, str) or len(step) > 200:
            raise InvalidData("bad step", [{"field": "bpmn_id", "message": "not a step id"}])
        out["bpmn_id"] = step
    if query.get("overdue"):
        out["overdue"] = True
    return out | _order_and_search(query)


def _order_and_search(query: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    search = query.get("search")
    if search:
        if not isinstance(search, str) or len(search) > 100:
            raise InvalidData("a search has at most 100 characters", [{"field": "search", "message": "too long"}])
        out["search"] = search.strip()
    sort = query.get("sort")
    if sort:
        if sort not in inbox.SORTS:
            raise InvalidData("unknown order", [{"field": "sort", "message": "unknown order"}])
        out["sort"] = sort
        if query.get("descending"):
            out["descending"] = True
    return out


def _name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidData(f"a filter name has 1 to {MAX_NAME} characters",
                          [{"field": "name", "message": f"1 to {MAX_NAME} characters"}])
    return name


def save(db: sessionmaker[Session], user_id: Caller, name: str, query: dict[str, Any]) -> int:
    """Store a filter under a name unique for this user; returns its id."""
    name, cleaned = _name(name), clean_query(query)
    with transaction(db) as session:
        user = active_user(session, user_id)
        taken = session.scalar(select(SavedFilter.id).where(SavedFilter.user_id == user.id,
                                                            SavedFilter.name == name))
        if taken is not None:
            raise InvalidData("you already have a filter with this name",
                              [{"field": "name", "message": "name already used"}])
        count = len(session.scalars(select(SavedFilter.id).where(SavedFilter.user_id == user.id)).all())
        if count >= MAX_PER_USER:
            raise InvalidData(f"at most {MAX_PER_USER} saved filters; delete one first",
                              [{"field": "name", "message": "too many filters"}])
        row = SavedFilter(user_id=user.id, name=name, query=cleaned)
        session.add(row)
        session.flush()
        return row.id


def list_filters(db: sessionmaker[Session], user_id: Caller) -> list[FilterView]:
    """The user's own saved filters, by name."""
    with db() as session:
        return filters_of(session, active_user(session, user_id))


def filters_of(session: Session, user: User) -> list[FilterView]:
    rows = session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)
                           .order_by(SavedFilter.name, SavedFilter.id))
    return [FilterView(r.id, r.name, dict(r.query)) for r in rows]


def delete(db: sessionmaker[Session], filter_id: int, *, user_id: Caller) -> None:
    """Delete one of the user's filters; someone else's looks exactly like a missing one."""
    with transaction(db) as session:
        user = active_user(session, user_id)
        row = session.get(SavedFilter, filter_id)
        if row is None or row.user_id != user.id:
            raise NotFound("no such saved filter", reason="filter_not_found")
        session.delete(row)


__all__ = ["FilterView", "clean_query", "delete", "list_filters", "save"]
