"""Shared fixtures: a migrated database per run, and a `db` sessionmaker per test whose commits
become savepoints inside an outer transaction that is rolled back (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine import schema
from engine import users
from engine.db import make_engine

# The suite signs in thousands of times: argon2 at its smallest cost here (production's cost is
# engine.users.HASHER's default). Every hash carries its own parameters, so verifying follows
# them; the dummy hash for unknown names is remade at the same cost, so timings stay alike.
users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
users._DUMMY_HASH = users.HASHER.hash("not-a-real-password")  # noqa: SLF001

from tests import helpers  # noqa: E402  (its personas' hash is made with the hasher above)

PROCESSES = Path(__file__).resolve().parent.parent / "processes"
DATA = Path(__file__).resolve().parent / "data"


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def db_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = database_url(tmp_path_factory.mktemp("db"))
    eng = make_engine(url)
    if eng.dialect.name == "postgresql":
        helpers.reset_postgres(eng)
    schema.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(db_engine: Engine) -> Iterator[sessionmaker[Session]]:
    conn = db_engine.connect()
    outer = conn.begin()
    yield sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    outer.rollback()
    conn.close()


@pytest.fixture
def at() -> Iterator[helpers.Clock]:
    """A movable clock starting 2026-01-05 09:00 China time."""
    moving = helpers.Clock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    clock.set_clock(moving.now)
    yield moving
    clock.set_clock(None)


@pytest.fixture
def world(db: sessionmaker[Session]) -> helpers.World:
    """Personas: two provinces, pilots in each, a user per role, the shipped processes deployed."""
    return helpers.World.build(db, PROCESSES)
