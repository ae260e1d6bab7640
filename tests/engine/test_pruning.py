"""Pruning keeps long-running instances small and alive without changing what they do."""
from __future__ import annotations

import json

import engine
from engine import pruning
from engine import state
from engine.models import Instance
from tests.helpers import World


def revise(world: World, iid: int, rounds: int) -> None:
    for n in range(rounds):
        for user, bpmn_id, data in (("city_a1", "submit", {"summary": f"version {n}"}),
                                    ("prov_a", "review", {"decision": "revise", "comment": "again"})):
            engine.complete(world.db, world.task(iid, bpmn_id).id, user_id=world.uid(user), data=data)


def stored(world: World, iid: int) -> Instance:
    with world.db() as s:
        instance = s.get(Instance, iid)
        assert instance is not None
        return instance


def test_a_revision_loop_runs_past_spiffworkflows_depth_limit_with_a_bounded_state(two_step: World) -> None:
    # Unpruned, this loop's state grows ~2.4 KB per round and SpiffWorkflow fails at round 247.
    iid = engine.start(two_step.db, "two_step", user_id=two_step.uid("prov_a"), pilot_id=two_step.pilots["A1"])
    revise(two_step, iid, 5)
    early = len(stored(two_step, iid).workflow_json)
    revise(two_step, iid, 255)
    instance = stored(two_step, iid)
    assert len(instance.workflow_json) < early * 1.2
    task = two_step.task(iid, "submit")
    assert task.round == 261
    engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "final version"})
    engine.complete(two_step.db, two_step.task(iid, "review").id, user_id=two_step.uid("prov_a"),
                    data={"decision": "approve"})
    assert two_step.instance_state(iid) == "completed"
    assert {"submit", "review", "decide", "approved", "start"} <= set(stored(two_step, iid).visited or [])


def test_pruning_keeps_what_waiting_tasks_need(two_step: World) -> None:
    iid = engine.start(two_step.db, "two_step", user_id=two_step.uid("prov_a"), pilot_id=two_step.pilots["A1"])
    revise(two_step, iid, 3)
    with two_step.db() as s:
        instance = s.get(Instance, iid)
        assert instance is not None
        wf = state.restore(instance)
    assert pruning.prune(wf) == set()  # saving already pruned everything prunable
    root = wf.task_tree
    # Only the last completed review (the step an admin may send back to), the split above the
    # ready task and its waiting reminder stay, under the root.
    (cut,) = root.children
    assert cut.task_spec.name == "review"
    (split,) = cut.children[0].children  # review → decide → the split
    assert split.task_spec.name == "submit.BoundaryEventSplit"
    assert sorted(c.task_spec.name for c in split.children) == ["remind", "submit"]
    waiting = [e.event_type for e in wf.waiting_events()]
    assert waiting == ["DurationTimerEventDefinition"]  # the reminder on the ready submit task survives
    assert json.loads(instance.workflow_json)["root"] == str(root.id)


LOOPING_TASK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="add_projects" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="City">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>add</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="add" name="Add a major project">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="project-schema.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:standardLoopCharacteristics testBefore="false">
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">another</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="add"/>
    <bpmn:sequenceFlow id="f2" sourceRef="add" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""
PROJECT_FORM = json.dumps({"type": "object", "required": ["name", "another"], "properties": {
    "name": {"type": "string"}, "another": {"type": "boolean"}}}).encode()


def test_a_user_task_that_loops_on_itself_numbers_its_rounds(world: World) -> None:
    engine.deploy(world.db, [("add_projects.bpmn", LOOPING_TASK), ("project-schema.json", PROJECT_FORM)],
                  user_id=engine.SYSTEM)
    iid = engine.start(world.db, "add_projects", user_id=world.uid("city_a1"), pilot_id=world.pilots["A1"])
    rounds = []
    for n, another in enumerate([True, True, False]):
        task = world.task(iid, "add")
        rounds.append(task.round)
        engine.complete(world.db, task.id, user_id=world.uid("city_a1"), data={"name": f"P{n}", "another": another})
    assert rounds == [1, 2, 3]
    assert world.instance_state(iid) == "completed"


PARALLEL_REVIEWS = LOOPING_TASK.replace(
    b"""<bpmn:standardLoopCharacteristics testBefore="false">
        <bpmn:loopCondition xsi:type="bpmn:tFormalExpression">another</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>""",
    b"""<bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>""")


def test_parallel_instances_of_one_step_share_their_round(world: World) -> None:
    engine.deploy(world.db, [("add_projects.bpmn", PARALLEL_REVIEWS), ("project-schema.json", PROJECT_FORM)],
                  user_id=engine.SYSTEM)
    iid = engine.start(world.db, "add_projects", user_id=world.uid("city_a1"), pilot_id=world.pilots["A1"])
    offered = world.ready(iid)
    assert [t.round for t in offered] == [1, 1, 1]
    for n, task in enumerate(offered):
        engine.complete(world.db, task.id, user_id=world.uid("city_a1"), data={"name": f"P{n}", "another": False})
    assert world.instance_state(iid) == "completed"
