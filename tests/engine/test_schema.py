"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy import text

from engine import schema
from engine.db import make_engine
from engine.models import Base


def test_migrations_match_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_an_sqlite_database_with_history_upgrades_through_table_rebuilds(tmp_path: Path) -> None:
    """Rows pointing at user_account (sessions, audit, tasks) do not stop a migration that rebuilds it."""
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(eng, "0009")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO province (id, name) VALUES (1, '浙江省')"))
        conn.execute(text("INSERT INTO user_account (id, username, role, password_hash, province_id, active, "
                          "session_version, created_at) "
                          "VALUES (1, 'prov', 'province', 'x', 1, 1, 0, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO saved_filter (user_id, name, query, created_at) "
                          "VALUES (1, '我的', '{}', '2026-01-01 00:00:00')"))
    schema.upgrade(eng)
    assert schema.status(eng).at_head
    with eng.connect() as conn:
        assert conn.execute(text("SELECT username, email FROM user_account")).one() == ("prov", None)
        assert conn.execute(text("SELECT count(*) FROM saved_filter")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # enforced again
    eng.dispose()
