"""Demo data for a first look: the shipped pilot lists, a user for every role, the shipped
processes deployed, and every pilot's lifecycle played out over the past years on the engine's
clock, so that each role finds real work on signing in. The stories are in webui.demo_stories,
the documents in webui.demo_texts."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import SYSTEM
from engine import HumanTask
from engine import clock
from engine import reference
from engine import users
from webui import demo_stories as stories
from webui import demo_texts as texts
from webui.demo_stories import Beat
from webui.i18n import split_bilingual
from webui.layout import DUE_SOON

PASSWORD = "schemeflow-demo"
PREFERRED = ("approve", "accepted", "verified", "pass", "yes", "acknowledge")
JUST_AFTER = timedelta(microseconds=1)  # when a timer is fired: see _fire_timers_until
TWO_REVIEWERS = ("浙江省",)  # provinces with a second reviewer, so that 转办 (reassign) can be shown
REVISED = ("submit_scheme", "submit_task_book", "submit_investment_plan")  # steps of the revision loops
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
PEOPLE = ("陈静", "王海涛", "李婷", "张伟", "刘芳", "杨帆", "赵磊", "黄丽华", "吴建国", "徐敏", "孙志刚", "胡晓燕",
          "朱永明", "高峰", "林晓东", "何雪梅", "郭建华", "马俊", "罗文", "梁思远", "宋佳", "郑凯", "谢宏", "韩冰",
          "唐宁", "冯涛", "于洋", "董晓", "程亮", "曹颖")
Account = tuple[str, str, str, str]  # username, role, where, display name


def load(db: sessionmaker[Session], echo: Callable[[str], Any] = print, now: datetime | None = None) -> None:
    """Load the demo (again: nothing changes); the stories end at ``now`` (default: the clock's now)."""
    end = now or clock.now()
    today = end.astimezone(clock.CHINA).date()
    fresh = not engine.list_pilots(db, user_id=SYSTEM)
    try:
        if fresh:  # the set-up happened before the stories began
            clock.set_clock(_at(datetime.combine(date(today.year - 6, 1, 4), time(9), clock.CHINA)))
        for year, text in reference.shipped_pilot_lists().items():
            created, _ = reference.import_pilots(db, text, user_id=SYSTEM, batch_year=year)
            echo(f"Pilots {year}: {created} imported")
        accounts = _users(db)
        deployed = engine.deploy(db, engine.read_paths([engine.shipped_processes()]), user_id=SYSTEM)
        echo("Processes: " + ", ".join(f"{d.key} v{d.version}" for d in deployed))
        played = _play_stories(db, accounts, today, end)
    finally:
        clock.set_clock(None)
    first = min((b.at for b in played), default=None)
    since = f" (history since {first.astimezone(clock.CHINA):%Y-%m-%d})" if first else ""
    started = {b.subject for b in played if b.kind == "start" and b.process == "pilot_lifecycle"}
    echo(f"Instances: {len(started)} pilot lifecycles started at varied stages{since}")
    _print_logins(db, accounts, echo)


# --- users -------------------------------------------------------------------------------------

def _department(province: str) -> str:
    return province + ("住房和城乡建设委员会" if province in MUNICIPALITIES else "住房和城乡建设厅")


def _users(db: sessionmaker[Session]) -> list[Account]:
    names = {p.id: p.name for p in engine.list_provinces(db, user_id=SYSTEM)}
    provinces = sorted(names.values())
    pilots = sorted(engine.list_pilots(db, user_id=SYSTEM), key=lambda p: p.id)
    existing = {u.username for u in engine.user_admin.list_users(db, user_id=SYSTEM).items}
    plan: list[tuple[str, str, dict[str, Any], str, str]] = [
        ("admin", "admin", {}, "nationwide", "刘洋（系统管理员）"),
        ("ministry", "ministry", {}, "nationwide", "张明远（住房和城乡建设部建筑节能与科技司）")]
    people = itertools.cycle(PEOPLE)
    for i, name in enumerate(provinces, start=1):
        plan.append((f"province{i}", "province", {"province": name}, name, f"{next(people)}（{_department(name)}）"))
        if name in TWO_REVIEWERS:
            plan.append((f"province{i}b", "province", {"province": name}, name, f"周立新（{_department(name)}）"))
    for pilot in pilots:
        short = texts.Pilot(pilot.name, names[pilot.province_id], pilot.level.value).short
        plan.append((f"city{pilot.id}", "city", {"pilot_id": pilot.id}, pilot.name,
                     f"{next(people)}（{short}智慧城市建设领导小组办公室）"))
    shared = users.HASHER.hash(PASSWORD)  # one hash for every demo account (argon2 is slow on purpose)
    for username, role, where, _, display in plan:
        if username not in existing:
            users.create_user(db, username, role, PASSWORD, user_id=SYSTEM, display_name=display,
                              password_hash=shared, **where)
    return [(u, r, label, display) for u, r, _, label, display in plan]


# --- playing the stories on the engine's clock -------------------------------------------------

def _play_stories(db: sessionmaker[Session], accounts: list[Account], today: date, end: datetime) -> list[Beat]:
    """Play the stories of the pilots (and provinces) that have no instance yet; return their beats."""
    ids = {u.username: u.id for u in engine.user_admin.list_users(db, user_id=SYSTEM).items}
    provinces = {p.id: p.name for p in engine.list_provinces(db, user_id=SYSTEM)}
    pilots = {p.name: p for p in engine.list_pilots(db, user_id=SYSTEM)}
    admin = ids["admin"]
    running, _ = engine.list_instances(db, user_id=admin, limit=10_000)
    have = {(i.process, i.pilot_id if i.process == "pilot_lifecycle" else i.province_id) for i in running}
    cast = stories.Cast(
        city={p.name: f"city{p.id}" for p in pilots.values() if ("pilot_lifecycle", p.id) not in have},
        reviewers={where: [u for u, r, w, _ in accounts if r == "province" and w == where]
                   for where in provinces.values()})
    lives = [texts.Pilot(p.name, provinces[p.province_id], p.level.value) for p in pilots.values()]
    beats = stories.stories(lives, cast, today)
    beats += stories.summaries([pv for pid, pv in provinces.items() if ("provincial_summary", pid) not in have],
                               lives, cast, today, beats)
    if any(b.at >= end for b in beats):
        raise ValueError("a demo story reaches past now")
    subjects = {("pilot_lifecycle", n): p.id for n, p in pilots.items()} | {
        ("provincial_summary", n): pid for pid, n in provinces.items()}
    instances: dict[tuple[str, str], int] = {}
    running, _ = engine.list_instances(db, user_id=admin, state="running", limit=10_000)
    timers = {i.id: i.next_timer_at for i in running}  # when each running instance next needs the worker
    for beat in sorted(beats, key=lambda b: (b.at, b.process, b.subject, b.seq)):
        _fire_timers_until(db, admin, timers, beat.at)
        clock.set_clock(_at(beat.at))
        iid = _act(db, beat, ids, subjects, instances)
        timers[iid] = engine.get_instance(db, iid, user_id=admin).next_timer_at
    _fire_timers_until(db, admin, timers, end)
    return beats


def _at(moment: datetime) -> Callable[[], datetime]:
    """A clock standing at ``moment``."""
    return lambda: moment


def _fire_timers_until(db: sessionmaker[Session], admin: int, timers: dict[int, datetime | None],
                       moment: datetime) -> None:
    """Fire every timer due before ``moment``, each just after its own time (so a reminder is dated
    when it came). Every timer here falls on a whole second and SpiffWorkflow fires one only once the
    clock is strictly past it, so a microsecond later is never exactly another instance's due time
    (at that instant the engine would pick that instance again and again, up to ``limit``)."""
    while True:
        due = min((t for t in timers.values() if t is not None), default=None)
        if due is None or due >= moment:
            return
        clock.set_clock(_at(due + JUST_AFTER))
        engine.fire_due_timers(db, limit=100)
        for iid in [i for i, t in timers.items() if t is not None and t <= due]:
            view = engine.get_instance(db, iid, user_id=admin)
            timers[iid] = view.next_timer_at if view.state == "running" else None
            if timers[iid] == due:  # did not fire (the engine logs it); do not wait on it for ever
                timers[iid] = None


def _act(db: sessionmaker[Session], beat: Beat, ids: dict[str, int], subjects: dict[tuple[str, str], int],
         instances: dict[tuple[str, str], int]) -> int:
    """Play one beat; return the instance it acted on."""
    user_id, key = ids[beat.who], (beat.process, beat.subject)
    if beat.kind == "start":
        where = {"pilot_id": subjects[key]} if beat.process == "pilot_lifecycle" else {"province_id": subjects[key]}
        instances[key] = engine.start(db, beat.process, user_id=user_id, **where)
    elif beat.kind == "message":
        engine.send_message(db, instances[key], beat.step, user_id=user_id, payload=beat.data)
    else:
        task = _ready(db, instances[key], beat, ids["admin"])
        if beat.kind == "claim":
            engine.claim(db, task.id, user_id=user_id)
        elif task.role.value != "city":  # reviewers take a task from the group first, some hours before
            office_opens = datetime.combine(beat.at.astimezone(clock.CHINA).date(), time(8, 30), clock.CHINA)
            earlier = max(beat.at - timedelta(minutes=20 + beat.seq * 53 % 180), office_opens,
                          task.created_at + timedelta(minutes=5))
            clock.set_clock(_at(min(beat.at, earlier)))
            engine.claim(db, task.id, user_id=user_id)
            clock.set_clock(_at(beat.at))
        if beat.kind == "do":
            engine.complete(db, task.id, user_id=user_id, data=beat.data)
    return instances[key]


def _ready(db: sessionmaker[Session], instance_id: int, beat: Beat, admin: int) -> HumanTask:
    tasks = engine.get_instance(db, instance_id, user_id=admin).tasks
    for task in tasks:
        if task.bpmn_id == beat.step:
            return task
    raise RuntimeError(f"demo story of {beat.subject} at {beat.at:%Y-%m-%d %H:%M}: {beat.step} is not ready "
                       f"(ready: {', '.join(t.bpmn_id for t in tasks) or 'nothing'})")


# --- what to try first -------------------------------------------------------------------------

def _print_logins(db: sessionmaker[Session], accounts: list[Account], echo: Callable[[str], Any]) -> None:
    ids = {u.username: u.id for u in engine.user_admin.list_users(db, user_id=SYSTEM).items}
    now = clock.now()
    echo(f"\nDemo logins (password for all: {PASSWORD}); open tasks = to claim + claimed")
    open_tasks: dict[str, list[HumanTask]] = {}
    for name, role, where, display in accounts:
        if name not in ids:
            continue
        found = [t for scope in ("group", "mine")
                 for t in engine.tasks_for(db, ids[name], engine.TaskQuery(scope=scope, per_page=100)).items]
        open_tasks[name] = found
        echo(f"  {name:<14} {role:<9} {len(found):>3} open tasks  {where}  {display}")
    echo("\nTry first:")
    for role, line in _try_first(db, accounts, open_tasks, ids, now):
        echo(f"  {role:<9} {line}")


def _step(task: HumanTask) -> str:
    return split_bilingual(task.name)[0]


def _try_first(db: sessionmaker[Session], accounts: list[Account], open_tasks: dict[str, list[HumanTask]],
               ids: dict[str, int], now: datetime) -> list[tuple[str, str]]:
    """(role, hint) for the login of each role with the most to show."""
    by_role: dict[str, list[Account]] = {}
    for account in accounts:
        if account[0] in open_tasks:
            by_role.setdefault(account[1], []).append(account)
    lines = []
    # A step's round counts every time it is offered, so only the revision loops' rounds are revisions.
    revisions = [(t.round, t, a) for a in by_role.get("city", []) for t in open_tasks[a[0]]
                 if t.round > 1 and t.bpmn_id in REVISED]
    if revisions:
        rounds, task, (name, _, where, _) = max(revisions, key=lambda r: r[0])
        lines.append(("city", f"{name:<12} {where}: {_step(task)}, round {rounds} (sent back {rounds - 1} times)"))
    reviewers = by_role.get("province", [])
    shown: list[Account] = []
    if reviewers:  # the busiest reviewer, and one of a province with two (if that is another province)
        shown.append(max(reviewers, key=lambda a: len(open_tasks[a[0]])))
        pair = next((a for a in reviewers if sum(b[2] == a[2] for b in reviewers) > 1), None)
        if pair is not None and pair[2] != shown[0][2]:
            shown.append(pair)
    for name, _, where, _ in shown:
        found = open_tasks[name]
        late = sum(1 for t in found if t.due_at is not None and t.due_at < now)
        soon = sum(1 for t in found if t.due_at is not None and now <= t.due_at <= now + DUE_SOON)
        hint = f"{name:<12} {where}: {len(found)} to review, {late} overdue, {soon} due soon"
        colleagues = [a[0] for a in reviewers if a[2] == where and a[0] != name]
        if colleagues:
            held = engine.counts_for(db, ids[name], scopes=("held",))["held"]
            hint += f"; {held} held by {', '.join(colleagues)} (转办 / reassign)"
        lines.append(("province", hint))
    for name, _, _, _ in by_role.get("ministry", []):
        assessments = sum(1 for t in open_tasks[name] if t.bpmn_id == "assess_acceptance")
        lines.append(("ministry", f"{name:<12} {assessments} acceptance assessments (验收评估) to do"))
    if "admin" in ids:
        lines.append(("admin", f"{'admin':<12} 管理 (/admin/): users, processes and instances; the dashboard"))
    return lines


# --- sample data for any schema (tests and benchmarks) -----------------------------------------

def sample(schema: dict[str, Any]) -> Any:
    """Data that fits a JSON Schema, preferring approving answers (for tests and benchmarks)."""
    choices = [c.get("const") for c in schema.get("oneOf", []) if "const" in c] or schema.get("enum")
    if choices:
        return next((c for c in PREFERRED if c in choices), choices[0])
    if "const" in schema:
        return schema["const"]
    sampler: Callable[[dict[str, Any]], Any] = _SAMPLERS.get(schema.get("type"), _sample_string)
    return sampler(schema)


def _sample_number(schema: dict[str, Any]) -> int | float:
    low, high = schema.get("minimum", 0), schema.get("maximum", 100)
    value = min(max(low, 80 if high >= 80 else low), high)
    return int(value) if schema.get("type") == "integer" else float(value)


def _sample_string(schema: dict[str, Any]) -> str:
    if schema.get("format") == "date":
        return date.today().isoformat()
    if schema.get("format") == "date-time":
        return date.today().isoformat() + "T09:00:00+08:00"
    text = "示例内容 sample text"
    return (text * (1 + int(schema.get("minLength", 0)) // len(text)))[: int(schema.get("maxLength", 200))]


_SAMPLERS: dict[Any, Callable[[dict[str, Any]], Any]] = {
    "object": lambda s: {k: sample(v) for k, v in s.get("properties", {}).items()},
    "array": lambda s: [sample(s.get("items", {})) for _ in range(max(s.get("minItems", 1), 1))],
    "number": _sample_number, "integer": _sample_number, "boolean": lambda s: True,
}
