"""Extension wiring: the engine's sessionmaker (flaskr-style accessor), Flask-Login, CSRF."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask import request
from flask import session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import queries
from engine import users
from engine.db import make_sessionmaker
from engine.models import Role

login_manager = LoginManager()
csrf = CSRFProtect()


@dataclass
class CurrentUser:
    """What the web layer knows about the signed-in user (never an ORM object)."""

    id: int
    username: str
    display_name: str | None
    role: Role
    province_id: int | None
    province_name: str | None
    pilot_id: int | None
    pilot_name: str | None
    session_version: int
    active: bool
    via_token: bool = False

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


def init_app(app: Flask) -> None:
    app.extensions["schemeflow.db"] = make_sessionmaker(app.config["DATABASE_URL"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    csrf.init_app(app)


def get_db() -> sessionmaker[Session]:
    """The engine handle for this app (one sessionmaker per process)."""
    return current_app.extensions["schemeflow.db"]  # type: ignore[no-any-return]


def load_current_user(user_id: int, via_token: bool = False) -> CurrentUser | None:
    u = queries.get_user(get_db(), user_id)
    if u is None or not u.active:
        return None
    return CurrentUser(u.id, u.username, u.display_name, u.role, u.province_id,
                       u.province.name if u.province else None, u.pilot_id, u.pilot.name if u.pilot else None,
                       u.session_version, u.active, via_token)


@login_manager.user_loader
def _load_user(key: str) -> CurrentUser | None:
    # "id:session_version": a password change or deactivation ends every existing session.
    user_id, _, version = key.partition(":")
    if not user_id.isdigit():
        return None
    user = load_current_user(int(user_id))
    if user is None or str(user.session_version) != version:
        session.clear()
        return None
    return user


@login_manager.request_loader
def _load_user_from_token(req: object) -> CurrentUser | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with get_db()() as s:
        found = users.user_for_token(s, token.strip())
        user_id = found.id if found else None
    return load_current_user(user_id, via_token=True) if user_id else None
