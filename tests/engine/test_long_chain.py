"""Finding: a valid BPMN with a straight chain of ~480 steps was refused with a RecursionError
(SpiffWorkflow's parser recursed once per step). A long chain deploys and runs; a loop too long
for the parser is refused with a message naming the limit, never a crash."""
from __future__ import annotations

import pytest

import engine
from engine import bpmn_parser
from tests.engine.chain_bpmn import chain_bpmn
from tests.engine.chain_bpmn import loop_bpmn
from tests.helpers import World


@pytest.mark.parametrize("steps", [480, 1000])
def test_a_long_straight_chain_deploys_starts_and_runs(world: World, steps: int) -> None:
    deployed = engine.deploy(world.db, [("chain.bpmn", chain_bpmn(steps))], user_id=engine.SYSTEM)
    assert [d.key for d in deployed] == ["long_chain"]
    iid = engine.start(world.db, "long_chain", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    for step in range(1, 6):
        assert world.ready_ids(iid) == [f"s{step}"]
        world.do("city_a1", iid, f"s{step}", {})
    assert world.ready_ids(iid) == ["s6"] and world.instance_state(iid) == "running"
    # What the pages read of such an instance: the task page, the pilot page, the instance.
    task = world.task(iid, "s6")
    assert engine.dossier(world.db, task.id, user_id=world.uid("city_a1")) is not None
    assert engine.get_task(world.db, task.id, user_id=world.uid("city_a1")).task.id == task.id
    assert engine.pilots.pilot_page(world.db, world.pilots["A1"], user_id=world.uid("prov_a")) is not None
    assert engine.get_instance(world.db, iid, user_id=world.uid("admin")).state == "running"


def test_a_short_chain_runs_to_its_end(world: World) -> None:
    engine.deploy(world.db, [("chain.bpmn", chain_bpmn(3))], user_id=engine.SYSTEM)
    iid = engine.start(world.db, "long_chain", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    for step in range(1, 4):
        world.do("city_a1", iid, f"s{step}", {})
    assert world.instance_state(iid) == "completed"


def test_a_five_thousand_step_chain_passes_every_deploy_check(world: World) -> None:
    assert engine.validate_bundle(world.db, [("chain.bpmn", chain_bpmn(5000))], user_id=engine.SYSTEM) == []


def test_a_loop_back_over_a_moderate_chain_deploys_and_loops(world: World) -> None:
    engine.deploy(world.db, [("loop.bpmn", loop_bpmn(300))], user_id=engine.SYSTEM)
    iid = engine.start(world.db, "long_chain", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "s1", {})
    assert world.ready_ids(iid) == ["s2"]


def test_a_loop_too_long_for_the_parser_is_refused_with_the_limit_named(world: World) -> None:
    with pytest.raises(engine.DeployError) as refused:
        engine.deploy(world.db, [("loop.bpmn", loop_bpmn(1000))], user_id=engine.SYSTEM)
    messages = [p.message for p in refused.value.problems]
    assert messages == [bpmn_parser.LOOP_TOO_LONG] and f"about {bpmn_parser.MAX_LOOP} steps" in messages[0]
    assert all(d.key != "long_chain" for d in engine.list_definitions(world.db))
