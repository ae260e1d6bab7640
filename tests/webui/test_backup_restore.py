"""The backup and restore docs/deployment.md prescribes, done for real on PostgreSQL: pg_dump a
database with running instances (and copy the attachment folder), pg_restore both into a fresh
database and folder, and the app reads everything back, signs in with an old token, and writes on."""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

import engine
from config import TestConfig
from engine import attachments
from engine import users
from tests.conftest import PROCESSES
from tests.helpers import World
from webui import create_app

SERVER = "postgresql://postgres@127.0.0.1:5432"  # the local server: trust authentication
SCHEME = {"scheme_title": "宁波市智慧城市试点实施方案", "objectives": "目标", "top_level_design": "顶层设计",
          "tasks_and_timeline": "任务与进度", "responsibilities": "职责", "safeguards": "保障措施"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _admin(sql: str) -> None:
    bind = engine.make_engine(SERVER.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                              isolation_level="AUTOCOMMIT")
    try:
        with bind.connect() as conn:
            conn.execute(text(sql))
    finally:
        bind.dispose()


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh, uniquely named databases (the original and the restore target), dropped after."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    names = [f"sf_backup_{uuid.uuid4().hex[:10]}", f"sf_restore_{uuid.uuid4().hex[:10]}"]
    try:
        for name in names:
            _admin(f'CREATE DATABASE "{name}"')
    except OperationalError:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    yield names[0], names[1]
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def app_client(url: str, attachment_dir: Path) -> Iterator[FlaskClient]:
    class Restored(TestConfig):
        DATABASE_URL = url
        ATTACHMENT_DIR = attachment_dir

    app = create_app(Restored)
    yield app.test_client()
    app.extensions["schemeflow.db"].kw["bind"].dispose()  # its own pool: closed before the drop


def test_pg_dump_and_restore_bring_back_a_working_database(databases: tuple[str, str], tmp_path: Path) -> None:
    original, restored = databases
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{original}"
    files = tmp_path / "attachments"
    db = engine.make_sessionmaker(url)
    engine.upgrade_schema(db.kw["bind"])
    world = World.build(db, PROCESSES)
    a1 = engine.start(db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    b1 = engine.start(db, "pilot_lifecycle", user_id=world.uid("prov_b"), pilot_id=world.pilots["B1"])
    att = attachments.add_attachment(db, world.task(a1, "submit_scheme").id, user_id=world.uid("city_a1"),
                                     filename="方案.pdf", content=PDF, directory=files, max_bytes=1 << 20)
    world.do("city_a1", a1, "submit_scheme", SCHEME)
    token = users.issue_token(db, "admin")
    with app_client(url, files) as client:
        before = client.get("/api/v1/instances", headers={"Authorization": f"Bearer {token}"})
        detail_before = client.get(f"/api/v1/instances/{a1}", headers={"Authorization": f"Bearer {token}"})
    assert before.status_code == 200 and len(before.get_json()["items"]) == 2, before.get_json()
    ready = world.ready_ids(a1)
    assert ready and "submit_scheme" not in ready  # the scheme went on to review
    db.kw["bind"].dispose()

    # The documented backup: a custom-format dump and a copy of the attachment folder ...
    dump = tmp_path / "schemeflow.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"{SERVER}/{original}"],
                   check=True, capture_output=True, timeout=120)
    subprocess.run(["tar", "-C", str(tmp_path), "-czf", str(tmp_path / "attachments.tar.gz"), "attachments"],
                   check=True, timeout=60)
    # ... restored into an empty database and an empty folder on "another machine".
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={SERVER}/{restored}", str(dump)],
                   check=True, capture_output=True, timeout=120)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run(["tar", "-C", str(elsewhere), "-xzf", str(tmp_path / "attachments.tar.gz")], check=True, timeout=60)

    new_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{restored}"
    auth = {"Authorization": f"Bearer {token}"}  # the old token still signs in: users came back
    with app_client(new_url, elsewhere / "attachments") as client:
        assert client.get("/readyz").status_code == 200  # reachable, and at this release's revision
        after = client.get("/api/v1/instances", headers=auth)
        detail = client.get(f"/api/v1/instances/{a1}", headers=auth).get_json()
    assert after.status_code == 200 and after.get_json() == before.get_json()
    assert detail == detail_before.get_json() and detail["state"] == "running"
    new_db = engine.make_sessionmaker(new_url)
    try:
        view, path = attachments.open_attachment(new_db, att.id, user_id=world.uid("admin"),
                                                 directory=elsewhere / "attachments")
        assert view.name == "方案.pdf" and path.read_bytes() == PDF
        # The sequences came back too: the restored database takes new work without id clashes.
        engine.cancel(new_db, b1, user_id=world.uid("admin"), reason="restore drill")
        a2 = engine.start(new_db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A2"])
        assert a2 > max(a1, b1)
        assert World(new_db, world.users, world.pilots).ready_ids(a1) == ready
    finally:
        new_db.kw["bind"].dispose()
