"""The lists that grow with history are read from an index, never by visiting every row: SQLite's
query plan for each, on the real schema (the migrations), whichever database the suite runs on."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from engine import inbox
from engine import schema
from engine.db import make_engine
from engine.models import Role
from engine.models import User

REVIEWER = User(id=7, username="r", role=Role.PROVINCE, province_id=3, active=True)


@pytest.fixture(scope="module")
def lite() -> Iterator[Engine]:
    eng = make_engine("sqlite://")
    schema.upgrade(eng)
    yield eng
    eng.dispose()


def plan(eng: Engine, stmt: Select[object]) -> str:
    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with eng.connect() as conn:
        return " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_the_completed_tab_counts_and_pages_from_its_index(lite: Engine) -> None:
    listed = inbox.task_list_statement(REVIEWER, inbox.TaskQuery(scope="completed"))
    count = plan(lite, select(func.count()).select_from(listed.order_by(None).subquery()))
    assert "COVERING INDEX ix_human_task_completed" in count, count
    page = plan(lite, listed.limit(20))
    # newest first straight from the index (only ties of one instant are ordered by id): no sort of the history
    assert "INDEX ix_human_task_completed" in page and "TEMP B-TREE FOR ORDER BY" not in page, page


def test_the_step_filter_reads_the_completed_history_from_the_index_alone(lite: Engine) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(lite, "before_cursor_execute", record)
    try:
        with Session(lite) as session:
            inbox.steps_of(session, REVIEWER)  # the statement the engine really runs, hint included
    finally:
        event.remove(lite, "before_cursor_execute", record)
    done = next(sql for sql in statements if "DISTINCT" in sql and "completed_by_id" in sql)
    with lite.connect() as conn:
        found = " | ".join(r[-1] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + done.replace("?", "7", 1).replace("?", "'completed'", 1)))
    assert "COVERING INDEX ix_human_task_completed" in found, found


def test_the_navigation_badges_use_the_open_task_indexes(lite: Engine) -> None:
    for scope in (s for s in inbox.NAV_SCOPES if s != inbox.UNREAD):  # the bell counts notifications
        listed = inbox.task_list_statement(REVIEWER, inbox.TaskQuery(scope=scope))
        found = plan(lite, select(func.count()).select_from(listed.order_by(None).subquery()))
        assert "USING" in found and "INDEX" in found and "SCAN human_task" not in found, (scope, found)


def test_the_tab_counts_are_one_statement_on_the_open_task_indexes(lite: Engine) -> None:
    for user in (REVIEWER, User(id=8, username="c", role=Role.CITY, province_id=3, pilot_id=5, active=True)):
        found = plan(lite, inbox.counts_statement(user, ("mine", "group", "held")))
        # each count from an index on more than the state (12k open tasks nationwide share one state)
        assert found.count("USING") >= 3 and "SCAN human_task" not in found and "(state=?)" not in found, found
