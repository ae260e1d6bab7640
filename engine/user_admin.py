"""Managing users as an administrator (用户管理): the list, one user, and changing a user's name,
role and jurisdiction. Creating, deactivating and password resets are in :mod:`engine.users`,
which the command line shares. Every call is for administrators only (the command line: SYSTEM)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import contact
from engine import lookup
from engine import users
from engine.db import transaction
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.lookup import Actor
from engine.models import HumanTask
from engine.models import Instance
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User


@dataclass
class UserQuery:
    search: str = ""          # part of the username or display name
    role: str | None = None
    province_id: int | None = None
    active: bool | None = None
    page: int = 1
    per_page: int = 50


@dataclass
class UserPage:
    items: list[User]  # with province and pilot loaded
    total: int
    page: int
    per_page: int


def list_users(db: sessionmaker[Session], *, user_id: Actor, query: UserQuery | None = None) -> UserPage:
    """Users by username, filtered and paged (``per_page`` 0: every user)."""
    q = query or UserQuery(per_page=0)
    with db() as session:
        lookup.admin_actor(session, user_id)
        stmt = select(User).where(*_conditions(q))
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        stmt = stmt.order_by(User.username).options(selectinload(User.province), selectinload(User.pilot))
        if q.per_page:
            stmt = stmt.limit(q.per_page).offset((max(q.page, 1) - 1) * q.per_page)
        return UserPage(list(session.scalars(stmt)), total, max(q.page, 1), q.per_page)


def _conditions(q: UserQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if q.search.strip():
        text = q.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(or_(User.username.ilike(f"%{text}%", escape="\\"),
                              User.display_name.ilike(f"%{text}%", escape="\\")))
    if q.role:
        conditions.append(User.role == users.parse_role(q.role))
    if q.province_id is not None:
        conditions.append(User.province_id == q.province_id)
    if q.active is not None:
        conditions.append(User.active.is_(q.active))
    return conditions or [true()]


def get_user(db: sessionmaker[Session], target_id: int, *, user_id: Actor) -> User:
    """One user with province and pilot loaded."""
    with db() as session:
        lookup.admin_actor(session, user_id)
        user = session.scalar(select(User).where(User.id == target_id)
                              .options(selectinload(User.province), selectinload(User.pilot)))
        if user is None:
            raise NotFound(f"no user {target_id}", reason="user_not_found")
        return user


def held_tasks(db: sessionmaker[Session], target_id: int, *, user_id: Actor) -> list[HumanTask]:
    """The open tasks a user has claimed (to reassign before they leave), soonest due first."""
    with db() as session:
        lookup.admin_actor(session, user_id)
        return list(session.scalars(select(HumanTask).where(
            HumanTask.claimed_by_id == target_id, HumanTask.state == TaskStatus.READY)
            .options(selectinload(HumanTask.instance).selectinload(Instance.pilot))
            .order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.created_at).limit(100)))


def update_user(db: sessionmaker[Session], target_id: int, *, user_id: Actor, display_name: str | None,  # noqa: PLR0913
                role: str, province: str | None = None, pilot_id: int | None = None,
                email: str | None = None) -> None:
    """Change a user's display name, e-mail address (None: none), role and jurisdiction. A new role
    or jurisdiction ends the user's sessions (what they may see changed); an administrator keeps
    their own role."""
    new_role = users.parse_role(role)
    users.check_display_name(display_name)
    address = contact.check_email(email)
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        user = session.get(User, target_id)
        if user is None:
            raise NotFound(f"no user {target_id}", reason="user_not_found")
        if user.id == actor_id and new_role != Role.ADMIN:
            raise InvalidData("you cannot take away your own administrator role",
                              [{"field": "role", "message": "own role"}], reason="self_demotion")
        before = _snapshot(user)
        user.display_name, user.role, user.email = (display_name or "").strip() or None, new_role, address
        users.place(session, user, new_role, province, pilot_id)
        after = _snapshot(user)
        if (before["role"], before["province_id"], before["pilot_id"]) != (
                after["role"], after["province_id"], after["pilot_id"]):
            user.session_version += 1
        if before != after:
            audit.record(session, "user_updated", actor_id=actor_id, before=before, after=after)


def _snapshot(user: User) -> dict[str, object]:
    return {"username": user.username, "display_name": user.display_name, "email": user.email,
            "role": user.role.value,
            "province_id": user.province_id, "pilot_id": user.pilot_id}
