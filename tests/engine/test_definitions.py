"""Deploying definitions: good bundles become numbered versions, bad ones are refused whole,
with every problem named (file, element, line), and the live version stays live."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select

import engine
from engine import definitions
from engine.models import ProcessVersion
from tests.conftest import DATA
from tests.helpers import World

FORM = json.dumps({"type": "object", "properties": {"ok": {"type": "boolean"}}}).encode()

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
<bpmn:process id="{pid}" isExecutable="true">"""


def bpmn(body: str, *, lane: str | None = "City", pid: str = "p", doctype: str = "", extra: str = "") -> bytes:
    """A process: start -> [task body] -> end, optionally inside one lane."""
    lanes = (f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="{lane}"><bpmn:flowNodeRef>t</bpmn:flowNodeRef>'
             f'</bpmn:lane></bpmn:laneSet>') if lane else ""
    return (HEAD.format(doctype=doctype, pid=pid) + lanes + f"""
<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
{body}
<bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
{extra}
</bpmn:process></bpmn:definitions>""").encode()


def user_task(form: str | None = "f-schema.json", inner: str = "") -> str:
    props = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
             f'name="formJsonSchemaFilename" value="{form}"/></spiffworkflow:properties></bpmn:extensionElements>'
             if form else "")
    return f'<bpmn:userTask id="t" name="Task">{props}{inner}<bpmn:incoming>f1</bpmn:incoming>' \
           f'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>'


def gateway_process(condition: str) -> bytes:
    """start -> t (user) -> gateway -(condition)-> end | default -> end."""
    extra = f"""<bpmn:exclusiveGateway id="g" default="d2"><bpmn:incoming>f2x</bpmn:incoming>
      <bpmn:outgoing>d1</bpmn:outgoing><bpmn:outgoing>d2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="d1" sourceRef="g" targetRef="e2">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="d2" sourceRef="g" targetRef="e2"/>
    <bpmn:endEvent id="e2"><bpmn:incoming>d1</bpmn:incoming><bpmn:incoming>d2</bpmn:incoming></bpmn:endEvent>"""
    return bpmn(user_task(), extra=extra)


def timer_process(expression: str) -> bytes:
    inner = ""
    extra = f"""<bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><bpmn:outgoing>bx</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent><bpmn:endEvent id="be"><bpmn:incoming>bx</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="bx" sourceRef="b" targetRef="be"/>"""
    return bpmn(user_task(inner=inner), extra=extra)


def script_process(script: str) -> bytes:
    body = f'<bpmn:scriptTask id="t"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>' \
           f'<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
    return bpmn(body, lane=None)


def deploy(world: World, content: bytes, *files: tuple[str, bytes],
           allow_scripts: bool = False) -> list[definitions.Deployed]:
    return engine.deploy(world.db, [("p.bpmn", content), ("f-schema.json", FORM), *files],
                         allow_scripts=allow_scripts, user_id=engine.SYSTEM)


def refused(world: World, content: bytes, *files: tuple[str, bytes], allow_scripts: bool = False) -> list[dict]:
    with pytest.raises(engine.DeployError) as err:
        deploy(world, content, *files, allow_scripts=allow_scripts)
    assert err.value.details, "a refusal lists its problems"
    return err.value.details


def versions(world: World) -> int:
    with world.db() as s:
        return s.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def test_it_numbers_versions_and_ignores_identical_bytes(world: World) -> None:
    first = deploy(world, bpmn(user_task()))
    again = deploy(world, bpmn(user_task()))
    changed = deploy(world, bpmn(user_task().replace('name="Task"', 'name="Task 2"')))
    assert [(d.key, d.version, d.created) for d in first + again + changed] == [
        ("p", 1, True), ("p", 1, False), ("p", 2, True)]


def test_a_bad_upload_leaves_the_live_version_live(world: World) -> None:
    deploy(world, bpmn(user_task()))
    before = versions(world)
    refused(world, b"<bpmn:definitions")
    refused(world, bpmn(user_task(), lane="Nowhere"))
    assert versions(world) == before
    iid = engine.start(world.db, "p", user_id=world.uid("admin"), pilot_id=world.pilots["A1"])
    assert engine.get_instance(world.db, iid, user_id=world.uid("admin")).version == 1


def test_invalid_xml_names_the_line(world: World) -> None:
    details = refused(world, b'<?xml version="1.0"?>\n<a>\n<b></a>')
    assert details[0]["file"] == "p.bpmn" and details[0]["line"] == 3
    assert "well-formed" in details[0]["message"]


def test_xxe_reading_a_local_file_is_refused(world: World, tmp_path: object) -> None:
    before = versions(world)
    secret = "SECRET-" + "x" * 8
    path = f"{tmp_path}/secret.txt"
    with open(path, "w") as fh:
        fh.write(secret)
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{path}">]>\n'
    content = bpmn(user_task(inner="<bpmn:documentation>&xxe;</bpmn:documentation>"), doctype=doctype)
    details = refused(world, content)
    assert "DOCTYPE" in details[0]["message"]
    assert secret not in json.dumps(details)
    assert versions(world) == before


def test_billion_laughs_is_refused(world: World) -> None:
    before = versions(world)
    ents = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE bpmn:definitions [{ents}]>\n"
    details = refused(world, bpmn(user_task(inner="<bpmn:documentation>&lol9;</bpmn:documentation>"), doctype=doctype))
    assert details and versions(world) == before


@pytest.mark.parametrize("lane", [None, "Expert"])
def test_a_user_task_outside_a_role_lane_is_refused_by_name(world: World, lane: str | None) -> None:
    details = refused(world, bpmn(user_task(), lane=lane))
    assert details[0]["element"] == "t" and details[0]["line"]
    assert ("outside any lane" if lane is None else "'Expert'") in details[0]["message"]


def test_a_missing_form_is_refused_by_name(world: World) -> None:
    with pytest.raises(engine.DeployError) as err:
        engine.deploy(world.db, [("p.bpmn", bpmn(user_task("nope-schema.json")))], user_id=engine.SYSTEM)
    assert err.value.details[0]["element"] == "t" and "nope-schema.json" in err.value.details[0]["message"]


def test_an_invalid_json_schema_form_is_refused(world: World) -> None:
    bad = json.dumps({"type": "object", "properties": {"x": {"type": "nonsense"}}}).encode()
    with pytest.raises(engine.DeployError) as err:
        engine.deploy(world.db, [("p.bpmn", bpmn(user_task())), ("f-schema.json", bad)], user_id=engine.SYSTEM)
    assert err.value.details[0]["file"] == "f-schema.json" and "invalid JSON Schema" in err.value.details[0]["message"]


def test_ids_names_and_file_names_too_long_to_store_are_refused(world: World) -> None:
    """The database holds 200 characters (PostgreSQL enforces it): longer is a deploy problem."""
    before = versions(world)
    long_id = refused(world, bpmn(user_task(), pid="p" * 201))
    assert "id is longer than 200 characters" in long_id[0]["message"] and long_id[0]["line"]
    long_name = refused(world, bpmn(user_task()).replace(b'<bpmn:process id="p"',
                                                        b'<bpmn:process id="p" name="' + b"n" * 201 + b'"'))
    assert long_name[0]["element"] == "p" and "process name is longer" in long_name[0]["message"]
    with pytest.raises(engine.DeployError) as err:
        engine.deploy(world.db, [("p.bpmn", bpmn(user_task())), ("f-schema.json", FORM), ("x" * 201 + ".json", FORM)],
                      user_id=engine.SYSTEM)
    assert "file name is longer than 200 characters" in err.value.details[0]["message"]
    assert versions(world) == before
    deploy(world, bpmn(user_task(), pid="p" * 200))  # exactly at the limit is fine


def test_every_problem_is_listed_at_once(world: World) -> None:
    details = refused(world, gateway_process("__import__('os')").replace(b'value="f-schema.json"', b'value="x.json"'))
    assert {d["element"] for d in details} == {"t", "d1"}  # the missing form and the bad condition
    assert any("x.json" in d["message"] for d in details)


def test_script_tasks_are_refused_unless_allowed(world: World) -> None:
    details = refused(world, script_process("x = 1"))
    assert details[0]["element"] == "t" and "disabled" in details[0]["message"]
    assert deploy(world, script_process("x = 1"), allow_scripts=True)[0].version == 1


ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "'{0.__class__.__mro__}'.format(1)",
    "[g.gi_frame.f_back for g in [(i for i in [1])]]",
    "__import__('os').system('id')",
    "open('/etc/passwd').read()",
    "10**10**8",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escapes_in_conditions_are_refused(world: World, expression: str) -> None:
    details = refused(world, gateway_process(expression.replace("<", "&lt;")))
    assert {d["element"] for d in details} == {"d1"}


@pytest.mark.parametrize("expression", ESCAPES)
def test_escapes_in_timers_are_refused(world: World, expression: str) -> None:
    details = refused(world, timer_process(expression))
    assert {d["element"] for d in details} == {"b"}


@pytest.mark.parametrize("script", [*ESCAPES, "while True:\n    pass"])
def test_escapes_in_scripts_are_refused_even_when_scripts_are_allowed(world: World, script: str) -> None:
    details = refused(world, script_process(script), allow_scripts=True)
    assert {d["element"] for d in details} == {"t"}


def test_missing_called_process_and_decision_are_named(world: World) -> None:
    body = ('<bpmn:callActivity id="t" calledElement="ghost"><bpmn:incoming>f1</bpmn:incoming>'
            '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>')
    details = refused(world, bpmn(body, lane=None))
    assert details[0]["element"] == "t" and "ghost" in details[0]["message"]
    body = ('<bpmn:businessRuleTask id="t"><bpmn:extensionElements><spiffworkflow:calledDecisionId>nodecision'
            '</spiffworkflow:calledDecisionId></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming>'
            '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>')
    details = refused(world, bpmn(body, lane=None))
    assert details[0]["element"] == "t" and "nodecision" in details[0]["message"]


def test_parser_crashes_become_clean_errors(world: World) -> None:
    # A sequence flow to a node that does not exist: SpiffWorkflow's parser trips over it.
    details = refused(world, bpmn(user_task(), extra='<bpmn:sequenceFlow id="f9" sourceRef="t" targetRef="ghost"/>'))
    assert details[0]["file"] == "p.bpmn" and details[0]["message"]


def test_the_shipped_processes_deploy(world: World) -> None:
    keys = {d.key for d in engine.list_definitions(world.db)}
    assert {"pilot_lifecycle", "provincial_summary"} <= keys


def test_the_contract_example_deploys(world: World) -> None:
    files = definitions.read_paths([DATA / "two_step.bpmn", DATA / "submit-schema.json", DATA / "review-schema.json"])
    assert [d.key for d in engine.deploy(world.db, files, user_id=engine.SYSTEM)] == ["two_step"]
