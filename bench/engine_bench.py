"""Engine benchmarks: figures and ratios measured in one run (not a test; nothing asserts).

    .venv/bin/python bench/engine_bench.py [--quick]

(i)   one task completion through the engine (SQLite file, full call: auth, form validation,
      load, run, save, projection, audit, commit) against bare SpiffWorkflow on the same BPMN
      doing deserialize -> complete -> engine steps -> serialize per step. Target ratio <= 3.
(ii)  a completion after 200 completed tasks in one instance against one after 10.
      Target <= 2, and no worse than bare SpiffWorkflow's own ratio.
(iii) a provincial reviewer's inbox page (50 rows) with 100,000 instances and 300,000 human
      tasks in the database. Target p95 <= 20 ms.
(iv)  peak memory of the process.
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy import select  # noqa: E402

import engine  # noqa: E402
from engine import clock  # noqa: E402
from engine import schema  # noqa: E402
from engine.db import make_engine  # noqa: E402
from engine.models import HumanTask  # noqa: E402
from engine.models import Instance  # noqa: E402
from engine.models import InstanceState  # noqa: E402
from engine.models import Level  # noqa: E402
from engine.models import Pilot  # noqa: E402
from engine.models import ProcessVersion  # noqa: E402
from engine.models import Province  # noqa: E402
from engine.models import Role  # noqa: E402
from engine.models import TaskStatus  # noqa: E402
from engine.models import User  # noqa: E402

FORM = {"type": "object", "required": ["summary"], "properties": {
    "summary": {"type": "string", "minLength": 1, "maxLength": 2000},
    "decision": {"type": "string", "enum": ["approve", "revise"]}}}


def sequential_bpmn(n: int) -> bytes:
    """n user tasks in a row, all in lane City, each with the same form."""
    tasks, flows, prev = [], [], "s"
    for i in range(n):
        tasks.append(f'<bpmn:userTask id="u{i}" name="Step {i}"><bpmn:extensionElements><spiffworkflow:properties>'
                     f'<spiffworkflow:property name="formJsonSchemaFilename" value="f-schema.json"/>'
                     f'</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{prev}" targetRef="u{i}"/>')
        prev = f"u{i}"
    flows.append(f'<bpmn:sequenceFlow id="fe" sourceRef="{prev}" targetRef="e"/>')
    refs = "".join(f"<bpmn:flowNodeRef>u{i}</bpmn:flowNodeRef>" for i in range(n))
    return _definitions("seq", f'<bpmn:laneSet id="ls"><bpmn:lane id="l" name="City">{refs}</bpmn:lane></bpmn:laneSet>'
                        '<bpmn:startEvent id="s"/>' + "".join(tasks) + '<bpmn:endEvent id="e"/>' + "".join(flows))


def loop_bpmn() -> bytes:
    """One user task revised in a gateway loop: every completion adds to the task tree."""
    return _definitions("loop", """
<bpmn:laneSet id="ls"><bpmn:lane id="l" name="City"><bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="m"/>
<bpmn:userTask id="u" name="Revise"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="formJsonSchemaFilename" value="f-schema.json"/></spiffworkflow:properties>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:exclusiveGateway id="g" default="done"/><bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="m"/><bpmn:sequenceFlow id="b" sourceRef="m" targetRef="u"/>
<bpmn:sequenceFlow id="c" sourceRef="u" targetRef="g"/>
<bpmn:sequenceFlow id="again" sourceRef="g" targetRef="m">
<bpmn:conditionExpression>decision == "revise"</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="done" sourceRef="g" targetRef="e"/>""")


def _definitions(pid: str, body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            f'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d_{pid}" targetNamespace="b">'
            f'<bpmn:process id="{pid}" isExecutable="true">{body}</bpmn:process></bpmn:definitions>').encode()


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


# --- bare SpiffWorkflow: what any web app must do per request at minimum ---------------------------

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def bare_parse(content: bytes, pid: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(content)
    return BpmnWorkflow(parser.get_spec(pid), parser.get_subprocess_specs(pid))


def bare_step(blob: str, data: dict[str, object]) -> str:
    wf = SERIALIZER.deserialize_json(blob)
    task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()
    return SERIALIZER.serialize_json(wf)


# --- the engine ---------------------------------------------------------------------------------

class Setup:
    def __init__(self, directory: Path) -> None:
        self.db = engine.make_sessionmaker(make_engine(f"sqlite:///{directory / 'bench.db'}"))
        schema.upgrade(self.db.kw["bind"])
        with self.db.begin() as s:
            province = Province(name="浙江省")
            s.add(province)
            s.flush()
            self.province_id = province.id
            pilot = Pilot(name="宁波市", province_id=province.id, level=Level.CITY)
            s.add(pilot)
            s.flush()
            self.pilot_id = pilot.id
            user = User(username="city", role=Role.CITY, password_hash="x", province_id=province.id, pilot_id=pilot.id)
            reviewer = User(username="prov", role=Role.PROVINCE, password_hash="x", province_id=province.id)
            s.add_all([user, reviewer])
            s.flush()
            self.user_id, self.reviewer_id = user.id, reviewer.id
        form = json.dumps(FORM).encode()
        engine.deploy(self.db, [("seq.bpmn", sequential_bpmn(10)), ("f-schema.json", form)], user_id=engine.SYSTEM)
        engine.deploy(self.db, [("loop.bpmn", loop_bpmn()), ("f-schema.json", form)], user_id=engine.SYSTEM)

    def start(self, process: str) -> int:
        with self.db.begin() as s:  # one running instance per pilot: retire the previous one
            for inst in s.scalars(select(Instance).where(Instance.state == InstanceState.RUNNING)):
                inst.state = InstanceState.CANCELLED
        return engine.start(self.db, process, user_id=self.user_id, pilot_id=self.pilot_id)

    def complete_next(self, instance_id: int, data: dict[str, object]) -> float:
        with self.db() as s:
            task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                          HumanTask.state == TaskStatus.READY))
        t0 = time.perf_counter()
        engine.complete(self.db, task_id, user_id=self.user_id, data=data)
        return time.perf_counter() - t0


def part_i(setup: Setup, instances: int, directory: Path) -> dict[str, float]:
    # Engine and bare steps alternate, so both see the same machine (a VM's speed drifts).
    data = {"summary": "Progress on schedule"}
    engine_samples, bare_samples, floor_samples = [], [], []
    content = sequential_bpmn(10)
    # The floor any persistent endpoint pays: the bare round trip plus one SQLite commit of the
    # state, on a file with the engine's own pragmas (WAL, synchronous=NORMAL).
    floor_db = sqlite3.connect(directory / "floor.db", isolation_level=None)
    floor_db.execute("PRAGMA journal_mode=WAL")
    floor_db.execute("PRAGMA synchronous=NORMAL")
    floor_db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, blob TEXT)")
    floor_db.execute("INSERT INTO state VALUES (1, '')")
    for _ in range(instances):
        iid = setup.start("seq")
        wf = bare_parse(content, "seq")
        wf.do_engine_steps()
        blob = floor_blob = SERIALIZER.serialize_json(wf)
        for _ in range(10):
            engine_samples.append(setup.complete_next(iid, data))
            t0 = time.perf_counter()
            blob = bare_step(blob, data)
            bare_samples.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            floor_blob = bare_step(floor_blob, data)
            floor_db.execute("BEGIN IMMEDIATE")
            floor_db.execute("UPDATE state SET blob = ? WHERE id = 1", (floor_blob,))
            floor_db.execute("COMMIT")
            floor_samples.append(time.perf_counter() - t0)
    floor_db.close()
    (em, ep), (bm, bp), (fm, fp) = stats(engine_samples), stats(bare_samples), stats(floor_samples)
    print(f"(i)  completion, engine on SQLite file : median {ms(em)}  p95 {ms(ep)}  (n={len(engine_samples)})")
    print(f"     bare SpiffWorkflow round trip      : median {ms(bm)}  p95 {ms(bp)}  (n={len(bare_samples)})")
    print(f"     ratio engine/bare (median)         : {em / bm:.2f}   (target <= 3)")
    print(f"     bare + SQLite commit (the floor)   : median {ms(fm)}  p95 {ms(fp)}  engine/floor {em / fm:.2f}")
    return {"engine_median": em, "engine_p95": ep, "bare_median": bm, "bare_p95": bp, "ratio": em / bm,
            "floor_median": fm, "floor_ratio": em / fm}


def part_ii(setup: Setup, repeats: int) -> dict[str, float]:
    revise, finish = {"summary": "again", "decision": "revise"}, {"summary": "x", "decision": "revise"}
    iid = setup.start("loop")
    at: dict[int, list[float]] = {10: [], 200: []}
    for n in range(1, 200 + repeats + 1):
        took = setup.complete_next(iid, revise)
        for mark, samples in at.items():
            if mark <= n < mark + repeats:
                samples.append(took)
    wf = bare_parse(loop_bpmn(), "loop")
    wf.do_engine_steps()
    blob = SERIALIZER.serialize_json(wf)
    bare: dict[int, list[float]] = {10: [], 200: []}
    for n in range(1, 200 + repeats + 1):
        t0 = time.perf_counter()
        blob = bare_step(blob, finish)
        took = time.perf_counter() - t0
        for mark, samples in bare.items():
            if mark <= n < mark + repeats:
                samples.append(took)
    e10, e200 = statistics.median(at[10]), statistics.median(at[200])
    b10, b200 = statistics.median(bare[10]), statistics.median(bare[200])
    print(f"(ii) completion after 10 / 200 tasks    : engine {ms(e10)} / {ms(e200)}  ratio {e200 / e10:.2f}"
          f"   (target <= 2 and <= bare)")
    print(f"     bare SpiffWorkflow                 : {ms(b10)} / {ms(b200)}  ratio {b200 / b10:.2f}")
    return {"engine_10": e10, "engine_200": e200, "engine_ratio": e200 / e10, "bare_ratio": b200 / b10}


def part_iii(setup: Setup, instances: int, tasks: int, queries: int) -> dict[str, float]:
    db = setup.db
    with db.begin() as s:
        provinces = [Province(name=f"省{i:02d}") for i in range(31)]
        s.add_all(provinces)
        s.flush()
        pilots = [Pilot(name=f"试点{i}", province_id=provinces[i % 31].id, level=Level.CITY) for i in range(3100)]
        s.add_all(pilots)
        s.flush()
        target = provinces[0]
        reviewer = User(username="bench_reviewer", role=Role.PROVINCE, password_hash="x", province_id=target.id)
        s.add(reviewer)
        s.flush()
        version_id = s.scalar(select(ProcessVersion.id).limit(1))
        pilot_rows = [(p.id, p.province_id) for p in pilots]
    t0 = time.perf_counter()
    conn_engine = db.kw["bind"]
    with conn_engine.begin() as conn:
        batch = 10_000
        for start in range(0, instances, batch):
            conn.execute(insert(Instance), [
                {"version_id": version_id, "pilot_id": pilot_rows[i % 3100][0], "province_id": pilot_rows[i % 3100][1],
                 "state": "running", "workflow_json": "{}", "serializer_version": "1.5", "lock_version": 1,
                 "started_at": setup_now(), "updated_at": setup_now()}
                for i in range(start, min(start + batch, instances))])
        first_id = conn.execute(select(Instance.id).order_by(Instance.id).limit(1)).scalar_one()
        for start in range(0, tasks, batch):
            rows = []
            for k in range(start, min(start + batch, tasks)):
                i = k % instances
                pilot_id, province_id = pilot_rows[i % 3100]
                role = ("city", "province", "ministry")[k % 3]
                state = "ready" if k % 4 == 0 else "completed"
                rows.append({"id": f"{k:032x}", "instance_id": first_id + i, "bpmn_id": f"step_{k % 7}",
                             "name": f"步骤 {k % 7}", "lane": role.title(), "role": role, "province_id": province_id,
                             "pilot_id": pilot_id, "round": 1, "state": state, "created_at": setup_now(),
                             "due_at": setup_now(days=k % 90) if k % 5 else None})
            conn.execute(insert(HumanTask), rows)
    print(f"(iii) loaded {instances:,} instances and {tasks:,} human tasks in {time.perf_counter() - t0:.1f} s")
    samples = []
    for q in range(queries):
        t0 = time.perf_counter()
        result = engine.tasks_for(db, reviewer.id, engine.TaskQuery(scope="group", page=1 + q % 3, per_page=50))
        samples.append(time.perf_counter() - t0)
    med, p95 = stats(samples)
    print(f"     provincial inbox page (50 of {result.total:,} rows): median {ms(med)}  p95 {ms(p95)}"
          f"   (target p95 <= 20 ms)")
    return {"inbox_median": med, "inbox_p95": p95, "inbox_total": result.total}


def setup_now(days: int = 0) -> datetime:
    return clock.now() + timedelta(days=days)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sample sizes (smoke run)")
    args = parser.parse_args()
    n_inst, n_rep = (5, 5) if args.quick else (40, 20)
    big = (10_000, 30_000, 50) if args.quick else (100_000, 300_000, 200)
    with tempfile.TemporaryDirectory() as tmp:
        setup = Setup(Path(tmp))
        part_i(setup, n_inst, Path(tmp))
        part_ii(setup, n_rep)
        part_iii(setup, *big)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(iv) peak memory (max RSS)            : {peak:.0f} MiB")


if __name__ == "__main__":
    main()
