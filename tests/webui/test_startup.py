"""Starting schemeflow as an operator does: production refuses a missing or weak secret key,
cookies without Secure (unless chosen) and a schema behind this release, each with what to set;
the embedded demo starts with no configuration and upgrades its own schema; the worker runs as
its own process, beats, and stops cleanly on SIGTERM."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text

import engine
from config import Config
from engine.models import WorkerHeartbeat
from webui import serving
from webui import startup

CLI = [sys.executable, "-c", "from webui.cli import main; main()"]
STRONG = "3f9c1b7e5a2d4c8e9f0a1b2c3d4e5f60718293a4b5c6d7e8"


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """prepare_server sets up logging as a server would; the rest of the run keeps pytest's."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMEFLOW_")
           and k not in ("SECRET_KEY", "DATABASE_URL")}
    return env | {"SCHEMEFLOW_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'sf.db'}"} | extra


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], check=False, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = environment(tmp_path, SCHEMEFLOW_SECURE_COOKIES="1")
    assert cli(env, "db", "upgrade").returncode == 0
    # gunicorn is a production server: no key, no start (and nothing listens).
    refused = cli(env, "serve", "--server", "gunicorn", "--port", "1", "--no-worker")
    assert refused.returncode == 1, refused.stderr
    assert "SCHEMEFLOW_SECRET_KEY is not set" in refused.stderr and "secrets.token_hex(32)" in refused.stderr
    assert "schemeflow is running" not in refused.stdout
    assert "counts as production because gunicorn is a production server" in refused.stderr
    # A key too short to be one says so; the same holds for waitress on a public address.
    weak = cli(env | {"SCHEMEFLOW_SECRET_KEY": "changeme"}, "serve", "--host", "0.0.0.0", "--port", "1")
    assert weak.returncode == 1 and "too short or too plain" in weak.stderr and "changeme" not in weak.stderr


def test_findings_name_every_unsafe_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Unsafe(Config):
        SECRET_KEY_GENERATED = True
        SESSION_COOKIE_SECURE = False
        SECURE_COOKIES_CHOSEN = False
        PROXY_HOPS = 0
        ATTACHMENT_DIR = tmp_path / "attachments"
        IMPORT_DIR = tmp_path / "imports"

    found = startup.findings(Unsafe, workers=4, host="127.0.0.1")
    errors = [f.message for f in found if f.error]
    warnings = [f.message for f in found if not f.error]
    assert len(errors) == 2 and "SCHEMEFLOW_SECRET_KEY" in errors[0] and "SCHEMEFLOW_SECURE_COOKIES=1" in errors[1]
    assert any("SQLite with 4 gunicorn workers" in w for w in warnings)
    assert any("SCHEMEFLOW_PROXY_HOPS=1" in w for w in warnings)
    assert (tmp_path / "attachments").is_dir()  # created when missing

    class Chosen(Unsafe):  # plain HTTP on purpose, a real key, behind one proxy: warnings only
        SECRET_KEY, SECRET_KEY_GENERATED, SECURE_COOKIES_CHOSEN, PROXY_HOPS = STRONG, False, True, 1

    assert [f for f in startup.findings(Chosen) if f.error] == []
    # Production is anything but waitress on a loopback address with SQLite, unless SCHEMEFLOW_ENV says.
    monkeypatch.setattr(Config, "ENV", "")
    monkeypatch.setattr(Config, "DATABASE_URL", "sqlite:///x.db")
    assert not startup.production(Config, server="waitress", host="127.0.0.1")
    assert startup.production(Config, server="waitress", host="0.0.0.0")
    assert startup.production(Config, server="gunicorn", host="::1")
    monkeypatch.setattr(Config, "DATABASE_URL", "postgresql+psycopg://db/sf")
    assert startup.production(Config)
    monkeypatch.setattr(Config, "ENV", "demo")
    assert not startup.production(Config, server="gunicorn", host="0.0.0.0")


def test_the_demo_needs_no_configuration_and_upgrades_itself(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'demo.db'}"
    for name, value in {"ENV": "", "DATABASE_URL": url, "SECRET_KEY_GENERATED": True, "SESSION_COOKIE_SECURE": False,
                        "SECURE_COOKIES_CHOSEN": False, "LOG_FORMAT": ""}.items():
        monkeypatch.setattr(Config, name, value)
    assert serving.prepare_server("waitress", "127.0.0.1", 1) is False
    assert engine.schema_status(engine.make_engine(url)).at_head


def test_production_refuses_a_schema_behind_this_release(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    bind = engine.make_engine(url)
    engine.upgrade_schema(bind, "0009")
    for name, value in {"ENV": "production", "DATABASE_URL": url, "SECRET_KEY": STRONG, "SECRET_KEY_GENERATED": False,
                        "SESSION_COOKIE_SECURE": True, "PROXY_HOPS": 1, "ATTACHMENT_DIR": tmp_path / "a",
                        "IMPORT_DIR": tmp_path / "i"}.items():
        monkeypatch.setattr(Config, name, value)
    with pytest.raises(Exception, match=r"revision 0009, this release needs .*schemeflow db upgrade"):
        serving.prepare_server("gunicorn", "127.0.0.1", 2)
    assert engine.schema_status(bind).current == ("0009",)  # production never upgrades by itself


def test_db_status_says_where_the_schema_stands(tmp_path: Path) -> None:
    env = environment(tmp_path)
    behind = cli(env, "db", "status")
    assert behind.returncode == 1 and "database: empty" in behind.stdout and "db upgrade" in behind.stderr
    assert cli(env, "db", "upgrade").returncode == 0
    now = cli(env, "db", "status")
    assert now.returncode == 0 and now.stdout.count(engine.schema_status(engine.make_engine(
        env["DATABASE_URL"])).head[0]) == 2


def _heartbeats(url: str) -> list[WorkerHeartbeat]:
    with engine.make_sessionmaker(url)() as session:
        return list(session.scalars(select(WorkerHeartbeat)))


def test_worker_beats_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = environment(tmp_path, SCHEMEFLOW_LOG_FORMAT="json")
    assert cli(env, "db", "upgrade").returncode == 0
    proc = subprocess.Popen([*CLI, "worker", "--interval", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not _heartbeats(env["DATABASE_URL"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        (beat,) = _heartbeats(env["DATABASE_URL"])
        assert beat.worker_id.endswith(f":{proc.pid}") and beat.last_beat >= beat.started_at
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    messages = [json.loads(line)["message"] for line in err.splitlines()]  # every line is JSON
    assert any(m.startswith("worker stopping (SIGTERM)") for m in messages), messages
    assert messages[-1] == f"worker {beat.worker_id} stopped"
    assert _heartbeats(env["DATABASE_URL"]) == []  # gone at once: /healthz sees no worker


def test_worker_refuses_a_schema_behind_this_release(tmp_path: Path) -> None:
    env = environment(tmp_path)
    bind = engine.make_engine(env["DATABASE_URL"])
    engine.upgrade_schema(bind, "0009")
    with bind.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0009"
    refused = cli(env, "worker")
    assert refused.returncode == 1 and "revision 0009" in refused.stderr and "db upgrade" in refused.stderr


def test_worker_once_from_cron_leaves_one_heartbeat_per_host(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert cli(env, "db", "upgrade").returncode == 0
    for _ in range(2):
        assert cli(env, "worker", "--once").returncode == 0
    (beat,) = _heartbeats(env["DATABASE_URL"])
    assert beat.worker_id.endswith(":once") and beat.last_beat > beat.started_at
