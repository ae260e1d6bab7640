"""User accounts: creation with jurisdiction checks, argon2 password hashes and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import User

HASHER = PasswordHasher()
MIN_PASSWORD = 8
# Verifying against a dummy hash keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = HASHER.hash("not-a-real-password")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidData(f"password must have at least {MIN_PASSWORD} characters",
                          [{"field": "password", "message": "too short"}])


def create_user(db: sessionmaker[Session], username: str, role: str, password: str, *,
                province: str | None = None, pilot_id: int | None = None,
                display_name: str | None = None, actor_id: int | None = None) -> User:
    """Create a user; a city user needs a pilot, a provincial reviewer a province."""
    try:
        role_enum = Role(role)
    except ValueError:
        raise InvalidData(f"unknown role {role!r} (city, province, ministry, admin)") from None
    username = username.strip()
    if not username or len(username) > 80:
        raise InvalidData("username must have 1 to 80 characters")
    check_password_strength(password)
    with db.begin() as session:
        if session.scalar(select(User.id).where(User.username == username)):
            raise ConflictError(f"user {username!r} already exists")
        user = User(username=username, role=role_enum, password_hash=HASHER.hash(password),
                    display_name=display_name)
        if role_enum == Role.CITY:
            pilot = session.get(Pilot, pilot_id) if pilot_id is not None else None
            if pilot is None:
                raise InvalidData("a city user needs an existing pilot (--pilot ID)")
            user.pilot_id, user.province_id = pilot.id, pilot.province_id
        elif role_enum == Role.PROVINCE:
            found = session.scalar(select(Province).where(Province.name == (province or "").strip()))
            if found is None:
                raise InvalidData(f"a provincial reviewer needs an existing province (got {province!r})")
            user.province_id = found.id
        session.add(user)
        session.flush()
        audit.record(session, "user_created", actor_id=actor_id, after={"username": username, "role": role})
    return user


def authenticate(db: sessionmaker[Session], username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    with db() as session:
        user = session.scalar(select(User).where(User.username == username))
        try:
            HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return user if user and user.active else None


def set_password(db: sessionmaker[Session], username: str, password: str, actor_id: int | None = None) -> None:
    """Change a password; existing sessions of the user stop working."""
    check_password_strength(password)
    with db.begin() as session:
        user = _by_name(session, username)
        user.password_hash = HASHER.hash(password)
        user.session_version += 1
        audit.record(session, "password_changed", actor_id=actor_id, after={"username": username})


def set_active(db: sessionmaker[Session], username: str, active: bool, actor_id: int | None = None) -> None:
    with db.begin() as session:
        user = _by_name(session, username)
        user.active = active
        user.session_version += 1
        audit.record(session, "user_activated" if active else "user_deactivated", actor_id=actor_id,
                     after={"username": username})


def issue_token(db: sessionmaker[Session], username: str) -> str:
    """Create a new API token (replacing the old one) and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with db.begin() as session:
        user = _by_name(session, username)
        user.token_hash = _digest(token)
        audit.record(session, "token_issued", actor_id=user.id, after={"username": username})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token:
        return None
    user = session.scalar(select(User).where(User.token_hash == _digest(token)))
    return user if user and user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user
