"""HTTP benchmark: one task completion through the JSON API on a real WSGI server (not a test).

    .venv/bin/python bench/api_bench.py [--quick]

POST /api/v1/tasks/{id}/complete with a Bearer token, over a keep-alive HTTP connection to
waitress (what `schemeflow serve` runs), SQLite file database. Compared in the same run, step
for step, with the floor: bare SpiffWorkflow deserialize -> complete -> engine steps ->
serialize plus one SQLite commit. The anchors: SpiffArena needs ~33 ms per completion over
HTTP on this machine; the team aims within 2x of the floor.
"""
from __future__ import annotations

import argparse
import http.client
import json
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import SERIALIZER  # noqa: E402
from engine_bench import Setup  # noqa: E402
from engine_bench import bare_parse  # noqa: E402
from engine_bench import bare_step  # noqa: E402
from engine_bench import ms  # noqa: E402
from engine_bench import sequential_bpmn  # noqa: E402
from engine_bench import stats  # noqa: E402
from sqlalchemy import select  # noqa: E402
from waitress.server import create_server  # noqa: E402

from config import Config  # noqa: E402
from engine import users  # noqa: E402
from engine.models import HumanTask  # noqa: E402
from engine.models import TaskStatus  # noqa: E402
from webui import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sample (smoke run)")
    instances = 5 if parser.parse_args().quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        setup = Setup(directory)
        token = users.issue_token(setup.db, "city")

        class BenchConfig(Config):
            DATABASE_URL = str(setup.db.kw["bind"].url)

        server = create_server(create_app(BenchConfig), host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port)  # type: ignore[union-attr]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"data": {"summary": "Progress on schedule"}})

        floor_db = sqlite3.connect(directory / "floor.db", isolation_level=None)
        floor_db.execute("PRAGMA journal_mode=WAL")
        floor_db.execute("PRAGMA synchronous=NORMAL")
        floor_db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, blob TEXT)")
        floor_db.execute("INSERT INTO state VALUES (1, '')")
        http_samples, floor_samples = [], []
        content = sequential_bpmn(10)
        for _ in range(instances):
            iid = setup.start("seq")
            wf = bare_parse(content, "seq")
            wf.do_engine_steps()
            blob = SERIALIZER.serialize_json(wf)
            for _ in range(10):
                with setup.db() as s:
                    task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == iid,
                                                                  HumanTask.state == TaskStatus.READY))
                t0 = time.perf_counter()
                conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body, headers)
                response = conn.getresponse()
                response.read()
                http_samples.append(time.perf_counter() - t0)
                assert response.status == 200, response.status
                t0 = time.perf_counter()
                blob = bare_step(blob, {"summary": "Progress on schedule"})
                floor_db.execute("BEGIN IMMEDIATE")
                floor_db.execute("UPDATE state SET blob = ? WHERE id = 1", (blob,))
                floor_db.execute("COMMIT")
                floor_samples.append(time.perf_counter() - t0)

    (hm, hp), (fm, fp) = stats(http_samples), stats(floor_samples)
    print(f"completion over HTTP (waitress, SQLite): median {ms(hm)}  p95 {ms(hp)}  (n={len(http_samples)})")
    print(f"bare SpiffWorkflow + SQLite commit     : median {ms(fm)}  p95 {ms(fp)}")
    print(f"ratio HTTP / floor (median)            : {hm / fm:.2f}   (aim <= 2; SpiffArena ~33 ms here)")


if __name__ == "__main__":
    main()
