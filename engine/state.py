"""Serialized workflow state: the spec once per version, instance state without the spec.

SpiffWorkflow's serializer writes the whole spec into every instance blob. We store the spec
once per deployed version (``ProcessVersion.spec_json``), keep restored spec objects in a small
cache keyed by the immutable version id, and serialize instances without them. State written by
an older serializer is reassembled with its spec and migrated by SpiffWorkflow's own migrations.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine import spiff_predict

if TYPE_CHECKING:
    from engine.models import Instance
    from engine.models import ProcessVersion

SERIALIZER_VERSION: str = VERSION
spiff_predict.install()  # before any workflow is made: long chains predict without recursion
Specs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


class _StateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Converts a top-level workflow without its spec and subprocess specs."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], specs: Specs | None = None) -> BpmnWorkflow:
        if specs is None:  # a migrated full dict carries its own specs
            specs = (self.registry.restore(dct.pop("spec")),
                     self.mapping_from_dict(dct.pop("subprocess_specs", {})))
        workflow = self.target_class(specs[0], specs[1], deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _serializer()


def dump_spec(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
    """Serialize a process spec with its subprocess specs (once per deployed version)."""
    reg = SERIALIZER.registry
    return json.dumps({"spec": reg.convert(spec),
                       "subprocess_specs": {k: reg.convert(v) for k, v in subprocess_specs.items()}})


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialize an instance's state without its spec."""
    reg = SERIALIZER.registry
    reg._encoder_mode = True
    try:
        return json.dumps(reg.convert(workflow), cls=SERIALIZER._encoder_cls)
    finally:
        reg._encoder_mode = False


class _SpecCache:
    """Restored specs keyed by the hash of their serialized form: content-addressed, so an
    entry can never go stale or belong to another database."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[str, Specs] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, spec_hash: str, spec_json: Callable[[], str]) -> Specs:
        """The specs for ``spec_hash``; ``spec_json`` is only called (read from the DB) on a miss."""
        with self._lock:
            if spec_hash in self._items:
                self._items.move_to_end(spec_hash)
                return self._items[spec_hash]
        specs = restore_specs(spec_json())
        with self._lock:
            self._items[spec_hash] = specs
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return specs


SPEC_CACHE = _SpecCache()


def restore_specs(spec_json: str) -> Specs:
    data = json.loads(spec_json)
    reg = SERIALIZER.registry
    return reg.restore(data["spec"]), {k: reg.restore(v) for k, v in data["subprocess_specs"].items()}


def load(spec_hash: str, spec_json: Callable[[], str], spec_version: str, state_json: str,
         state_version: str) -> BpmnWorkflow:
    """Restore an instance; state from an older serializer is migrated with its spec first."""
    state = json.loads(state_json, cls=SERIALIZER.json_decoder_cls)
    if state_version == SERIALIZER_VERSION and spec_version == SERIALIZER_VERSION:
        return SERIALIZER.registry.restore(state, specs=SPEC_CACHE.get(spec_hash, spec_json))
    state.update(json.loads(spec_json()))
    state[SERIALIZER.VERSION_KEY] = state_version
    SERIALIZER.migrate(state)
    return SERIALIZER.registry.restore(state)


def restore(instance: Instance) -> BpmnWorkflow:
    """An instance's workflow (the caller wires the script engine before running it)."""
    version = instance.version
    return load(version.spec_hash, lambda: version.spec_json, version.serializer_version,
                instance.workflow_json, instance.serializer_version)


def task_spec(version: ProcessVersion, bpmn_id: str) -> Any:
    """The spec of a version's task ``bpmn_id`` (in the process or any of its subprocesses)."""
    spec, subprocess_specs = SPEC_CACHE.get(version.spec_hash, lambda: version.spec_json)
    for process in (spec, *subprocess_specs.values()):
        found = process.task_specs.get(bpmn_id)
        if found is not None and getattr(found, "bpmn_id", None) == bpmn_id:
            return found
        for candidate in process.task_specs.values():
            if getattr(candidate, "bpmn_id", None) == bpmn_id:
                return candidate
    return None


def element_name(version: ProcessVersion, bpmn_id: str) -> str | None:
    """The name a version's BPMN gives element ``bpmn_id`` (a loop or multi-instance activity keeps
    it on its inner spec, "<id> [child]")."""
    spec, subprocess_specs = SPEC_CACHE.get(version.spec_hash, lambda: version.spec_json)
    for process in (spec, *subprocess_specs.values()):
        for candidate in process.task_specs.values():
            if getattr(candidate, "bpmn_id", None) == bpmn_id and getattr(candidate, "bpmn_name", None):
                return str(candidate.bpmn_name)
    return None
