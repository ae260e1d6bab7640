"""A valid BPMN process that is one straight chain of ``n`` user tasks (city lane), for tests that
a long chain deploys and runs."""
from __future__ import annotations


def chain_bpmn(n: int, process_id: str = "long_chain") -> bytes:
    steps = [f"s{i}" for i in range(1, n + 1)]
    nodes = ["start", *steps, "end"]
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in nodes)
    body = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i, step in enumerate(steps, start=1):
        body.append(f'<bpmn:userTask id="{step}" name="Step {i}"><bpmn:incoming>f{i - 1}</bpmn:incoming>'
                    f"<bpmn:outgoing>f{i}</bpmn:outgoing></bpmn:userTask>")
    body.append(f'<bpmn:endEvent id="end"><bpmn:incoming>f{n}</bpmn:incoming></bpmn:endEvent>')
    body += [f'<bpmn:sequenceFlow id="f{i}" sourceRef="{src}" targetRef="{dst}" />'
             for i, (src, dst) in enumerate(zip(nodes, nodes[1:], strict=False))]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            f'id="Defs_{process_id}" targetNamespace="http://schemeflow.test">'
            f'<bpmn:process id="{process_id}" name="Long chain" isExecutable="true">'
            f'<bpmn:laneSet id="ls"><bpmn:lane id="l_city" name="City">{refs}</bpmn:lane></bpmn:laneSet>'
            + "\n".join(body) + "</bpmn:process></bpmn:definitions>").encode()


def loop_bpmn(n: int) -> bytes:
    """The chain of ``n`` steps with a gateway after the last step that may go back to the first."""
    xml = chain_bpmn(n).decode()
    xml = xml.replace(f'<bpmn:endEvent id="end"><bpmn:incoming>f{n}</bpmn:incoming></bpmn:endEvent>',
                      f'<bpmn:exclusiveGateway id="gw" default="fend"><bpmn:incoming>f{n}</bpmn:incoming>'
                      '</bpmn:exclusiveGateway><bpmn:endEvent id="end"><bpmn:incoming>fend</bpmn:incoming>'
                      '</bpmn:endEvent><bpmn:sequenceFlow id="fend" sourceRef="gw" targetRef="end" />'
                      '<bpmn:sequenceFlow id="fback" sourceRef="gw" targetRef="s1"><bpmn:conditionExpression>'
                      "again == True</bpmn:conditionExpression></bpmn:sequenceFlow>")
    xml = xml.replace(f'sourceRef="s{n}" targetRef="end"', f'sourceRef="s{n}" targetRef="gw"')
    return xml.replace("<bpmn:flowNodeRef>end</bpmn:flowNodeRef>",
                       "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>").encode()
