"""User accounts: creation with jurisdiction checks, argon2 password hashes, sign-in throttling
and API tokens."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import access
from engine import audit
from engine import clock
from engine import contact
from engine import lookup
from engine.db import MAX_ID
from engine.db import transaction
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.lookup import Actor
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import User
from engine.models import user_label

HASHER = PasswordHasher()
MIN_PASSWORD = 10
# Verifying against a dummy hash keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = HASHER.hash("not-a-real-password")
# After MAX_FAILURES wrong passwords in a row a username is locked for LOCK_MINUTES; each further
# failure after a lock ends locks it again for twice as long (at most MAX_LOCK).
MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_LOCK = timedelta(hours=24)


class SignInLocked(Exception):
    """Sign-in refused (whatever the password) until ``until``: too many wrong passwords in a row."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed sign-ins; try again after {until.isoformat()}")
        self.until = until


class WrongPassword(Exception):
    """The current password given for a password change is wrong."""


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidData(f"password must have at least {MIN_PASSWORD} characters",
                          [{"field": "password", "message": "too short"}], reason="password_too_short")


def create_user(db: sessionmaker[Session], username: str, role: str, password: str, *,  # noqa: PLR0913
                user_id: Actor, province: str | None = None, pilot_id: int | None = None,
                display_name: str | None = None, password_hash: str | None = None, email: str | None = None) -> User:
    """Create a user (administrators, or SYSTEM); a city user needs a pilot, a provincial reviewer a
    province.

    ``password_hash``, an argon2 hash of ``password`` made earlier, spares hashing it again
    (accounts created together with one first password: the demo's)."""
    role_enum = parse_role(role)
    username = username.strip()
    if not username or len(username) > 80:
        raise InvalidData("username must have 1 to 80 characters",
                          [{"field": "username", "message": "1 to 80 characters"}], reason="username_length")
    check_display_name(display_name)
    address = contact.check_email(email)
    check_password_strength(password)
    if password_hash is not None and not password_hash.startswith("$argon2"):
        raise InvalidData("the password hash is not an argon2 hash")
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        if session.scalar(select(User.id).where(User.username == username)):
            raise ConflictError(f"user {username!r} already exists", reason="username_taken")
        user = User(username=username, role=role_enum, password_hash=password_hash or HASHER.hash(password),
                    display_name=display_name or None, email=address)
        place(session, user, role_enum, province, pilot_id)
        session.add(user)
        session.flush()
        audit.record(session, "user_created", actor_id=actor_id, after={"username": username, "role": role})
    return user


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidData(f"unknown role {role!r} (city, province, ministry, admin)",
                          [{"field": "role", "message": "unknown role"}], reason="unknown_role") from None


def check_display_name(display_name: str | None) -> None:
    if display_name is not None and len(display_name) > 200:
        raise InvalidData("display name must have at most 200 characters",
                          [{"field": "display_name", "message": "at most 200 characters"}],
                          reason="display_name_length")


def place(session: Session, user: User, role: Role, province: str | None, pilot_id: int | None) -> None:
    """Set the user's jurisdiction for ``role``: a city user's pilot (and its province), a provincial
    reviewer's province, nothing for the nationwide roles."""
    user.province_id = user.pilot_id = None
    if role == Role.CITY:
        pilot = session.get(Pilot, pilot_id) if pilot_id is not None and 0 < pilot_id <= MAX_ID else None
        if pilot is None:
            raise InvalidData("a city user needs an existing pilot (--pilot ID)",
                              [{"field": "pilot_id", "message": "required"}], reason="city_user_needs_pilot")
        user.pilot_id, user.province_id = pilot.id, pilot.province_id
    elif role == Role.PROVINCE:
        found = session.scalar(select(Province).where(Province.name == (province or "").strip()))
        if found is None:
            raise InvalidData(f"a provincial reviewer needs an existing province (got {province!r})",
                              [{"field": "province", "message": "required"}], reason="reviewer_needs_province")
        user.province_id = found.id


def authenticate(db: sessionmaker[Session], username: str, password: str) -> User | None:
    """The active user with these credentials, or None (unknown user, wrong password, inactive).

    Raises SignInLocked, even for the right password, while the username is locked after
    MAX_FAILURES wrong passwords in a row; a successful sign-in resets the count.
    """
    now = clock.now()
    with transaction(db) as session:
        user = session.scalar(select(User).where(User.username == username).with_for_update())
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None:
            return None
        if user.locked_until is not None and user.locked_until > now:
            raise SignInLocked(user.locked_until)
        if not ok:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                doublings = min(user.failed_logins - MAX_FAILURES, 10)
                user.locked_until = now + min(timedelta(minutes=LOCK_MINUTES) * 2 ** doublings, MAX_LOCK)
                audit.record(session, "sign_in_locked", actor_id=user.id,
                             after={"username": username, "failed_logins": user.failed_logins,
                                    "locked_until": user.locked_until.isoformat()})
            return None
        if not user.active:
            return None
        if user.failed_logins or user.locked_until is not None:
            user.failed_logins, user.locked_until = 0, None
        return user


def change_password(db: sessionmaker[Session], user_id: int, current: str, new: str) -> int:
    """A user changes their own password, giving the current one; returns the new session version
    (every other session of the user ends). Raises WrongPassword or InvalidData."""
    check_password_strength(new)
    with transaction(db) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound("no such user", reason="inactive_user")
        if not _verify(user.password_hash, current):
            raise WrongPassword("the current password is wrong")
        user.password_hash = HASHER.hash(new)
        user.session_version += 1
        audit.record(session, "password_changed", actor_id=user.id, after={"username": user.username})
        return user.session_version


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(db: sessionmaker[Session], username: str, password: str, *, user_id: Actor) -> None:
    """Change a password (an administrator's reset); existing sessions of the user stop working and
    a sign-in lock is lifted."""
    check_password_strength(password)
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        user = _by_name(session, username)
        user.password_hash = HASHER.hash(password)
        user.session_version += 1
        user.failed_logins, user.locked_until = 0, None
        audit.record(session, "password_changed", actor_id=actor_id, after={"username": username})


def set_active(db: sessionmaker[Session], username: str, active: bool, *, user_id: Actor) -> None:
    """Activate or deactivate a user; deactivation ends their sessions and revokes their API token.
    Nobody deactivates themselves (an administrator would lock themselves out)."""
    with transaction(db) as session:
        actor_id = lookup.admin_actor(session, user_id)
        user = _by_name(session, username)
        if not active and user.id == actor_id:
            raise InvalidData("you cannot deactivate your own account", reason="self_deactivation")
        user.active = active
        user.session_version += 1
        if not active:
            user.token_hash = None
        audit.record(session, "user_activated" if active else "user_deactivated", actor_id=actor_id,
                     after={"username": username})


def issue_token(db: sessionmaker[Session], username: str) -> str:
    """Create a new API token (replacing the old one) and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with transaction(db) as session:
        user = _by_name(session, username)
        user.token_hash = lookup.token_digest(token)
        audit.record(session, "token_issued", actor_id=user.id, after={"username": username})
    return token


@dataclass(frozen=True)
class Account:
    """An active user as every request sees it: identity, role and jurisdiction, with names."""

    id: int
    username: str
    display_name: str | None
    role: Role
    province_id: int | None
    province_name: str | None
    pilot_id: int | None
    pilot_name: str | None
    session_version: int

    @property
    def label(self) -> str:
        return user_label(self.display_name, self.username)

    # What the pages show follows the access rule (the engine still decides every call).
    @property
    def nationwide(self) -> bool:
        return self.role in access.NATIONWIDE

    @property
    def oversees(self) -> bool:
        """Sees the dashboard and the pilots of a jurisdiction (province, ministry, admin)."""
        return self.role in access.DASHBOARD_ROLES

    @property
    def administers(self) -> bool:
        return self.role == Role.ADMIN


# Every request looks its user up: one prebuilt statement, by id (session) or token hash (API).
_ACCOUNT = (select(User.id, User.username, User.display_name, User.role, User.province_id, Province.name,
                   User.pilot_id, Pilot.name, User.session_version)
            .outerjoin(Province, Province.id == User.province_id)
            .outerjoin(Pilot, Pilot.id == User.pilot_id)
            .where(User.active.is_(True)))
_ACCOUNT_BY_ID = _ACCOUNT.where(User.id == bindparam("key"))
_ACCOUNT_BY_TOKEN = _ACCOUNT.where(User.token_hash == bindparam("key"))


def account(db: sessionmaker[Session], *, user_id: int | None = None, token: str | None = None) -> Account | None:
    """The active account with this id or API token; None for unknown, revoked or deactivated."""
    key: int | str
    if user_id is not None:
        stmt, key = _ACCOUNT_BY_ID, user_id
    elif token:
        stmt, key = _ACCOUNT_BY_TOKEN, lookup.token_digest(token)
    else:
        return None
    with db() as session:
        row = session.execute(stmt, {"key": key}).first()
    return Account(*row) if row else None




def _by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", reason="user_not_found")
    return user
