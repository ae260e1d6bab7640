"""bench/fill.py at a tiny size: counts add up, copies are consistent, and a copied open task
completes through the engine (the point of copying what the engine wrote)."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func
from sqlalchemy import select

import engine
from engine import models
from webui import demo

FILL = Path(__file__).resolve().parents[2] / "bench" / "fill.py"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def load_fill() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fill", FILL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fill_makes_consistent_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'fill.db'}"
    load_fill().main(["--url", url, "--tasks", "2000", "--pilots", "40", "--provinces", "20",
                      "--seed-instances", "4"])
    printed = capsys.readouterr().out
    assert "proof: copied task" in printed and "claimed and completed" in printed
    db = engine.make_sessionmaker(engine.make_engine(url))
    with db() as s:
        assert s.scalar(select(func.count()).select_from(models.Pilot)) == 40
        assert s.scalar(select(func.count()).select_from(models.Province)) == 20
        tasks = s.scalar(select(func.count()).select_from(models.HumanTask)) or 0
        assert 2000 <= tasks < 2100
        states = dict(s.execute(select(models.Instance.state, func.count()).group_by(models.Instance.state)).all())
        assert states[models.InstanceState.COMPLETED] > states[models.InstanceState.RUNNING] > 0
        every_pilot_has_a_city_user = s.scalar(select(func.count()).select_from(models.Pilot).where(
            ~select(models.User.id).where(models.User.pilot_id == models.Pilot.id).exists()))
        assert every_pilot_has_a_city_user == 0
        seed_max = s.scalar(select(func.min(models.Instance.id)).where(models.Instance.id > 0)) or 0
        # The copies of one template: the same shape, other task ids; each open row's id is in its own JSON.
        copied = s.execute(select(models.HumanTask, models.Instance).join(models.Instance).where(
            models.Instance.state == models.InstanceState.RUNNING, models.HumanTask.state == models.TaskStatus.READY,
            models.Instance.id > seed_max + 60).order_by(models.Instance.id).limit(30)).all()
        assert copied
        for task, instance in copied:
            assert task.id in set(UUID.findall(instance.workflow_json))
            data = json.loads(instance.workflow_json)["data"]
            assert data.get("pilot_id", instance.pilot_id) == instance.pilot_id
        task, instance = copied[-1]
        if task.claimed_by_id is not None:
            who = task.claimed_by_id
        else:
            who = s.scalar(select(models.User.id).order_by(models.User.id).limit(1).where(
                models.User.role == task.role, models.User.active.is_(True),
                *([models.User.pilot_id == task.pilot_id] if task.role == models.Role.CITY else []),
                *([models.User.province_id == task.province_id] if task.role == models.Role.PROVINCE else [])))
        task_id = task.id
    assert who is not None
    form = engine.task_form(db, task_id, user_id=who)
    view = engine.complete(db, task_id, user_id=who, data=demo.sample(form.schema or {"type": "object"}))
    assert view.id == instance.id
    with db() as s:
        assert s.get(models.HumanTask, task_id).state == models.TaskStatus.COMPLETED  # type: ignore[union-attr]
