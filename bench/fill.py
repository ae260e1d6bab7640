"""Build a database at national scale, honestly: a seed played through the engine, then copies
of exactly what the engine wrote (not a benchmark: it prints what it made).

    .venv/bin/python bench/fill.py --url sqlite:////tmp/sf.db [--tasks 300000] [--pilots 100]
        [--provinces 30] [--seed-instances 60] [--force]
    .venv/bin/python bench/fill.py --url postgresql+psycopg://postgres@127.0.0.1:5432/sf_bench --force

1. **Seed, through the engine.** ``webui.demo.load`` (the shipped pilots, a user for every role,
   the shipped processes deployed, every shipped pilot's story played on the engine's clock);
   then provinces and pilots up to ``--provinces`` / ``--pilots`` (``reference.import_pilots``),
   a city user for every pilot and two reviewers for every province (``users.create_user``, one
   shared argon2 hash: every password is ``schemeflow-demo``); then ``--seed-instances`` more
   pilot lifecycles walked through ``engine.start`` / ``claim`` / ``complete`` with schema-valid
   data (``webui.demo.sample``), timers fired by ``engine.fire_due_timers``, comments and
   attachments added by ``engine.comments`` / ``engine.attachments``, some cancelled or
   suspended by ``engine.cancel`` / ``engine.suspend``, over the past six years.
2. **Copies.** Each seed instance is a template: its ``instance`` row (with ``workflow_json``),
   ``human_task``, ``audit_event``, ``comment`` and ``attachment`` rows are copied, re-keyed to a
   new instance id and a pilot (province for the provincial summary) of the 100, the users
   mapped to that pilot's and province's users, and **every task UUID rewritten consistently**
   in the copy's ``workflow_json`` and its rows (``human_task.id`` is the primary key and is the
   SpiffWorkflow task id that ``engine.complete`` looks up with ``get_task_from_id``). Ended
   copies are moved back in time (history over years); running copies keep their timeline
   (their timers live in the JSON) but for their tasks' dates, moved back up to 20 days.
   A few running copies are marked ``error`` with a message: the only state not written by the
   engine itself (it has no call that fails an instance on purpose).
3. **Proof.** A random copied open task is claimed and completed through the engine.
"""
from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

import engine  # noqa: E402
from engine import SYSTEM  # noqa: E402
from engine import clock  # noqa: E402
from engine import models  # noqa: E402
from engine import users  # noqa: E402
from webui import demo  # noqa: E402

PASSWORD = demo.PASSWORD
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SUBJECT_RE = re.compile(r'"(pilot_id|province_id|pilot_name|province_name)": ("(?:[^"\\]|\\.)*"|-?\d+|null)')
PROGRAMME_START = datetime(2013, 1, 29, 1, 0, tzinfo=clock.CHINA)

# Provinces and pilot names beyond the shipped lists (real places; the level follows the suffix).
PLACES: dict[str, list[str]] = {line.split(": ")[0]: line.split(": ")[1].split() for line in """
北京市: 朝阳区 海淀区 门头沟区 东城区
天津市: 滨海新区 武清区 津南区 和平区
河北省: 石家庄市 唐山市 邯郸市 廊坊市
山西省: 太原市 大同市 长治市 晋城市
内蒙古自治区: 呼和浩特市 包头市 鄂尔多斯市 乌海市
辽宁省: 沈阳市 大连市 营口市 庄河市
吉林省: 长春市 吉林市 辽源市 白山市
黑龙江省: 哈尔滨市 齐齐哈尔市 大庆市 牡丹江市
上海市: 浦东新区 闵行区 嘉定区 徐汇区
江苏省: 南京市 无锡市 苏州市 常州市
浙江省: 杭州市上城区 诸暨市 湖州市 嘉兴市
安徽省: 合肥市 芜湖市 铜陵市 淮南市
福建省: 平潭县 厦门市 泉州市 莆田市
江西省: 南昌市 萍乡市 新余市 樟树市
山东省: 济南市 青岛市 烟台市 潍坊市
河南省: 郑州市 洛阳市 许昌市 漯河市
湖北省: 武汉市 宜昌市 襄阳市 黄冈市
湖南省: 长沙市 株洲市 岳阳市 郴州市
广东省: 广州市番禺区 珠海市 佛山市顺德区 东莞市
广西壮族自治区: 南宁市 北海市 梧州市 玉林市
海南省: 海口市 三亚市 万宁市 琼海市
重庆市: 南岸区 两江新区 渝北区 九龙坡区
四川省: 成都市 绵阳市 雅安市 遂宁市
贵州省: 贵阳市 铜仁市 六盘水市 遵义市
云南省: 昆明市五华区 蒙自市 大理市 玉溪市
西藏自治区: 日喀则市 林芝市 山南市 昌都市
陕西省: 西安市 咸阳市 宝鸡市 杨凌示范区
甘肃省: 兰州市 金昌市 白银市 陇南市
青海省: 西宁市 海东市 格尔木市 德令哈市
宁夏回族自治区: 银川市 石嘴山市 吴忠市 中卫市
新疆维吾尔自治区: 乌鲁木齐市 克拉玛依市 库尔勒市 哈密市
""".strip().splitlines()}
DECISIONS = {  # decision field -> (go on, send back, refuse)
    "decision": ("approve", "revise", "reject"), "task_book_decision": ("approve", "revise", "reject"),
    "report_decision": ("accepted", "supplement", None), "rectification_decision": ("verified", "rectify_again", None),
}
# What the copies' instances are, by share of instances: ended lifecycles dominate a programme's
# history; the running share gives every official an inbox.
STATE_MIX = {"completed": 0.66, "running": 0.27, "cancelled": 0.04, "suspended": 0.02, "error": 0.01}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TABLES = ("instance", "human_task", "audit_event", "comment", "attachment")


def quiet(_: str) -> None:
    pass


# --- the database ------------------------------------------------------------------------------

def prepare(url: str, force: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if path.exists():
            if not force:
                raise SystemExit(f"{path} exists: pass --force to replace it")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    eng = engine.make_engine(url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            tables = conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
            if tables and not force:
                raise SystemExit("the database has tables: pass --force to drop its public schema")
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.upgrade_schema(eng)
    return eng


# --- the seed: engine calls only ----------------------------------------------------------------

def add_places(db: sessionmaker[Session], n_provinces: int, n_pilots: int) -> None:
    """Provinces up to ``n_provinces`` and pilots up to ``n_pilots``, imported as an operator would."""
    have = {p.name for p in engine.list_provinces(db, user_id=SYSTEM)}
    provinces = sorted(have) + [p for p in PLACES if p not in have]
    provinces = provinces[:max(n_provinces, len(have))]
    taken = {(p.province_id, p.name) for p in engine.list_pilots(db, user_id=SYSTEM)}
    count = len(taken)
    ids = {p.name: p.id for p in engine.list_provinces(db, user_id=SYSTEM)}
    names = {p: [n for n in PLACES.get(p, ()) if (ids.get(p), n) not in taken] for p in provinces}
    serial = iter(range(1, 10_000))

    def row(province: str) -> str:
        name = names[province].pop(0) if names[province] else f"试点{next(serial):03d}区"
        return f"{province},{name},{_level(name)}"

    # A province exists through its pilots: each province without one gets one, then all in turn.
    with_pilots = {province for province in provinces if ids.get(province) in {pid for pid, _ in taken}}
    missing = [p for p in provinces if p not in with_pilots]
    order = missing + sorted(with_pilots)
    rows = [row(p) for p in missing]
    while count + len(rows) < n_pilots:
        rows.append(row(order[(count + len(rows)) % len(order)]))
    if rows:
        engine.reference.import_pilots(db, "province,name,level\n" + "\n".join(rows) + "\n", batch_year=2015,
                                       user_id=SYSTEM)


def _level(name: str) -> str:
    return {"区": "district", "县": "county", "镇": "town"}.get(name[-1], "city")


def add_users(db: sessionmaker[Session]) -> None:
    """A city user for every pilot, two reviewers for every province, three national reviewers."""
    existing = {u.username for u in engine.user_admin.list_users(
        db, user_id=SYSTEM, query=engine.user_admin.UserQuery(per_page=10_000)).items}
    shared = users.HASHER.hash(PASSWORD)
    plan: list[tuple[str, str, dict[str, Any]]] = [(f"ministry{i}", "ministry", {}) for i in (2, 3)]
    for p in sorted(engine.list_pilots(db, user_id=SYSTEM), key=lambda p: p.id):
        plan.append((f"city{p.id}", "city", {"pilot_id": p.id}))
    for p in sorted(engine.list_provinces(db, user_id=SYSTEM), key=lambda p: p.id):
        plan += [(f"prov{p.id}a", "province", {"province": p.name}), (f"prov{p.id}b", "province", {"province": p.name})]
    for username, role, where in plan:
        if username not in existing:
            users.create_user(db, username, role, PASSWORD, user_id=SYSTEM, password_hash=shared, **where)


@dataclass
class Walk:
    """One pilot lifecycle walked through the engine: how it decides, and where it stops."""

    kind: str
    rng: random.Random
    steps: int = 0
    rounds: Counter[str] = field(default_factory=Counter)

    def decide(self, bpmn_id: str, key: str) -> str:
        go, back, refuse = DECISIONS[key]
        self.rounds[bpmn_id] += 1
        r = self.rounds[bpmn_id]
        if self.kind == "reject_scheme" and bpmn_id == "review_scheme":
            return refuse if r >= self.rng.randint(1, 3) else back  # type: ignore[return-value]
        if self.kind == "reject_task_book" and bpmn_id == "review_task_book":
            return refuse if r >= self.rng.randint(1, 2) else back  # type: ignore[return-value]
        if self.kind == "cap" and bpmn_id == "review_scheme":
            return back
        return back if r < 3 and self.rng.random() < 0.3 else go


KINDS = ("reject_scheme", "reject_scheme", "reject_task_book", "full", "full", "cap",
         "running", "running", "running", "cancel", "suspend")


class Seeder:
    def __init__(self, db: sessionmaker[Session], attachments: Path, rng: random.Random) -> None:
        self.db, self.attachments, self.rng = db, attachments, rng
        every = engine.user_admin.list_users(db, user_id=SYSTEM, query=engine.user_admin.UserQuery(per_page=10_000))
        self.users = every.items
        self.admin = next(u.id for u in self.users if u.username == "admin")
        self.ministry = next(u.id for u in self.users if u.username == "ministry")
        self.now = clock.now()

    def city_of(self, pilot_id: int) -> int:
        return next(u.id for u in self.users if u.role.value == "city" and u.pilot_id == pilot_id)

    def reviewer_of(self, province_id: int) -> int:
        found = [u.id for u in self.users if u.role.value == "province" and u.province_id == province_id]
        return self.rng.choice(found)

    def run(self, n: int) -> int:
        running, _ = engine.list_instances(self.db, user_id=self.admin, limit=100_000)
        busy = {i.pilot_id for i in running if i.process == "pilot_lifecycle"}
        free = [p for p in engine.list_pilots(self.db, user_id=SYSTEM) if p.id not in busy]
        self.rng.shuffle(free)
        done = 0
        for i in range(n):
            if not free:  # every pilot has a lifecycle: walk again on a pilot whose lifecycle ended
                break
            pilot = free.pop()
            kind = KINDS[i % len(KINDS)]
            try:
                self.walk(pilot, Walk(kind, random.Random(f"{pilot.id}-{kind}")))
            finally:
                clock.set_clock(None)
            done += 1
        return done

    def walk(self, pilot: engine.Pilot, walk: Walk) -> None:
        years = 5.8 if walk.kind == "full" else self.rng.uniform(0.3, 5.5)
        at = self.now - timedelta(days=years * 365)
        if walk.kind == "running":
            at = self.now - timedelta(days=self.rng.randint(20, 200))
        clock.set_clock(_at(at))
        city = self.city_of(pilot.id)
        iid = engine.start(self.db, "pilot_lifecycle", user_id=city, pilot_id=pilot.id)
        budget = {"cancel": self.rng.randint(1, 6), "suspend": self.rng.randint(1, 8)}.get(walk.kind, 200)
        while walk.steps < budget:
            view = engine.get_instance(self.db, iid, user_id=self.admin)
            if view.state != "running":
                return
            at += timedelta(days=self.rng.randint(2, 25), minutes=self.rng.randint(0, 480))
            if not view.tasks:  # waiting on a timer: fire it, as the worker would
                due = view.next_timer_at
                if due is None or due >= self.now:
                    return
                at = max(at, due + timedelta(seconds=1))
                clock.set_clock(_at(at))
                engine.fire_due_timers(self.db, limit=100)
                continue
            if at >= self.now - timedelta(days=1):
                return  # it stands open now
            clock.set_clock(_at(at))
            self.act(view.tasks[0], pilot, walk)
            walk.steps += 1
        reason = "试点撤回 / pilot withdrawn" if walk.kind == "cancel" else "暂停整改 / paused for review"
        if walk.kind == "cancel":
            engine.cancel(self.db, iid, user_id=self.admin, reason=reason)
        elif walk.kind == "suspend":
            engine.suspend(self.db, iid, user_id=self.admin, reason=reason)

    def act(self, task: engine.HumanTask, pilot: engine.Pilot, walk: Walk) -> None:
        role = task.role.value
        who = {"city": lambda: self.city_of(pilot.id), "province": lambda: self.reviewer_of(pilot.province_id),
               }.get(role, lambda: self.ministry)()
        if role != "city":
            engine.claim(self.db, task.id, user_id=who)
        form = engine.task_form(self.db, task.id, user_id=who)
        data = demo.sample(form.schema or {"type": "object"})
        year = clock.now().astimezone(clock.CHINA).year
        for key in ("year", "creation_start_year"):
            if key in data:
                data[key] = year
        sent_back = False
        for key in DECISIONS:
            if key in data:
                data[key] = walk.decide(task.bpmn_id, key)
                sent_back = data[key] in {b for _, b, _ in DECISIONS.values()}
        if sent_back and role == "province" and walk.rng.random() < 0.6:
            judged = {"review_scheme": "submit_scheme:objectives", "review_task_book": "submit_task_book:overall_goal",
                      "review_annual_report": "submit_annual_report:summary"}.get(task.bpmn_id)
            body = "请补充量化指标和资金来源说明。Please quantify the targets."
            try:
                engine.comments.add_comment(self.db, task.id, user_id=who, field=judged, body=body)
            except engine.InvalidData:  # nothing of that step to pin it to in this round
                engine.comments.add_comment(self.db, task.id, user_id=who, body=body)
        if role == "city" and task.bpmn_id.startswith("submit") and walk.rng.random() < 0.5:
            engine.attachments.add_attachment(self.db, task.id, user_id=who, filename=f"{task.bpmn_id}.pdf",
                                              content=PDF + str(walk.rng.random()).encode(),
                                              directory=self.attachments, max_bytes=20 * 1024 * 1024)
        engine.complete(self.db, task.id, user_id=who, data=data)


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


# --- the copies: rows as the engine wrote them, re-keyed ------------------------------------------

@dataclass
class Template:
    instance: dict[str, Any]
    process: str
    tasks: list[dict[str, Any]]
    events: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    attachments: list[dict[str, Any]]

    @property
    def state(self) -> str:
        return str(self.instance["state"].value if hasattr(self.instance["state"], "value") else self.instance["state"])


def rows(session: Session, table: Any, where: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(select(table).where(where))]


def load_templates(db: sessionmaker[Session]) -> list[Template]:
    t = {name: models.Base.metadata.tables[name] for name in TABLES}
    with db() as s:
        keys = dict(s.execute(select(models.ProcessVersion.id, models.ProcessDefinition.key)
                              .join(models.ProcessDefinition)).all())
        by: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name, col in (("human_task", "instance_id"), ("audit_event", "instance_id"),
                          ("comment", "instance_id"), ("attachment", "instance_id")):
            grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for r in rows(s, t[name], t[name].c[col].is_not(None)):
                grouped[r[col]].append(r)
            by[name] = grouped
        return [Template(inst, keys[inst["version_id"]], by["human_task"][inst["id"]], by["audit_event"][inst["id"]],
                         by["comment"][inst["id"]], by["attachment"][inst["id"]])
                for inst in rows(s, t["instance"], t["instance"].c.id > 0)]


class Copier:
    """Copies templates onto pilots and provinces in batches, re-keyed."""

    def __init__(self, db: sessionmaker[Session], rng: random.Random) -> None:
        self.db, self.rng = db, rng
        self.eng: Engine = db.kw["bind"]
        with db() as s:
            self.next_id = (s.scalar(select(func.max(models.Instance.id))) or 0) + 1
            self.pilots = [(p.id, p.province_id, p.name) for p in s.scalars(select(models.Pilot))]
            self.provinces = dict(s.execute(select(models.Province.id, models.Province.name)).all())
            self.user_rows = list(s.execute(select(models.User.id, models.User.role, models.User.province_id,
                                                   models.User.pilot_id)).all())
        self.city = {pilot: uid for uid, role, _, pilot in self.user_rows if role == models.Role.CITY}
        self.reviewers: dict[int, list[int]] = defaultdict(list)
        for uid, role, province, _ in self.user_rows:
            if role == models.Role.PROVINCE and province is not None:
                self.reviewers[province].append(uid)
        self.role_of = {uid: role for uid, role, _, _ in self.user_rows}
        self.now = clock.now()
        self.made: Counter[str] = Counter()
        self.buffer: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}

    def copy(self, tpl: Template, state: str) -> int:
        """Copy one template; return how many human tasks it added."""
        iid, self.next_id = self.next_id, self.next_id + 1
        if tpl.process == "provincial_summary":
            province_id, pilot_id, pilot_name = self.rng.choice(list(self.provinces)), None, None
        else:
            pilot_id, province_id, pilot_name = self.rng.choice(self.pilots)
        ended = state in ("completed", "cancelled")
        if ended:  # history over years, never past now
            latest = max((r["at"] for r in tpl.events), default=tpl.instance["updated_at"])
            room = max(0.0, (self.now - latest).total_seconds())
            shift = -timedelta(seconds=room * self.rng.random()) - timedelta(days=self.rng.uniform(0, 5 * 365))
            shift = max(shift, PROGRAMME_START - tpl.instance["started_at"])  # the first pilots: January 2013
        else:
            shift = -timedelta(days=self.rng.uniform(0, 20))
        k = Rekey(self, pilot_id, province_id, shift)
        names = {"pilot_id": json.dumps(pilot_id), "province_id": json.dumps(province_id),
                 "pilot_name": json.dumps(pilot_name), "province_name": json.dumps(self.provinces[province_id])}
        blob = UUID_RE.sub(lambda m: k.task(m.group()) or "", tpl.instance["workflow_json"])
        blob = SUBJECT_RE.sub(lambda m: f'"{m.group(1)}": {names[m.group(1)]}', blob)
        at = shift if ended else timedelta(0)  # a running instance's own dates stay with its JSON
        inst = dict(tpl.instance, id=iid, pilot_id=pilot_id, province_id=province_id, workflow_json=blob,
                    started_by_id=k.user(tpl.instance["started_by_id"]),
                    **{c: k.moved(tpl.instance[c], at) for c in ("started_at", "updated_at", "ended_at")})
        if state == "error":
            inst["state"] = models.InstanceState.ERROR
            inst["error"] = "bench/fill.py: marked error (a copy of a running instance; the engine has no call " \
                            "that fails an instance on purpose)"
        self.buffer["instance"].append(inst)
        self.buffer["human_task"] += [dict(
            r, id=k.task(r["id"]), instance_id=iid, opened_by_id=k.task(r["opened_by_id"]), pilot_id=pilot_id,
            province_id=province_id if r["province_id"] is not None else None,
            claimed_by_id=k.user(r["claimed_by_id"]), completed_by_id=k.user(r["completed_by_id"]),
            **{c: k.moved(r[c]) for c in ("created_at", "due_at", "completed_at", "draft_saved_at")})
            for r in tpl.tasks]
        self.buffer["audit_event"] += [dict(
            _without_id(r), instance_id=iid, task_id=k.task(r["task_id"]), actor_id=k.user(r["actor_id"]),
            at=k.moved(r["at"]), data_after=dict(r["data_after"], pilot_id=pilot_id, province_id=province_id)
            if r["action"] == "instance_started" and isinstance(r["data_after"], dict) else r["data_after"])
            for r in tpl.events]
        self.buffer["comment"] += [dict(_without_id(r), instance_id=iid, task_id=k.task(r["task_id"]),
                                        author_id=k.user(r["author_id"]), created_at=k.moved(r["created_at"]))
                                   for r in tpl.comments]
        self.buffer["attachment"] += [dict(
            _without_id(r), instance_id=iid, task_id=k.task(r["task_id"]), uploaded_by_id=k.user(r["uploaded_by_id"]),
            removed_by_id=k.user(r["removed_by_id"]), uploaded_at=k.moved(r["uploaded_at"]),
            removed_at=k.moved(r["removed_at"])) for r in tpl.attachments]
        self.made[state] += 1
        if len(self.buffer["instance"]) >= 1000:
            self.flush()
        return len(tpl.tasks)

    def flush(self) -> None:
        tables = models.Base.metadata.tables
        with self.eng.begin() as conn:
            for name in TABLES:
                if self.buffer[name]:
                    conn.execute(insert(tables[name]), self.buffer[name])
                    self.buffer[name] = []


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


class Rekey:
    """One copy's new keys: a fresh UUID for every old one (the same old UUID -> the same new one
    everywhere in the copy), the template's users -> the new pilot's and province's, dates moved."""

    def __init__(self, copier: Copier, pilot_id: int | None, province_id: int, shift: timedelta) -> None:
        self.copier, self.pilot_id, self.shift = copier, pilot_id, shift
        self.reviewers = copier.reviewers[province_id]
        self.users: dict[int, int] = {}
        self.ids: dict[str, str] = {}

    def task(self, old: str | None) -> str | None:
        if old is None:
            return None
        if old not in self.ids:
            self.ids[old] = str(uuid.UUID(int=self.copier.rng.getrandbits(128), version=4))
        return self.ids[old]

    def user(self, uid: int | None) -> int | None:
        if uid is None:
            return None
        if uid not in self.users:
            role = self.copier.role_of.get(uid)
            if role == models.Role.CITY and self.pilot_id is not None:
                self.users[uid] = self.copier.city[self.pilot_id]
            elif role == models.Role.PROVINCE:
                self.users[uid] = self.reviewers[len(self.users) % len(self.reviewers)]
            else:
                self.users[uid] = uid
        return self.users[uid]

    def moved(self, value: datetime | None, by: timedelta | None = None) -> datetime | None:
        return None if value is None else value + (self.shift if by is None else by)


def pick(templates: list[Template], rng: random.Random) -> Callable[[str], Template]:
    """A template of a state: short ones more often (weight 1/tasks), so that the copies' shape
    follows the mix of a long programme (many pilots stop early) rather than the seed's."""
    pools: dict[str, tuple[list[Template], list[float]]] = {}
    for state in STATE_MIX:
        source = "running" if state == "error" else state
        found = [t for t in templates if t.state == source and t.tasks]
        if not found:
            continue
        weights = list(_cumulative(1 / len(t.tasks) for t in found))
        pools[state] = (found, weights)

    def choose(state: str) -> Template:
        found, weights = pools.get(state) or pools["running"]
        return found[bisect.bisect(weights, rng.random() * weights[-1])]

    return choose


def _cumulative(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


# --- the proof: a copied open task completes through the engine ------------------------------------

def prove(db: sessionmaker[Session], first_copy: int, rng: random.Random) -> str:
    with db() as s:
        candidates = s.execute(
            select(models.HumanTask.id, models.HumanTask.role, models.HumanTask.pilot_id, models.HumanTask.province_id,
                   models.HumanTask.claimed_by_id, models.HumanTask.instance_id)
            .join(models.Instance).where(models.Instance.id >= first_copy,
                                         models.Instance.state == models.InstanceState.RUNNING,
                                         models.HumanTask.state == models.TaskStatus.READY)
            .order_by(models.HumanTask.id).limit(200)).all()
        if not candidates:
            return "no copied open task to prove with"
        task_id, role, pilot_id, province_id, claimed, iid = rng.choice(candidates)
        if claimed is not None:
            who = claimed
        elif role == models.Role.CITY:
            who = s.scalar(select(models.User.id).where(models.User.pilot_id == pilot_id))
        elif role == models.Role.PROVINCE:
            who = s.scalar(select(models.User.id).order_by(models.User.id).limit(1).where(
                models.User.role == role, models.User.province_id == province_id))
        else:
            who = s.scalar(select(models.User.id).where(models.User.username == "ministry"))
    assert who is not None
    if role != models.Role.CITY and claimed is None:
        engine.claim(db, task_id, user_id=who)
    form = engine.task_form(db, task_id, user_id=who)
    data = demo.sample(form.schema or {"type": "object"})
    view = engine.complete(db, task_id, user_id=who, data=data)
    nxt = ", ".join(t.bpmn_id for t in view.tasks) or view.state
    return f"copied task {task_id} ({form.task.bpmn_id}) of instance {iid} claimed and completed by user {who}; " \
           f"now: {nxt}"


# --- the report ------------------------------------------------------------------------------------

def report(db: sessionmaker[Session], url: str) -> None:
    tables = models.Base.metadata.tables
    with db() as s:
        for name in (*TABLES, "user_account", "pilot", "province"):
            print(f"  {name:<14} {s.scalar(select(func.count()).select_from(tables[name])):>9,}")
        print("  instances by state: " + ", ".join(
            f"{k.value} {v:,}" for k, v in s.execute(select(models.Instance.state, func.count())
                                                        .group_by(models.Instance.state)).all()))
        ht = models.HumanTask
        print("  human tasks by state: " + ", ".join(
            f"{k.value} {v:,}" for k, v in s.execute(select(ht.state, func.count()).group_by(ht.state)).all()))
        now = clock.now()
        ready = ht.state == models.TaskStatus.READY
        open_running = select(func.count()).select_from(ht).join(models.Instance).where(
            ready, models.Instance.state == models.InstanceState.RUNNING)
        print(f"  open tasks in running instances {s.scalar(open_running):,}: "
              f"overdue {s.scalar(open_running.where(ht.due_at < now)):,}, "
              f"claimed {s.scalar(open_running.where(ht.claimed_by_id.is_not(None))):,}; by role: " + ", ".join(
                  f"{k.value} {v:,}" for k, v in s.execute(
                      select(ht.role, func.count()).join(models.Instance).where(
                          ready, models.Instance.state == models.InstanceState.RUNNING).group_by(ht.role)).all()))
        years = sorted(s.execute(select(models.Instance.started_at)).scalars())
        print(f"  history: instances started {years[0]:%Y-%m-%d} … {years[-1]:%Y-%m-%d}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        size = sum(Path(parsed.database + s).stat().st_size for s in ("", "-wal") if Path(parsed.database + s).exists())
        print(f"  file size {size / 2**20:,.0f} MiB")
    else:
        with db() as s:
            size = s.scalar(text("SELECT pg_database_size(current_database())"))
        print(f"  database size {size / 2**20:,.0f} MiB")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="sqlite:///FILE or postgresql+psycopg://…")
    p.add_argument("--tasks", type=int, default=300_000, help="human tasks to reach (default 300,000)")
    p.add_argument("--pilots", type=int, default=100)
    p.add_argument("--provinces", type=int, default=30)
    p.add_argument("--seed-instances", type=int, default=60, help="lifecycles walked through the engine "
                   "after the demo's stories (default 60)")
    p.add_argument("--attachments", type=Path, help="where attachment bytes go (default: beside a SQLite file, "
                   "else ./instance/attachments); serve with SCHEMEFLOW_ATTACHMENTS set to it")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    p.add_argument("--random-seed", type=int, default=10)
    args = p.parse_args(argv)
    rng = random.Random(args.random_seed)
    t0 = time.perf_counter()
    eng = prepare(args.url, args.force)
    db = engine.make_sessionmaker(eng)
    parsed = make_url(args.url)
    attachments = args.attachments or (Path(parsed.database).parent / "attachments"
                                       if parsed.get_backend_name() == "sqlite" and parsed.database
                                       else Path("instance/attachments"))
    demo.load(db, echo=quiet)
    t_demo = time.perf_counter()
    print(f"seed: demo stories played in {t_demo - t0:.1f} s")
    add_places(db, args.provinces, args.pilots)
    add_users(db)
    walked = Seeder(db, attachments, rng).run(args.seed_instances)
    t_seed = time.perf_counter()
    print(f"seed: {walked} more lifecycles walked through the engine in {t_seed - t_demo:.1f} s")
    templates = load_templates(db)
    seed_tasks = sum(len(t.tasks) for t in templates)
    print(f"seed: {len(templates)} instances, {seed_tasks:,} human tasks, by state "
          + ", ".join(f"{k} {v}" for k, v in Counter(t.state for t in templates).items()))
    copier = Copier(db, rng)
    first_copy = copier.next_id
    choose = pick(templates, rng)
    states, shares = list(STATE_MIX), list(STATE_MIX.values())
    total = seed_tasks
    while total < args.tasks:
        total += copier.copy(*_state_and_template(choose, rng, states, shares))
    copier.flush()
    t_copy = time.perf_counter()
    print(f"copies: {sum(copier.made.values()):,} instances ({', '.join(f'{k} {v:,}' for k, v in copier.made.items())})"
          f", {total - seed_tasks:,} human tasks, in {t_copy - t_seed:.1f} s")
    if eng.dialect.name == "postgresql":  # explicit ids: move the sequence on; fresh statistics
        with eng.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('instance', 'id'), "
                              "(SELECT max(id) FROM instance))"))
            conn.execute(text("ANALYZE"))
    print("proof: " + prove(db, first_copy, rng))
    print(f"made in {time.perf_counter() - t0:.0f} s:")
    report(db, args.url)
    print(f"sign in as any user (city<pilot id>, prov<province id>a/b, province<n>, ministry, admin) "
          f"with password {PASSWORD}; attachments in {attachments}")


def _state_and_template(choose: Callable[[str], Template], rng: random.Random, states: list[str],
                        shares: list[float]) -> tuple[Template, str]:
    state = rng.choices(states, shares)[0]
    tpl = choose(state)
    return tpl, state if state == "error" else tpl.state  # a missing pool falls back to running templates


if __name__ == "__main__":
    main()
