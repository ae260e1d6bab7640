"""BPMN/DMN expressions and scripts run in our allow-listed interpreter: never eval/exec, always bounded."""
from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.expressions import DEFAULT_FUNCTIONS
from engine.expressions import FUNCTIONS
from engine.expressions import ExpressionError
from engine.expressions import LimitExceeded
from engine.expressions import Limits
from engine.expressions import SafeEnvironment
from engine.expressions import check
from engine.expressions import domain
from engine.expressions import evaluate
from engine.expressions import execute
from engine.expressions.environment import SCRIPT_LIMITS

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "[].__class__",
    "x.__class__.__init__.__globals__",
    'getattr(x, "__class__")',
    '"{0.__class__.__mro__}".format(x)',
    '"{x.__class__}".format_map(d)',
    '__import__("string").Formatter().vformat("{0.__class__}", [x], {})',
    "(x for x in [1]).gi_frame.f_back.f_globals",
    "[g.gi_frame for g in [(i for i in [])]]",
    "__import__('os').system('touch MARKER')",
    "open('/etc/passwd').read()",
    "open('MARKER', 'w')",
    "exec(\"open('MARKER', 'w')\")",
    "eval(\"__import__('os').system('touch MARKER')\")",
    'compile("1", "f", "eval")',
    "globals()",
    "vars()",
    "breakpoint()",
    "type(x)",
    "(lambda: 1)()",
    "[y := 1]",
    "x.upper",
    "d.__getitem__('x')",
    "f\"{x!r}\"",
    "f\"{x!r:{'>'}{10**9}}\"",
    "f\"{x:>{10**9}}\"",
    '"x".ljust(10**10)',
    '"%s" % x',
    "b'bytes'",
]

SCRIPT_ESCAPES = [
    "import os\nos.system('touch MARKER')",
    "from os import system",
    "def f():\n    return 1",
    "class A:\n    pass",
    "with open('MARKER', 'w') as f:\n    pass",
    "try:\n    pass\nexcept Exception:\n    pass",
    "raise ValueError('x')",
    "global x",
    "x: int = 1",
    "del x",
    "d.x = 1",
    "assert x",
    "return 1",
    "items[0:1] = [1, 2]",
]

BOMBS = [
    "10**10**8",
    '"a"*10**10',
    "[0]*10**9",
    '"a".replace("a", "a"*100000).replace("a", "a"*100000)',
    "1 << 10**9",
    "range(10**10)",
    "[[0]*100000]*100000",
    "str([[0]*1000]*1000)",
    "round(1, -10**9)",
]


def names_for(marker: Path) -> dict[str, Any]:
    return {"x": "text", "d": {"x": 1}, "items": [1, 2, 3], "marker": str(marker)}


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER"


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_in_expressions_are_refused_by_check_and_by_evaluate(source: str, marker: Path) -> None:
    source = source.replace("MARKER", str(marker))
    assert check(source) != []
    with pytest.raises(ExpressionError):
        evaluate(source, names_for(marker))
    assert not marker.exists()


@pytest.mark.parametrize("source", SCRIPT_ESCAPES)
def test_escape_attempts_in_scripts_are_refused_by_check_and_by_execute(source: str, marker: Path) -> None:
    source = source.replace("MARKER", str(marker))
    names = names_for(marker)
    assert check(source, mode="exec") != []
    with pytest.raises(ExpressionError):
        execute(source, names)
    assert not marker.exists()
    assert names == names_for(marker)


def test_problems_name_the_line_and_the_refused_construct() -> None:
    problems = check("total = 1\nimport os", mode="exec")
    assert problems == ["line 2: import is not allowed"]
    assert check("x.ljust(10)") == ["line 1: '.ljust' is not an allowed method call"]


def test_an_allowed_method_name_on_the_wrong_type_is_refused_at_run_time(marker: Path) -> None:
    assert check('x.get("a")') == []  # check cannot know that x is a str
    with pytest.raises(ExpressionError, match="'get' is not allowed on str"):
        evaluate('x.get("a")', names_for(marker))


def test_objects_other_than_plain_data_expose_no_methods_at_all(marker: Path) -> None:
    class Sneaky:
        def keys(self) -> None:
            marker.touch()

    with pytest.raises(ExpressionError, match="not allowed on Sneaky"):
        evaluate("obj.keys()", {"obj": Sneaky()})
    assert not marker.exists()


def test_callables_found_in_task_data_can_never_be_called(marker: Path) -> None:
    names = {"f": lambda *args: marker.touch(), "items": [2, 1]}
    for source in ("f(1)", "sorted(items, key=f)", "max(items, key=f)", "items.sort(key=f)"):
        with pytest.raises(ExpressionError):
            evaluate(source, names)
    assert not marker.exists()


@pytest.mark.parametrize("source", BOMBS)
def test_resource_bombs_are_refused_at_deploy_and_stop_fast_at_run_time(source: str) -> None:
    assert check(source) != []
    started = time.process_time()  # the CPU it burnt, not the wall clock of a busy machine
    with pytest.raises(LimitExceeded):
        evaluate(source, {})
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize("source", [
    "text * n", "items * n", "base ** n", "1 << n", "range(n)", 'text.replace("a", text)',
    '"-".join([text] * 1000)', "str([items] * 100000)", 'f"{[text] * 10}"', "items + items * 99999",
])
def test_bombs_hidden_behind_task_data_pass_check_but_stop_at_run_time(source: str) -> None:
    names = {"text": "a" * 50_000, "items": [1, 2], "n": 10**10, "base": 10}
    assert check(source) == []
    with pytest.raises(LimitExceeded):
        evaluate(source, names)


@pytest.mark.parametrize("script", [
    "a = list(range(100000))\nb = [a]\nfor i in range(20):\n    b = b + b",  # aliases: short list, huge deep size
    "a = []\nfor i in range(100000):\n    a.append([0] * 1000)",
    "a = []\nfor i in range(1000):\n    a = [a]",  # nesting that JSON and deepcopy cannot handle
    "a = []\na.append(a)",  # a cycle
    "d = {}\nd['self'] = d",
])
def test_scripts_cannot_build_huge_deep_or_cyclic_data(script: str) -> None:
    names: dict[str, Any] = {}
    assert check(script, mode="exec") == []
    started = time.monotonic()
    with pytest.raises(LimitExceeded):
        execute(script, names, SCRIPT_LIMITS)
    assert time.monotonic() - started < 2.5


def test_printf_style_string_formatting_is_refused_even_with_a_format_from_task_data() -> None:
    assert check('"%*d" % (n, 1)') == ["line 1: '%' string formatting is not allowed; use an f-string"]
    assert check("fmt % (n, 1)") == []
    with pytest.raises(ExpressionError, match="'%' string formatting"):
        evaluate("fmt % (n, 1)", {"fmt": "%*d", "n": 10**9})
    assert evaluate("n % 7", {"n": 10}) == 3


def test_break_outside_a_loop_is_flagged_by_check_and_refused_by_execute() -> None:
    assert check("if x:\n    break", mode="exec") == ["line 2: 'break'/'continue' outside a loop"]
    with pytest.raises(ExpressionError, match="outside a loop"):
        execute("if x:\n    break", {"x": True})


def test_an_endless_while_loop_is_flagged_by_check() -> None:
    assert check("while True:\n    pass", mode="exec") == [
        "line 1: endless loop: the 'while' condition is always true and the body has no 'break'"]
    assert check("while 1 == 1:\n    if done:\n        break", mode="exec") == []


def test_an_endless_loop_that_bypassed_check_stops_at_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="longer than 0.2 s"):
        execute("while True:\n    pass", {}, Limits(max_steps=10**12, max_seconds=0.2))
    assert time.monotonic() - started < 1.0


def test_a_long_loop_stops_at_the_step_budget() -> None:
    source = "x = 0\nwhile x < 10**9:\n    x += 1"
    assert check(source, mode="exec") == []
    names: dict[str, Any] = {}
    with pytest.raises(LimitExceeded, match="steps") as raised:
        execute(source, names)
    assert raised.value.lineno is not None
    assert 0 < names["x"] < 100_000


@pytest.mark.parametrize(("source", "expected"), [
    ('decision == "approve"', True),
    ("score >= 80 and not rejected", True),
    ("len(projects) > 0", True),
    ('sum(p["amount"] for p in projects)', 350),
    ('data.get("x", 0) + 1', 1),
    ('(score) == ("a")', False),
    ("score>= 80", True),
    ("70 < score <= 90", True),
    ('"P" + str(days) + "D"', "P5D"),
    ('f"{days} days"', "5 days"),
    ('[p["name"] for p in projects if p["amount"] > 100]', ["b"]),
    ('{p["name"]: p["amount"] for p in projects}', {"a": 100, "b": 250}),
    ("sorted(data.keys())", []),
    ('"Yes" if score > 50 else "No"', "Yes"),
    ('decision.upper().startswith("APP")', True),
    ("projects[-1]['name']", "b"),
    ("decision[:3]", "app"),
    ("max(p['amount'] for p in projects)", 250),
    ("list(enumerate(['a', 'b'], 1))", [(1, "a"), (2, "b")]),
    ("dmninputexpr >= 80", True),
    ("rejected or None", None),
])
def test_ordinary_conditions_evaluate_like_python(source: str, expected: Any) -> None:
    names = {"decision": "approve", "score": 85, "rejected": False, "days": 5, "data": {},
             "projects": [{"name": "a", "amount": 100}, {"name": "b", "amount": 250}], "dmninputexpr": 90}
    assert check(source) == []
    assert evaluate(source, names) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("duration_days(days)", "P5D"),
    ('add_days("2026-11-30", 2)', "2026-12-02"),
    ('add_days("2026-11-30T09:00:00+08:00", 1)', "2026-12-01T09:00:00+08:00"),
    ("date_at(2026, 3, 1)", "2026-03-01T00:00:00+08:00"),
])
def test_programme_functions_evaluate_through_the_environment(source: str, expected: Any) -> None:
    assert check(source) == []
    assert SafeEnvironment().evaluate(source, {"days": 5}) == expected


def test_the_environment_adds_the_programme_functions_to_the_builtins_and_shadows_none() -> None:
    assert not DEFAULT_FUNCTIONS.keys() & domain.NAMES
    assert set(FUNCTIONS) == DEFAULT_FUNCTIONS.keys() | domain.NAMES
    with pytest.raises(ExpressionError, match="unknown function 'today'"):
        evaluate("today()", {})  # the sandbox alone knows only the generic builtins


def test_whitespace_around_an_expression_from_xml_is_ignored() -> None:
    assert check("\n    score >= 80\n  ") == []
    assert evaluate("\n    score >= 80\n  ", {"score": 80}) is True


def test_data_errors_become_readable_expression_errors() -> None:
    with pytest.raises(ExpressionError, match="name 'missing' is not defined"):
        evaluate("missing > 1", {})
    with pytest.raises(ExpressionError, match="KeyError") as raised:
        evaluate('(1 +\n d["nope"])', {"d": {}})
    assert str(raised.value) == "line 2: KeyError: 'nope'"
    assert raised.value.source == '(1 +\n d["nope"])'


def test_date_helpers_read_the_injectable_clock_in_china_time() -> None:
    env = SafeEnvironment()
    with clock.frozen_at(datetime(2027, 12, 31, 17, 0, 0, 123, tzinfo=UTC)):
        assert env.evaluate("now()", {}) == "2027-12-31T17:00:00+00:00"
        assert env.evaluate("today()", {}) == "2028-01-01"
        assert env.evaluate("current_year()", {}) == 2028
        assert env.evaluate("year_end()", {}) == "2028-12-31T23:59:59+08:00"
        assert env.evaluate("year_end(2026)", {}) == "2026-12-31T23:59:59+08:00"


def test_default_functions_return_plain_values_not_iterators() -> None:
    assert evaluate("reversed([1, 2])", {}) == [2, 1]
    assert evaluate("zip([1], [2])", {}) == [(1, 2)]
    assert evaluate("range(3)", {}) == [0, 1, 2]
    assert evaluate("d.items()", {"d": {"a": 1}}) == [("a", 1)]
    assert "isinstance" not in DEFAULT_FUNCTIONS
    with pytest.raises(ExpressionError, match="only adds numbers"):
        evaluate("sum([[1], [2]], [])", {})


def test_scripts_mutate_the_task_data_they_are_given() -> None:
    script = (
        "approved = []\n"
        "total = 0\n"
        "for p in projects:\n"
        "    if not p['ok']:\n"
        "        continue\n"
        "    approved.append(p['name'])\n"
        "    total += p['amount']\n"
        "summary = {'count': len(approved), 'total': total}\n"
        "summary['names'] = [n.upper() for n in approved]\n"
        "first, second = approved\n"
        "del projects[0]\n"
    )
    names: dict[str, Any] = {"projects": [{"name": "a", "ok": True, "amount": 1},
                                          {"name": "b", "ok": False, "amount": 2},
                                          {"name": "c", "ok": True, "amount": 3}]}
    assert check(script, mode="exec") == []
    execute(script, names)
    assert names["summary"] == {"count": 2, "total": 4, "names": ["A", "C"]}
    assert (names["first"], names["second"]) == ("a", "c")
    assert [p["name"] for p in names["projects"]] == ["b", "c"]
    assert "n" not in names  # comprehension variables stay local


def test_the_same_expression_is_parsed_once() -> None:
    from engine.expressions.rules import _compile

    _compile.cache_clear()
    for score in range(50):
        evaluate("score >= 80", {"score": score})
    assert _compile.cache_info().misses == 1


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


def test_given_functions_are_callable_and_check_knows_exactly_the_environments() -> None:
    functions = {"double": lambda n: n * 2}
    assert evaluate("double(n)", {"n": 4}, functions=functions) == 8
    assert check("double(n)") == ["line 1: unknown function 'double'"]
    assert not [problem for name in FUNCTIONS for problem in check(f"{name}()") if "unknown function" in problem]
