"""A new process as it opens in the editor: runnable at once. One pool with a City lane, a start
event, one user task with its form (JSON Schema and UI schema, written alongside), an end event."""
from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

TASK_ID = "first_task"

_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{key}_definitions" \
targetNamespace="http://schemeflow.example/bpmn" exporter="schemeflow" exporterVersion="1">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_participant" name={name} processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name={name} isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="{key}_lane_city" name="City">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>{task}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>flow_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="{task}" name={task_name}>
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{schema}" />
          <spiffworkflow:property name="formUiSchemaFilename" value="{ui}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_start</bpmn:incoming>
      <bpmn:outgoing>flow_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>flow_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="{task}" />
    <bpmn:sequenceFlow id="flow_end" sourceRef="{task}" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_participant_di" bpmnElement="{key}_participant" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{key}_lane_city_di" bpmnElement="{key}_lane_city" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{task}_di" bpmnElement="{task}"><dc:Bounds x="330" y="140" width="120" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="552" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_di" bpmnElement="flow_start">
        <di:waypoint x="248" y="180" /><di:waypoint x="330" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="flow_end_di" bpmnElement="flow_end">
        <di:waypoint x="450" y="180" /><di:waypoint x="552" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def files(key: str, name: str, task_name: str, field_label: str) -> dict[str, str]:
    """The files of a new process ``key``: its BPMN and its first task's form."""
    schema, ui = f"{key}-{TASK_ID}-schema.json", f"{key}-{TASK_ID}-uischema.json"
    bpmn = _BPMN.format(key=key, name=quoteattr(name), task=TASK_ID, task_name=quoteattr(task_name),
                        schema=schema, ui=ui)
    form = {"type": "object", "required": ["summary"],
            "properties": {"summary": {"type": "string", "title": field_label, "maxLength": 2000}}}
    ui_schema = {"ui:order": ["summary"], "summary": {"ui:widget": "textarea"}}
    return {f"{key}.bpmn": bpmn, schema: json.dumps(form, ensure_ascii=False, indent=2) + "\n",
            ui: json.dumps(ui_schema, ensure_ascii=False, indent=2) + "\n"}
