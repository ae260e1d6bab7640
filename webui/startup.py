"""Start-up checks: is this the embedded demo or production, and is the configuration safe to
serve with? Each problem is one sentence saying what to set; errors refuse the start.

The embedded demo is waitress on a loopback address with a SQLite database (the README's
`schemeflow demo && schemeflow serve`): it needs no configuration and upgrades its own schema.
Everything else (gunicorn, another address, PostgreSQL, or SCHEMEFLOW_ENV=production) is
production, where every check below applies; SCHEMEFLOW_ENV=demo turns them off on purpose.
"""
from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

import engine

MIN_SECRET_LENGTH = 32
GENERATE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
log = logging.getLogger("schemeflow.startup")


@dataclass(frozen=True)
class Finding:
    error: bool  # True refuses the start; False is a warning in the log
    message: str


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def production(cfg: Any, *, server: str = "waitress", host: str = "127.0.0.1") -> bool:
    """SCHEMEFLOW_ENV decides when set; otherwise only the embedded demo is not production."""
    if cfg.ENV in ("production", "demo"):
        return bool(cfg.ENV == "production")
    return server != "waitress" or not is_loopback(host) or not cfg.DATABASE_URL.startswith("sqlite")


def why_production(cfg: Any, *, server: str, host: str) -> str:
    """The reason an unset SCHEMEFLOW_ENV counted as production, for the refusal message."""
    reason = ("gunicorn is a production server" if server != "waitress" else
              f"{host} can be reached from other machines" if not is_loopback(host) else "the database is not SQLite")
    return f"this counts as production because {reason}; to run the demo anyway, set SCHEMEFLOW_ENV=demo."


def log_format(cfg: Any, is_production: bool) -> str:
    return str(cfg.LOG_FORMAT) if cfg.LOG_FORMAT in ("json", "text") else ("json" if is_production else "text")


def findings(cfg: Any, *, workers: int = 1, host: str = "127.0.0.1") -> list[Finding]:
    """What is missing or unsafe for a production server, most important first."""
    found = [*_secret_key(cfg), *_cookies(cfg), *_directories(cfg)]
    if cfg.ENV not in ("", "production", "demo"):
        found.append(Finding(True, f"SCHEMEFLOW_ENV is {cfg.ENV!r}: use production, demo, or leave it unset."))
    if cfg.DATABASE_URL.startswith("sqlite") and workers > 1:
        found.append(Finding(False, f"SQLite with {workers} gunicorn workers works on one machine (writers take "
                                    "turns), but use PostgreSQL (SCHEMEFLOW_DATABASE_URL) for several machines "
                                    "or many users."))
    if cfg.PROXY_HOPS < 0:
        found.append(Finding(True, "SCHEMEFLOW_PROXY_HOPS must be 0 or more (1 behind one nginx)."))
    elif cfg.PROXY_HOPS == 0 and is_loopback(host):
        found.append(Finding(False, "serving on a loopback address, so presumably behind a reverse proxy: set "
                                    "SCHEMEFLOW_PROXY_HOPS=1 so client addresses and HTTPS are seen through it."))
    return found


def _secret_key(cfg: Any) -> list[Finding]:
    if cfg.SECRET_KEY_GENERATED:
        return [Finding(True, "SCHEMEFLOW_SECRET_KEY is not set. Every app process must share one long random "
                              f"key: generate one with `{GENERATE}` and set SCHEMEFLOW_SECRET_KEY (or "
                              "SCHEMEFLOW_SECRET_KEY_FILE, a file holding it).")]
    if len(cfg.SECRET_KEY) < MIN_SECRET_LENGTH or len(set(cfg.SECRET_KEY)) < 8:  # noqa: PLR2004 - variety
        return [Finding(True, f"SCHEMEFLOW_SECRET_KEY is too short or too plain (at least {MIN_SECRET_LENGTH} "
                              f"random characters): generate one with `{GENERATE}`.")]
    return []


def _cookies(cfg: Any) -> list[Finding]:
    if cfg.SESSION_COOKIE_SECURE:
        return []
    if not cfg.SECURE_COOKIES_CHOSEN:
        return [Finding(True, "sign-in cookies would travel without the Secure flag: serve over HTTPS and set "
                              "SCHEMEFLOW_SECURE_COOKIES=1 (or, on a closed network without HTTPS, "
                              "SCHEMEFLOW_SECURE_COOKIES=0 to accept the risk explicitly).")]
    return [Finding(False, "SCHEMEFLOW_SECURE_COOKIES=0: session cookies are sent over plain HTTP too.")]


def _directories(cfg: Any) -> list[Finding]:
    found = []
    for setting, path in (("SCHEMEFLOW_ATTACHMENTS", Path(cfg.ATTACHMENT_DIR)), ("SCHEMEFLOW_IMPORTS",
                                                                                  Path(cfg.IMPORT_DIR))):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            found.append(Finding(True, f"{setting}: cannot create {path} ({exc.strerror})."))
            continue
        if not os.access(path, os.W_OK | os.X_OK):
            found.append(Finding(True, f"{setting}: {path} is not writable by this user."))
    return found


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def schema_problem(cfg: Any, *, upgrade: bool) -> str | None:
    """None when the database answers and is at this release's head (upgrading it first when
    ``upgrade``, as the demo does); otherwise the sentence that says what to do."""
    bind = engine.make_engine(cfg.DATABASE_URL)
    try:
        if upgrade:
            engine.upgrade_schema(bind)
        found = engine.schema_status(bind)
    except SQLAlchemyError as exc:
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return f"cannot reach the database {safe_url(cfg.DATABASE_URL)} ({reason}): is it running, is the URL right?"
    finally:
        bind.dispose()
    if found.at_head:
        return None
    if not found.current:
        return "the database has no tables yet: run `schemeflow db upgrade`, and start again."
    return (f"the database is at revision {', '.join(found.current)}, this release needs {', '.join(found.head)}: "
            "back it up, then run `schemeflow db upgrade`, and start again.")


def refuse_or_warn(problems: list[Finding]) -> list[str]:
    """Log the warnings; return the errors' messages (an empty list: go ahead)."""
    for p in problems:
        if not p.error:
            log.warning("%s", p.message)
    return [p.message for p in problems if p.error]
