"""(g) PostgreSQL is restarted under load: while it is down the app answers 503 (nothing saved,
try again), never 500; after it is back the app reconnects by itself and every completion that
was answered 200 is in the database."""
from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from sqlalchemy import select

import engine
from engine.models import HumanTask
from engine.models import TaskStatus
from tests.reliability.conftest import Server
from tests.reliability.conftest import built_site
from tests.reliability.postgres_server import PostgresServer

INSTANCES, THREADS = 80, 4


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_app_reconnects_after_a_database_restart(own_postgres: PostgresServer,
                                                     server_for: Callable[[str], Server]) -> None:
    with built_site(own_postgres.url) as site:
        work = []
        for pilot_id, city in site.add_pilots(INSTANCES):
            iid = engine.start(site.db, "two_step", user_id=site.world.uid("prov_a"), pilot_id=pilot_id)
            work.append((site.world.ready(iid)[0].id, site.token(city)))
        site.db.kw["bind"].dispose()  # the test's own connections would die with the restart too
        app = server_for(site.url)
        statuses, acknowledged = under_load(app, work, own_postgres.restart)
        assert statuses[200] >= INSTANCES // 4 and set(statuses) <= {200, 503}, statuses  # never a 500
        with site.db() as s:
            done = set(s.scalars(select(HumanTask.id).where(HumanTask.id.in_([t for t, _ in work]),
                                                            HumanTask.state == TaskStatus.COMPLETED)))
        assert acknowledged <= done, acknowledged - done
        # back to normal: what failed during the restart goes through now
        for task_id, token in work:
            if task_id not in done:
                client = app.client(token)
                status, body = client.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"summary": "重新提交"}})
                client.close()
                assert status == 200, body


def under_load(app: Server, work: list[tuple[str, str]], restart: Callable[[], None]) -> tuple[Counter[int], set[str]]:
    """Complete tasks from a few threads, restarting the database once a quarter are done."""
    statuses: Counter[int] = Counter()
    acknowledged: set[str] = set()
    lock = threading.Lock()

    def official(share: list[tuple[str, str]]) -> None:
        for task_id, token in share:
            client = app.client(token)
            try:
                status, _ = client.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"summary": "按期推进"}})
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                client.close()
            with lock:
                statuses[status] += 1
                if status == 200:
                    acknowledged.add(task_id)
            time.sleep(0.02)

    threads = [threading.Thread(target=official, args=(work[n::THREADS],)) for n in range(THREADS)]
    for t in threads:
        t.start()
    while statuses[200] < len(work) // 4 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    restart()
    for t in threads:
        t.join(120)
    return statuses, acknowledged
