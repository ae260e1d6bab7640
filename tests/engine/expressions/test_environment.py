"""SpiffWorkflow's script environment: gateways, script tasks and services go through the safe interpreter."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.expressions import ExpressionError
from engine.expressions import SafeEnvironment

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://schemeflow.test">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="decide" default="to_revise">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>to_approve</bpmn:outgoing><bpmn:outgoing>to_revise</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="tally"><bpmn:incoming>to_approve</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>total = sum(p["amount"] for p in projects)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="approved"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="revise"><bpmn:incoming>to_revise</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide" />
    <bpmn:sequenceFlow id="to_approve" sourceRef="decide" targetRef="tally">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "approve" and score &gt;= 80
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_revise" sourceRef="decide" targetRef="revise" />
    <bpmn:sequenceFlow id="f3" sourceRef="tally" targetRef="approved" />
    <bpmn:sequenceFlow id="f4" sourceRef="approved" targetRef="end" />
    <bpmn:sequenceFlow id="f5" sourceRef="revise" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def run_review(data: dict[str, Any], environment: SafeEnvironment) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    wf = BpmnWorkflow(parser.get_spec("proc"))
    wf.script_engine = PythonScriptEngine(environment=environment)
    wf.do_engine_steps()
    [review] = wf.get_tasks(state=TaskState.READY, manual=True)
    review.data.update(data)
    review.run()
    wf.do_engine_steps()
    return wf


def ready_task_names(wf: BpmnWorkflow) -> list[str]:
    return [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)]


@pytest.mark.parametrize(("decision", "score", "branch"), [
    ("revise", 90, "revise"),
    ("approve", 50, "revise"),
])
def test_spiffworkflow_gateway_conditions_go_through_the_safe_environment(
        decision: str, score: int, branch: str) -> None:
    wf = run_review({"decision": decision, "score": score, "projects": []}, SafeEnvironment())
    assert ready_task_names(wf) == [branch]


def test_a_deployed_script_task_runs_through_the_safe_environment() -> None:
    data = {"decision": "approve", "score": 90, "projects": [{"amount": 2}, {"amount": 3}]}
    wf = run_review(data, SafeEnvironment())
    [approved] = wf.get_tasks(state=TaskState.READY, manual=True)
    assert approved.task_spec.name == "approved"
    assert approved.data["total"] == 5


def test_an_escape_in_a_gateway_condition_fails_the_step_without_running(marker: Path) -> None:
    bpmn = BPMN.replace('decision == "approve" and score &gt;= 80',
                        f"__import__('os').system('touch {marker}') == 0")
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode())
    wf = BpmnWorkflow(parser.get_spec("proc"), script_engine=PythonScriptEngine(environment=SafeEnvironment()))
    wf.do_engine_steps()
    wf.get_tasks(state=TaskState.READY, manual=True)[0].run()
    with pytest.raises(SpiffWorkflowException, match="Error evaluating expression") as raised:
        wf.do_engine_steps()
    assert isinstance(raised.value.__context__, ExpressionError)  # SpiffWorkflow keeps ours as the context
    assert "not an allowed method" in str(raised.value.__context__)
    assert not marker.exists()


def test_environment_evaluate_sees_external_context_under_task_data() -> None:
    env = SafeEnvironment()
    assert env.evaluate("dmninputexpr > limit", {"limit": 5}, {"dmninputexpr": 7, "limit": 100}) is True


def test_environment_execute_writes_to_task_data_only() -> None:
    env, context = SafeEnvironment(), {"a": 1}
    assert env.execute("b = a + extra", context, {"extra": 10}) is True
    assert context == {"a": 1, "b": 11}


def test_environment_calls_only_registered_services_and_returns_json() -> None:
    env = SafeEnvironment(services={"echo": lambda params: {"got": params}})
    result = env.call_service({}, operation_name="echo", operation_params={"year": {"value": 2026, "type": "int"}})
    assert result == '{"got": {"year": 2026}}'
    with pytest.raises(ExpressionError, match="unknown service operator 'os.system'"):
        env.call_service({}, operation_name="os.system", operation_params={})
