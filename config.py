"""Settings for schemeflow, read from the environment with safe development defaults."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("SCHEMEFLOW_HOME", Path.cwd() / "instance"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:  # a clear refusal at start-up, not a traceback
        raise SystemExit(f"schemeflow: {name} must be a whole number, not {value!r}") from None


def env_secret(name: str, default: str) -> str:
    """Read NAME, or the file named by NAME_FILE (Docker and systemd credentials, Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SystemExit(f"schemeflow: cannot read {name}_FILE ({path}): {exc.strerror}") from None
    return os.environ.get(name, default)


def first_secret(*names: str) -> str | None:
    """The first of NAMES that is set (directly or as NAME_FILE); None when none is."""
    for name in names:
        value = env_secret(name, "")
        if value:
            return value
    return None


def _database_url() -> str:
    # SCHEMEFLOW_DATABASE_URL wins over the conventional DATABASE_URL (which a host may set for
    # another program). postgres:// (Heroku style) and postgresql:// mean psycopg 3, the driver
    # the postgres extra installs.
    url = first_secret("SCHEMEFLOW_DATABASE_URL", "DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'schemeflow.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


_SECRET_KEY = first_secret("SCHEMEFLOW_SECRET_KEY", "SECRET_KEY")


class Config:
    # production: every start-up check applies; demo: none do; "" decides by how it is served
    # (webui/startup.py: waitress on a loopback address with SQLite is the embedded demo).
    ENV = os.environ.get("SCHEMEFLOW_ENV", "").strip().lower()
    DATABASE_URL = _database_url()
    # The embedded demo may go without: a random key per start then logs everyone out on restart.
    # Production refuses to start without one (every app process must share it).
    SECRET_KEY = _SECRET_KEY or secrets.token_hex(32)
    SECRET_KEY_GENERATED = _SECRET_KEY is None
    ATTACHMENT_DIR = Path(os.environ.get("SCHEMEFLOW_ATTACHMENTS", INSTANCE_DIR / "attachments"))
    MAX_ATTACHMENT_BYTES = env_int("SCHEMEFLOW_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
    MAX_DEFINITION_BYTES = env_int("SCHEMEFLOW_MAX_DEFINITION_BYTES", 2 * 1024 * 1024)
    # Pilot lists (CSV or Excel) an admin uploads: held here between the preview and the import.
    IMPORT_DIR = Path(os.environ.get("SCHEMEFLOW_IMPORTS", INSTANCE_DIR / "imports"))
    MAX_IMPORT_BYTES = env_int("SCHEMEFLOW_MAX_IMPORT_BYTES", 2 * 1024 * 1024)
    # Script tasks run restricted and time-limited, but only admins who opt in get them at all.
    ALLOW_SCRIPT_TASKS = env_bool("SCHEMEFLOW_ALLOW_SCRIPT_TASKS", False)
    WORKER_INTERVAL_SECONDS = env_int("SCHEMEFLOW_WORKER_INTERVAL", 30)
    SESSION_COOKIE_SECURE = env_bool("SCHEMEFLOW_SECURE_COOKIES", False)
    # Production refuses cookies without Secure unless this was set (to 0) on purpose.
    SECURE_COOKIES_CHOSEN = "SCHEMEFLOW_SECURE_COOKIES" in os.environ
    IDLE_TIMEOUT_MINUTES = env_int("SCHEMEFLOW_IDLE_TIMEOUT_MINUTES", 30)
    # Notifications by e-mail go out from `schemeflow worker`; no SMTP host, no mail (in-app only).
    SMTP_HOST = os.environ.get("SCHEMEFLOW_SMTP_HOST", "")
    SMTP_PORT = env_int("SCHEMEFLOW_SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SCHEMEFLOW_SMTP_USER", "")
    SMTP_PASSWORD = env_secret("SCHEMEFLOW_SMTP_PASSWORD", "")
    SMTP_TLS = os.environ.get("SCHEMEFLOW_SMTP_TLS", "none")  # none | starttls | ssl
    MAIL_FROM = os.environ.get("SCHEMEFLOW_MAIL_FROM", "schemeflow@localhost")
    MAIL_MAX_ATTEMPTS = env_int("SCHEMEFLOW_MAIL_MAX_ATTEMPTS", 8)
    # A mail claimed by a worker that then died is sent again after this (at most once more).
    MAIL_LEASE_SECONDS = env_int("SCHEMEFLOW_MAIL_LEASE_SECONDS", 600)
    # The public address of the site, for the links in mails.
    BASE_URL = os.environ.get("SCHEMEFLOW_BASE_URL", "http://localhost:5000").rstrip("/")
    # How long before a task's due date its "deadline approaching" notice goes out.
    REMINDER_LEAD_HOURS = env_int("SCHEMEFLOW_REMINDER_LEAD_HOURS", 48)
    # /healthz fails when the freshest worker heartbeat is older than this (0: no worker check).
    HEARTBEAT_MAX_AGE_SECONDS = env_int("SCHEMEFLOW_HEARTBEAT_MAX_AGE", max(120, 3 * WORKER_INTERVAL_SECONDS))
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (nginx alone: 1).
    PROXY_HOPS = env_int("SCHEMEFLOW_PROXY_HOPS", 0)
    # json | text; "" means json in production and text for the demo.
    LOG_FORMAT = os.environ.get("SCHEMEFLOW_LOG_FORMAT", "").strip().lower()
    LOG_LEVEL = os.environ.get("SCHEMEFLOW_LOG_LEVEL", "INFO").strip().upper()


class TestConfig(Config):
    TESTING = True
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SECRET_KEY = "test-secret"
    SECRET_KEY_GENERATED = False
    IMPORT_DIR = Path(tempfile.gettempdir()) / f"schemeflow-test-imports-{os.getpid()}"  # one per test run
    WTF_CSRF_ENABLED = True
