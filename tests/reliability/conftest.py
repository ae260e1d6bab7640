"""The reliability suite: the real server and worker processes against a database of their own,
raced, killed and restarted. It runs on PostgreSQL (``TEST_DATABASE_URL``), as production does;
on the SQLite run only its in-process tests are collected (several processes on one SQLite file
prove little)."""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import schema
from engine import users
from engine.db import make_engine
from engine.models import Level
from engine.models import Pilot
from engine.models import Role
from engine.models import User
from tests.conftest import DATA
from tests.helpers import World
from tests.reliability.http import Client

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
# Tests that drive the app in process, on the test database, mean something on SQLite too.
IN_PROCESS = {"test_api_schema.py", "test_hostile_requests.py"}
if not ON_POSTGRES:
    collect_ignore = [p.name for p in Path(__file__).parent.glob("test_*.py") if p.name not in IN_PROCESS]

CLI = [sys.executable, "-c", "from webui.cli import main; main()"]
SECRET = secrets.token_urlsafe(32)  # production start-up checks apply: a real key


def create_database(base_url: str) -> str:
    """A new, empty PostgreSQL database on the test server; its URL."""
    name = f"rel_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, url: str) -> None:
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Site:
    """A committed database with personas and the two_step process, plus one pilot (and its city
    user) per instance a test needs: one process runs at a time per pilot."""

    url: str
    db: sessionmaker[Session]
    world: World
    extra: list[tuple[int, str]] = field(default_factory=list)  # (pilot id, city username)

    def add_pilots(self, n: int) -> list[tuple[int, str]]:
        """``n`` more pilots in province A, each with a city user (rows written directly: setup only)."""
        start = len(self.extra)
        with self.db.begin() as s:
            province = self.world.provinces["A"]
            ids = s.scalars(insert(Pilot).returning(Pilot.id), [
                {"name": f"试点{start + i:04d}", "province_id": province, "level": Level.CITY, "batch_year": 2013}
                for i in range(n)]).all()
            hashed = s.get(User, self.world.uid("city_a1")).password_hash  # type: ignore[union-attr]
            names = [f"city_x{start + i:04d}" for i in range(n)]
            uids = s.scalars(insert(User).returning(User.id), [
                {"username": name, "role": Role.CITY, "password_hash": hashed, "province_id": province,
                 "pilot_id": pid} for name, pid in zip(names, ids, strict=True)]).all()
        self.world.users.update(zip(names, uids, strict=True))
        made = list(zip(ids, names, strict=True))
        self.extra.extend(made)
        return made

    def token(self, username: str) -> str:
        return users.issue_token(self.db, username)


@contextlib.contextmanager
def built_site(base: str) -> Iterator[Site]:
    """A new database on the server at ``base``, migrated, with the personas and two_step."""
    url = create_database(base)
    eng = make_engine(url)
    try:
        schema.upgrade(eng)
        db = engine.make_sessionmaker(eng)
        world = World.build(db)
        files = [(n, (DATA / n).read_bytes()) for n in ("two_step.bpmn", "submit-schema.json", "review-schema.json")]
        engine.deploy(db, files, user_id=world.uid("admin"))
        yield Site(url, db, world)
    finally:
        eng.dispose()
        drop_database(base, url)


@pytest.fixture
def site() -> Iterator[Site]:
    with built_site(os.environ["TEST_DATABASE_URL"]) as made:
        yield made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(url: str, **extra: str) -> dict[str, str]:
    # Plain HTTP on loopback: secure cookies off on purpose (production refuses it left unset).
    return dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, SCHEMEFLOW_SECURE_COOKIES="0", **extra)


class Server:
    """``schemeflow serve`` with gunicorn (2 workers) in a process group of its own."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url, self.tmp, self.port = url, tmp, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.tmp / f"server-{self.port}.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [*CLI, "serve", "--server", "gunicorn", "--workers", "2", "--threads", "4", "--port", str(self.port),
                 "--no-worker"], env=cli_env(self.url, SCHEMEFLOW_HOME=str(self.tmp)), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        client = self.client()
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                try:
                    if client.get("/api/v1/openapi.json")[0] == 200:
                        return
                except OSError:
                    pass
                assert self.process.poll() is None, self.log()[-3000:]
                time.sleep(0.2)
        finally:
            client.close()
        pytest.fail("the server did not answer within 60 s")

    def log(self) -> str:
        return (self.tmp / f"server-{self.port}.log").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no shutdown code runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def client(self, token: str | None = None) -> Client:
        return Client("127.0.0.1", self.port, token)


@pytest.fixture
def server_for(tmp_path: Path) -> Iterator[Callable[[str], Server]]:
    started: list[Server] = []

    def make(url: str) -> Server:
        server = Server(url, tmp_path)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
