"""(b) The app server is killed with SIGKILL in the middle of a load and started again: every
completion that was answered 200 is in the database, and every instance loads and continues."""
from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable

from sqlalchemy import select

import engine
from engine.models import HumanTask
from engine.models import TaskStatus
from tests.reliability.conftest import Server
from tests.reliability.conftest import Site

INSTANCES, THREADS = 60, 6
Work = list[tuple[int, str, str]]  # (instance, its submit task, the pilot's city user)


def test_a_killed_server_loses_no_acknowledged_completion(site: Site, server_for: Callable[[str], Server]) -> None:
    work: Work = []
    for pilot_id, city in site.add_pilots(INSTANCES):
        iid = engine.start(site.db, "two_step", user_id=site.world.uid("prov_a"), pilot_id=pilot_id)
        work.append((iid, site.world.ready(iid)[0].id, city))
    tokens = {city: site.token(city) for _, _, city in work} | {"prov_a": site.token("prov_a")}
    server = server_for(site.url)
    acknowledged = load_then_kill(server, work, tokens)
    assert INSTANCES // 3 <= len(acknowledged) < INSTANCES, len(acknowledged)

    server.start()  # the same database, a new server
    with site.db() as s:
        done = set(s.scalars(select(HumanTask.id).where(HumanTask.id.in_([t for _, t, _ in work]),
                                                        HumanTask.state == TaskStatus.COMPLETED)))
    assert acknowledged <= done, acknowledged - done
    for iid, task_id, city in work:
        continues(server, iid, task_id in done, tokens["prov_a"] if task_id in done else tokens[city])


def load_then_kill(server: Server, work: Work, tokens: dict[str, str]) -> set[str]:
    """Threads complete the submit tasks; SIGKILL once a third are acknowledged. The acknowledged."""
    acknowledged: set[str] = set()
    lock, stop = threading.Lock(), threading.Event()

    def official(share: Work) -> None:
        for _, task_id, city in share:
            if stop.is_set():
                return
            client = server.client(tokens[city])
            try:
                status, _ = client.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"summary": "按期推进"}})
            except (OSError, http.client.HTTPException):
                continue  # the server died under this request: not acknowledged
            finally:
                client.close()
            if status == 200:
                with lock:
                    acknowledged.add(task_id)

    threads = [threading.Thread(target=official, args=(work[n::THREADS],)) for n in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < INSTANCES // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # mid-load: others are in flight
    stop.set()
    for t in threads:
        t.join(60)
    return acknowledged


def continues(server: Server, iid: int, submitted: bool, token: str) -> None:
    """The instance loads at the step its saved state says, and that step completes."""
    client = server.client(token)
    try:
        status, view = client.get(f"/api/v1/instances/{iid}")
        assert status == 200 and view["state"] == "running", (iid, status, view)
        [ready] = view["tasks"]
        assert ready["bpmn_id"] == ("review" if submitted else "submit"), (iid, ready)
        data = {"decision": "approve"} if submitted else {"summary": "按期推进"}
        status, after = client.post(f"/api/v1/tasks/{ready['id']}/complete", {"data": data})
        assert status == 200, (iid, after)
    finally:
        client.close()
