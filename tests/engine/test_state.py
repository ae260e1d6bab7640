"""Stored state keeps loading: a blob written today must load with whatever SpiffWorkflow the
project pins tomorrow (run this before every upgrade)."""
from __future__ import annotations

import json

from engine import state
from engine import workflow
from tests.conftest import DATA

FIXTURE = json.loads((DATA / "state_fixture_2026-11-23.json").read_text(encoding="utf-8"))


def restore() -> object:
    return state.load("fixture", lambda: FIXTURE["spec_json"], FIXTURE["serializer_version"], FIXTURE["state_json"],
                      FIXTURE["serializer_version"])


def test_a_stored_state_from_today_still_loads_and_runs_to_the_end() -> None:
    wf = restore()
    wf.script_engine = workflow.script_engine()
    ready = workflow.snapshot(wf).ready
    assert [t.task_spec.bpmn_id for t in ready] == ["review"]
    assert ready[0].data["summary"] == "Scheme v2" and ready[0].data["comment"] == "more detail"
    ready[0].set_data(decision="approve")
    ready[0].run()
    workflow.advance(wf)
    assert workflow.snapshot(wf).finished(wf)


def test_state_round_trips_without_the_spec() -> None:
    wf = restore()
    blob = state.dump_state(wf)
    assert '"spec"' not in blob[:200] and len(blob) < len(FIXTURE["spec_json"]) + len(FIXTURE["state_json"])
    again = state.load("fixture", lambda: FIXTURE["spec_json"], state.SERIALIZER_VERSION, blob,
                       state.SERIALIZER_VERSION)
    assert [t.task_spec.bpmn_id for t in workflow.snapshot(again).ready] == ["review"]


def test_state_from_an_older_serializer_is_migrated() -> None:
    # Version 1.4 states differ only in event-based gateways, so relabelling exercises the path.
    wf = state.load("fixture", lambda: FIXTURE["spec_json"], "1.4", FIXTURE["state_json"], "1.4")
    assert [t.task_spec.bpmn_id for t in workflow.snapshot(wf).ready] == ["review"]
