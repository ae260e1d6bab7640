"""Small BPMN processes written for the migration and send-back tests: a chain of user tasks,
optionally with a timer on a step, a step that is a multi-instance or a call activity. Each call
builds the XML of one version; deploying several in turn makes versions 1, 2, 3 …"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import engine

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{key}" '
        'targetNamespace="http://schemeflow.test">\n')


@dataclass
class Version:
    """A process ``key``: start → steps (id, lane) in order → end."""

    key: str
    steps: list[tuple[str, str]]
    timers: dict[str, tuple[str, bool]] = field(default_factory=dict)  # step → (ISO duration, interrupting)
    multi: dict[str, int] = field(default_factory=dict)  # step → parallel instances
    calls: set[str] = field(default_factory=set)  # steps that call the process "child"
    names: dict[str, str] = field(default_factory=dict)
    title: str | None = None  # the process's name (its key when none)

    def xml(self) -> bytes:
        lanes: dict[str, list[str]] = {}
        nodes, flows = [], []
        chain = ["start", *[s for s, _ in self.steps], "end"]
        lanes.setdefault(self.steps[0][1], []).extend(["start", "end"])  # events in the first lane
        for step, lane in self.steps:
            lanes.setdefault(lane, []).append(step)
            nodes.append(self._node(step))
            if step in self.timers:
                duration, interrupting = self.timers[step]
                lanes[lane] += [f"{step}_timer", f"{step}_late"]
                nodes.append(f'<bpmn:boundaryEvent id="{step}_timer" name="{step} timer" attachedToRef="{step}" '
                             f'cancelActivity="{str(interrupting).lower()}"><bpmn:outgoing>{step}_tf</bpmn:outgoing>'
                             f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
                             f'"{duration}"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                             f'<bpmn:endEvent id="{step}_late"/>')
                flows.append(f'<bpmn:sequenceFlow id="{step}_tf" sourceRef="{step}_timer" targetRef="{step}_late"/>')
        nodes.insert(0, '<bpmn:startEvent id="start"/>')
        nodes.append('<bpmn:endEvent id="end"/>')
        for a, b in zip(chain, chain[1:], strict=False):
            flows.append(f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>')
        lane_xml = "".join(f'<bpmn:lane id="lane_{name}" name="{name}">'
                           + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in members) + "</bpmn:lane>"
                           for name, members in lanes.items())
        body = (f'<bpmn:process id="{self.key}" name="{self.title or self.key}" isExecutable="true">'
                f'<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>{"".join(nodes)}{"".join(flows)}</bpmn:process>')
        return (HEAD.format(key=self.key) + body + (CHILD if self.calls else "") + "</bpmn:definitions>").encode()

    def _node(self, step: str) -> str:
        name = self.names.get(step, step)
        if step in self.calls:
            return f'<bpmn:callActivity id="{step}" name="{name}" calledElement="child"/>'
        inner = ""
        if step in self.multi:
            inner = (f"<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{self.multi[step]}"
                     "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>")
        return f'<bpmn:userTask id="{step}" name="{name}">{inner}</bpmn:userTask>'

    def deploy(self, db: object) -> int:
        deployed = engine.deploy(db, [(f"{self.key}.bpmn", self.xml())], user_id=engine.SYSTEM)  # type: ignore[arg-type]
        return deployed[0].version


CHILD = ('<bpmn:process id="child" name="child" isExecutable="true"><bpmn:laneSet id="cls">'
         '<bpmn:lane id="child_lane" name="City"><bpmn:flowNodeRef>cstart</bpmn:flowNodeRef>'
         '<bpmn:flowNodeRef>child_task</bpmn:flowNodeRef><bpmn:flowNodeRef>cend</bpmn:flowNodeRef></bpmn:lane>'
         '</bpmn:laneSet><bpmn:startEvent id="cstart"/><bpmn:userTask id="child_task" name="child task"/>'
         '<bpmn:endEvent id="cend"/><bpmn:sequenceFlow id="cf1" sourceRef="cstart" targetRef="child_task"/>'
         '<bpmn:sequenceFlow id="cf2" sourceRef="child_task" targetRef="cend"/></bpmn:process>')
