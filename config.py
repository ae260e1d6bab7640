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


class TestConfig(Config):
    TESTING = True
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SECRET_KEY = "test-secret"
    IMPORT_DIR = Path(tempfile.gettempdir()) / "schemeflow-test-imports"
    WTF_CSRF_ENABLED = True
