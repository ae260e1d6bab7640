"""Demo data for a first look: the shipped pilot lists, a user for every role, the shipped
processes deployed, and pilot instances advanced to varied stages with sample form data."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import definitions
from engine import inbox
from engine import reference
from engine import users
from engine.errors import ConflictError
from engine.models import Pilot
from engine.models import Province
from engine.models import User

PASSWORD = "schemeflow-demo"
PREFERRED = ("approve", "accepted", "verified", "pass", "yes", "acknowledge")
# How many tasks each demo pilot's lifecycle is advanced by: a spread of stages.
STEPS = (0, 1, 2, 3, 4, 6, 8, 10)


def load(db: sessionmaker[Session], echo: Callable[[str], Any] = print) -> None:
    for year, text in reference.shipped_pilot_lists().items():
        created, _ = reference.import_pilots(db, text, batch_year=year)
        echo(f"Pilots {year}: {created} imported")
    accounts = _users(db)
    deployed = engine.deploy(db, definitions.read_paths([definitions.shipped_processes()]))
    echo("Processes: " + ", ".join(f"{d.key} v{d.version}" for d in deployed))
    _instances(db, accounts, echo)
    echo(f"\nDemo logins (password for all: {PASSWORD}); open tasks = to claim + claimed")
    for name, role, where in accounts:
        open_tasks = _open_tasks(db, name)
        echo(f"  {name:<14} {role:<9} {open_tasks:>3} open tasks  {where}")


def _open_tasks(db: sessionmaker[Session], username: str) -> int:
    """What a newcomer finds on signing in as this user: the group queue plus their own tasks."""
    with db() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        return 0
    counts = inbox.counts_for(db, user_id)
    return counts["group"] + counts["mine"]


def _users(db: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with db() as s:
        provinces = {p.name: p.id for p in s.scalars(select(Province))}
        pilots = list(s.scalars(select(Pilot).order_by(Pilot.id)))
        existing = set(s.scalars(select(User.username)))
    plan: list[tuple[str, str, dict[str, Any], str]] = [
        ("admin", "admin", {}, "nationwide"), ("ministry", "ministry", {}, "nationwide")]
    for i, name in enumerate(sorted(provinces), start=1):
        plan.append((f"province{i}", "province", {"province": name}, name))
    for pilot in pilots:
        plan.append((f"city{pilot.id}", "city", {"pilot_id": pilot.id}, pilot.name))
    for username, role, where, _ in plan:
        if username not in existing:
            users.create_user(db, username, role, PASSWORD, **where)
    return [(u, r, label) for u, r, _, label in plan]


def _instances(db: sessionmaker[Session], accounts: list[tuple[str, str, str]], echo: Callable[[str], Any]) -> None:
    with db() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
        pilots = list(s.scalars(select(Pilot).order_by(Pilot.id)))
        provinces = list(s.scalars(select(Province).order_by(Province.id)))
    admin = ids["admin"]
    started = 0
    for pilot, steps in zip(pilots, STEPS * 4, strict=False):
        try:
            iid = engine.start(db, "pilot_lifecycle", user_id=admin, pilot_id=pilot.id)
        except ConflictError:
            continue  # already running from an earlier demo run
        started += 1
        for _ in range(steps):
            if not _advance(db, iid, ids):
                break
    for province in provinces:
        try:
            engine.start(db, "provincial_summary", user_id=admin, province_id=province.id)
        except (ConflictError, engine.NotFound):
            pass
    echo(f"Instances: {started} pilot lifecycles started at varied stages")


def _advance(db: sessionmaker[Session], instance_id: int, ids: dict[str, int]) -> bool:
    """Complete one ready task with sample data, as a user who may do it."""
    view = engine.get_instance(db, instance_id, user_id=ids["admin"])
    for task in view.tasks:
        for uid in ids.values():
            try:
                detail = engine.get_task(db, task.id, user_id=uid)
            except (engine.NotFound, engine.Forbidden):
                continue
            if detail.may_act:
                engine.complete(db, task.id, user_id=uid, data=sample(detail.schema or {}))
                return True
    return False


def sample(schema: dict[str, Any]) -> Any:
    """Data that fits a JSON Schema, preferring approving answers (for demo and benchmarks)."""
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
