"""Extension wiring: the engine's sessionmaker (flaskr-style accessor), Flask-Login, CSRF, and the
session rules (cookie flags, idle timeout, an absolute session lifetime, no remember-me)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import flash
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_login import LoginManager
from flask_login import login_user
from flask_login import logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from werkzeug.wrappers import Response

from engine import clock
from engine import make_sessionmaker
from engine import user_sessions
from engine import users

login_manager = LoginManager()
csrf = CSRFProtect()


@dataclass(frozen=True)
class CurrentUser(users.Account):
    """The signed-in user as the web layer sees it (never an ORM object); only active accounts load."""

    via_token: bool = False

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


# Session keys: when the user signed in and when they were last seen (epoch seconds), and the key
# of the server-side session (engine.user_sessions) the cookie belongs to.
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
SERVER_SESSION = "sid"
# Session ages are measured on the wall clock, not the engine's movable clock: moving the engine's
# "now" (demos, tests of due dates) must not sign people out. Tests replace this to move time.
session_clock: Callable[[], float] = time.time


def init_app(app: Flask) -> None:
    app.extensions["schemeflow.db"] = make_sessionmaker(app.config["DATABASE_URL"])
    # Cookies: HttpOnly, SameSite=Lax, Secure when served over HTTPS (SESSION_COOKIE_SECURE).
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    # A signed-in session lasts at most this long, however active (the cookie expires with it).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config.get("SESSION_MAX_HOURS", 12))
    # There is no "remember me"; should a remember cookie ever be set, it gets the same flags.
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Lazy, so the catalog has it; str() renders it in the language of the request that flashes it.
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.before_request(end_idle_session)


def start_session(user: CurrentUser) -> None:
    """Sign ``user`` in on a brand-new session (no fixation), opened on the server too; only the
    language choice carries over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    session[SERVER_SESSION] = user_sessions.open_session(get_db(), user.id, max_age=lifetime)
    login_user(user, remember=False)
    session.permanent = True
    now = int(session_clock())
    session[SIGNED_IN_AT] = session[LAST_SEEN] = now


def end_session(reason: str = "signed_out") -> None:
    """Sign out, end the session on the server (a copy of the cookie is worth nothing after) and
    drop everything in the session but the language choice."""
    lang = session.get("lang")
    key = session.get(SERVER_SESSION)
    if isinstance(key, str):
        user_sessions.end_session(get_db(), key, reason)
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def end_idle_session() -> Response | None:
    """Sign out a browser session idle for longer than IDLE_TIMEOUT_MINUTES (or older than the
    session lifetime). Bearer-token API requests carry no session and are not affected."""
    if "_user_id" not in session or request.endpoint == "static":
        return None
    now = session_clock()
    idle_minutes = current_app.config["IDLE_TIMEOUT_MINUTES"]
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    last_seen, signed_in = session.get(LAST_SEEN), session.get(SIGNED_IN_AT)
    if not isinstance(last_seen, int) or not isinstance(signed_in, int):
        message = gettext("Your session has ended. Please sign in again.")
    elif now - last_seen > idle_minutes * 60:
        message = gettext("You were signed out after %(n)s minutes without activity. Please sign in again.",
                          n=idle_minutes)
    elif now - signed_in > lifetime.total_seconds():
        message = gettext("Your session has ended. Please sign in again.")
    else:
        session[LAST_SEEN] = int(now)
        return None
    end_session("timed_out")
    if request.path.startswith("/api/"):
        return None  # the API answers 401 for a request without a user
    flash(message, "warning")
    target = url_for("auth.login", next=request.full_path if request.query_string else request.path) \
        if request.method == "GET" and not request.headers.get("HX-Request") else url_for("auth.login")
    response = redirect(target)
    if request.headers.get("HX-Request"):
        response.headers["HX-Redirect"] = target
    return response


def get_db() -> sessionmaker[Session]:
    """The engine handle for this app (one sessionmaker per process)."""
    return current_app.extensions["schemeflow.db"]  # type: ignore[no-any-return]


def _current(found: users.Account | None, via_token: bool = False) -> CurrentUser | None:
    return CurrentUser(**vars(found), via_token=via_token) if found else None


def load_current_user(user_id: int) -> CurrentUser | None:
    return _current(users.account(get_db(), user_id=user_id))


@login_manager.user_loader
def _load_user(key: str) -> CurrentUser | None:
    # "id:session_version", and the server-side session the cookie names, loaded with the user in
    # one statement: signing out, a password change or a deactivation ends it for every copy.
    user_id, _, version = key.partition(":")
    server_key = session.get(SERVER_SESSION)
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 10 or not isinstance(server_key, str):
        session.clear()
        return None
    user = _current(users.account(get_db(), user_id=int(user_id), session_key=server_key))
    if user is None or str(user.session_version) != version:
        session.clear()
        return None
    seen = user.session_seen_at
    if seen is None or clock.now() - seen > user_sessions.TOUCH_EVERY:
        user_sessions.touch(get_db(), server_key)
    return user


@login_manager.request_loader
def _load_user_from_token(req: object) -> CurrentUser | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return _current(users.account(get_db(), token=token.strip()), via_token=True)
