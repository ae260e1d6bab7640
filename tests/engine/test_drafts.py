"""Drafts of definitions on the server, the dry-run deploy check, and deploying a draft: saved,
replaced, listed, discarded, by administrators only; a new process opens runnable; any BPMN file
imports; a refused deploy keeps the draft and the live version."""
from __future__ import annotations

import pytest

import engine
from engine import drafts
from tests.conftest import DATA
from tests.conftest import PROCESSES
from tests.helpers import World

IMPORTS = DATA / "imports"
NAMES = {"name": "新流程", "task_name": "填写", "field_label": "内容"}


def new(world: World, key: str = "new_process") -> drafts.Draft:
    return drafts.start_new(world.db, key, user_id=world.uid("admin"), **NAMES)


def test_save_twice_keeps_the_last_and_records_who(world: World) -> None:
    admin = world.uid("admin")
    drafts.save(world.db, "p", {"p.bpmn": "<a/>"}, user_id=admin, base_version=None)
    drafts.save(world.db, "p", {"p.bpmn": "<b/>", "f.json": "{}"}, user_id=admin, base_version=3)
    draft = drafts.load(world.db, "p", user_id=admin)
    assert draft.files == {"p.bpmn": "<b/>", "f.json": "{}"}
    assert draft.base_version == 3 and draft.saved_by == "admin" and draft.saved_at is not None
    assert [d.key for d in drafts.list_drafts(world.db, user_id=admin)] == ["p"]
    drafts.discard(world.db, "p", user_id=admin)
    with pytest.raises(engine.NotFound):
        drafts.load(world.db, "p", user_id=admin)


@pytest.mark.parametrize("user", ["city_a1", "prov_a", "ministry"])
def test_only_administrators_touch_drafts(world: World, user: str) -> None:
    drafts.save(world.db, "p", {"p.bpmn": "<a/>"}, user_id=world.uid("admin"), base_version=None)
    uid = world.uid(user)
    calls = [lambda: drafts.save(world.db, "p", {"p.bpmn": "<x/>"}, user_id=uid, base_version=None),
             lambda: drafts.load(world.db, "p", user_id=uid), lambda: drafts.discard(world.db, "p", user_id=uid),
             lambda: drafts.list_drafts(world.db, user_id=uid), lambda: drafts.deploy(world.db, "p", user_id=uid),
             lambda: engine.validate_bundle(world.db, [], user_id=uid),
             lambda: engine.catalog.list_processes(world.db, user_id=uid),
             lambda: drafts.check_form(world.db, "{}", "{}", user_id=uid)]
    for call in calls:
        with pytest.raises(engine.Forbidden):
            call()
    assert drafts.load(world.db, "p", user_id=world.uid("admin")).files == {"p.bpmn": "<a/>"}


@pytest.mark.parametrize("files", [{}, {"../p.bpmn": "x"}, {"p.exe": "x"}, {"p.bpmn": 3}])
def test_bad_draft_files_are_refused(world: World, files: dict[str, str]) -> None:
    with pytest.raises(engine.InvalidData):
        drafts.save(world.db, "p", files, user_id=world.uid("admin"), base_version=None)


def test_a_new_process_opens_runnable_and_deploys(world: World) -> None:
    draft = new(world)
    assert draft.main == "new_process.bpmn" and len(draft.files) == 3
    files = [(n, t.encode()) for n, t in draft.files.items()]
    assert engine.validate_bundle(world.db, files, user_id=world.uid("admin")) == []
    deployed = drafts.deploy(world.db, "new_process", user_id=world.uid("admin"))
    assert [(d.key, d.version) for d in deployed] == [("new_process", 1)]
    iid = engine.start(world.db, "new_process", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    task = world.task(iid, "first_task")
    engine.complete(world.db, task.id, user_id=world.uid("city_a1"), data={"summary": "完成"})
    assert world.instance_state(iid) == "completed"
    with pytest.raises(engine.NotFound):  # the deployed draft is gone
        drafts.load(world.db, "new_process", user_id=world.uid("admin"))


def test_a_taken_or_bad_key_is_refused(world: World) -> None:
    with pytest.raises(engine.ConflictError):
        new(world, "pilot_lifecycle")
    new(world)
    with pytest.raises(engine.ConflictError):
        new(world)
    with pytest.raises(engine.InvalidData):
        new(world, "1 bad key")


@pytest.mark.parametrize(("name", "key"), [("camunda_two_pools.bpmn", "Process_apply"),
                                           ("signavio_descriptive.bpmn", "sid-inspection"),
                                           ("latin1_no_di.bpmn", "Prozess_Pruefung")])
def test_any_bpmn_file_imports_and_validation_names_its_problems(world: World, name: str, key: str) -> None:
    draft = drafts.import_file(world.db, name, (IMPORTS / name).read_bytes(), user_id=world.uid("admin"))
    assert draft.key == key and draft.main == name and draft.base_version is None
    problems = engine.validate_bundle(world.db, [(n, t.encode()) for n, t in draft.files.items()],
                                      user_id=world.uid("admin"))
    assert problems and all(p.message for p in problems)
    with pytest.raises(engine.DeployError):
        drafts.deploy(world.db, key, user_id=world.uid("admin"))
    assert drafts.load(world.db, key, user_id=world.uid("admin")).files == draft.files  # the draft stays


@pytest.mark.parametrize("content", [b"not xml", b"<html/>", b'<?xml version="1.0"?><!DOCTYPE x []><x/>'])
def test_what_is_not_bpmn_does_not_import(world: World, content: bytes) -> None:
    with pytest.raises(engine.InvalidData):
        drafts.import_file(world.db, "x.bpmn", content, user_id=world.uid("admin"))


def test_a_refused_deploy_keeps_the_live_version(world: World) -> None:
    admin = world.uid("admin")
    live = drafts.from_version(world.db, "pilot_lifecycle", 1, user_id=admin)
    assert live.saved_at is None and live.main == "pilot_lifecycle.bpmn"
    broken = dict(live.files)
    broken["pilot_lifecycle.bpmn"] = broken["pilot_lifecycle.bpmn"].replace('name="Province"', 'name="Nobody"')
    drafts.save(world.db, "pilot_lifecycle", broken, user_id=admin, base_version=1)
    with pytest.raises(engine.DeployError) as refused:
        drafts.deploy(world.db, "pilot_lifecycle", user_id=admin)
    assert {p.element for p in refused.value.problems} >= {"review_scheme"}
    row = engine.catalog.process(world.db, "pilot_lifecycle", user_id=admin)
    assert [v.number for v in row.versions] == [1] and row.draft is not None


def test_catalog_counts_versions_and_running_instances(world: World) -> None:
    admin = world.uid("admin")
    engine.start(world.db, "pilot_lifecycle", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    files = engine.read_paths([PROCESSES])
    changed = [(n, c.replace(b"Submit implementation scheme", b"Submit the scheme")) for n, c in files]
    engine.deploy(world.db, changed, user_id=admin)
    catalog = engine.catalog.list_processes(world.db, user_id=admin)
    row = next(p for p in catalog.processes if p.key == "pilot_lifecycle")
    assert [(v.number, v.running, v.deployed_by) for v in row.versions] == [(2, 0, "admin"), (1, 1, "admin")]
    assert row.live.number == 2 and row.running == 1 and "star_rating.dmn" in row.live.files
    assert engine.catalog.version_files(world.db, "pilot_lifecycle", 1, user_id=admin)[0][0]


def test_form_check_meta_validates_the_schema(world: World) -> None:
    admin = world.uid("admin")
    good = drafts.check_form(world.db, '{"type": "object", "properties": {"a": {"type": "string"}}}', "{}",
                             user_id=admin)
    assert good.problems == [] and good.schema is not None
    assert drafts.check_form(world.db, '{"type": "object"', "{}", user_id=admin).problems
    assert drafts.check_form(world.db, '{"type": "objekt"}', "{}", user_id=admin).problems
    assert drafts.check_form(world.db, '{"type": "string"}', "{}", user_id=admin).problems
    assert drafts.check_form(world.db, '{"type": "object"}', "[]", user_id=admin).problems
