"""(a) Fifty officials press 完成 on the same twenty tasks at once, through the real server: each
task completes exactly once, every other attempt is told 409, and the audit log holds exactly
twenty completions."""
from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func
from sqlalchemy import select

import engine
from engine.models import AuditEvent
from tests.reliability.conftest import Server
from tests.reliability.conftest import Site

TASKS, THREADS = 20, 50


def test_fifty_threads_complete_twenty_tasks_exactly_once(site: Site, server_for: Callable[[str], Server]) -> None:
    reviews, instances = [], []
    for pilot_id, city in site.add_pilots(TASKS):
        iid = engine.start(site.db, "two_step", user_id=site.world.uid("prov_a"), pilot_id=pilot_id)
        [submit] = site.world.ready(iid)
        engine.complete(site.db, submit.id, user_id=site.world.uid(city), data={"summary": "实施方案"})
        [review] = site.world.ready(iid)
        reviews.append(review.id)
        instances.append(iid)
    server = server_for(site.url)
    tokens = [site.token("prov_a"), site.token("prov_a2")]
    outcomes: list[tuple[str, int]] = []
    lock, go = threading.Lock(), threading.Barrier(THREADS)

    def official(n: int) -> None:
        client = server.client(tokens[n % 2])
        order = random.Random(n).sample(reviews, len(reviews))
        go.wait()
        for task_id in order:
            status, _ = client.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}})
            with lock:
                outcomes.append((task_id, status))
        client.close()

    threads = [threading.Thread(target=official, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(outcomes) == TASKS * THREADS
    statuses = Counter(status for _, status in outcomes)
    assert set(statuses) == {200, 409}, statuses  # no 5xx, no other refusal
    wins = Counter(task_id for task_id, status in outcomes if status == 200)
    assert sorted(wins) == sorted(reviews) and set(wins.values()) == {1}, wins
    with site.db() as s:
        audited = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task_completed", AuditEvent.task_id.in_(reviews)))
    assert audited == TASKS
    assert {site.world.instance_state(iid) for iid in instances} == {"completed"}
