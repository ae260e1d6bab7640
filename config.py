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
    return default if value in (None, "") else int(value)


def env_secret(name: str, default: str) -> str:
    """Read NAME, or the file named by NAME_FILE (for Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


class Config:
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'schemeflow.db'}")
    # A random key per start logs everyone out on restart; set SECRET_KEY in production.
    SECRET_KEY = env_secret("SECRET_KEY", secrets.token_hex(32))
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
    IDLE_TIMEOUT_MINUTES = env_int("SCHEMEFLOW_IDLE_TIMEOUT_MINUTES", 30)
    # Notifications by e-mail go out from `schemeflow worker`; no SMTP host, no mail (in-app only).
    SMTP_HOST = os.environ.get("SCHEMEFLOW_SMTP_HOST", "")
    SMTP_PORT = env_int("SCHEMEFLOW_SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SCHEMEFLOW_SMTP_USER", "")
    SMTP_PASSWORD = env_secret("SCHEMEFLOW_SMTP_PASSWORD", "")
    SMTP_TLS = os.environ.get("SCHEMEFLOW_SMTP_TLS", "none")  # none | starttls | ssl
    MAIL_FROM = os.environ.get("SCHEMEFLOW_MAIL_FROM", "schemeflow@localhost")
    MAIL_MAX_ATTEMPTS = env_int("SCHEMEFLOW_MAIL_MAX_ATTEMPTS", 8)
    # The public address of the site, for the links in mails.
    BASE_URL = os.environ.get("SCHEMEFLOW_BASE_URL", "http://localhost:5000").rstrip("/")
    # How long before a task's due date its "deadline approaching" notice goes out.
    REMINDER_LEAD_HOURS = env_int("SCHEMEFLOW_REMINDER_LEAD_HOURS", 48)


class TestConfig(Config):
    TESTING = True
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SECRET_KEY = "test-secret"
    IMPORT_DIR = Path(tempfile.gettempdir()) / "schemeflow-test-imports"
    WTF_CSRF_ENABLED = True
