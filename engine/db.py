"""Database handles: a sessionmaker from a URL, SQLite pragmas, the write transaction and the
row-locking helper."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConflictError

T = TypeVar("T")

# The largest id an integer primary key holds (SQLite INTEGER, PostgreSQL bigint); a larger
# number is no id at all, and the database drivers fail on it instead of finding nothing.
MAX_ID = 2**63 - 1

# The database is down, restarting or unreachable (or, on SQLite, locked past the busy timeout):
# the request's transaction did not happen, and the same request can be sent again.
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an Engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            kwargs.setdefault("poolclass", StaticPool)
    else:
        # A pooled connection that died with a database restart is replaced before use, not failed.
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


WRITE = "schemeflow_write"  # execution option: this connection's transaction will write


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock up front (IMMEDIATE): a second writer waits (busy
    # timeout) and then reads fresh state, instead of failing with SQLITE_BUSY after reading a
    # stale snapshot. A read takes no lock at all (WAL: readers never wait for the writer).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINTs).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_sessionmaker(url_or_engine: str | Engine) -> sessionmaker[Session]:
    """Build the one sessionmaker a process uses (web app, CLI or worker)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    return sessionmaker(engine, expire_on_commit=False)


def lock_skip_locked(session: Session, stmt: Select[T], of: Any = None) -> Select[T]:
    """Lock the selected rows for this transaction, skipping rows other workers hold.

    PostgreSQL gets ``FOR UPDATE SKIP LOCKED`` so several workers share the queue. SQLite has no
    row locks: its single writer lock serializes workers, and the optimistic version counter
    on the instance turns any overlap into a harmless conflict.
    """
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=of)  # ``of``: lock only that table's rows
    return stmt


@contextlib.contextmanager
def transaction(db: sessionmaker[Session]) -> Iterator[Session]:
    """``db.begin()`` for every write: a lost optimistic-locking race (at flush or commit) becomes
    ConflictError, and nothing was saved."""
    try:
        with db.begin() as session:
            session.connection(execution_options={WRITE: True})
            yield session
    except StaleDataError:
        raise ConflictError("someone else changed this process at the same moment; nothing was saved",
                            reason="concurrent_change") from None
