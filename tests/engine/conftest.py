"""Engine fixtures: the small two-step review process (submit → review, sent back on "revise")."""
from __future__ import annotations

import pytest

import engine
from engine import definitions
from tests.conftest import DATA
from tests.helpers import World


@pytest.fixture
def two_step(world: World) -> World:
    engine.deploy(world.db, definitions.read_paths([DATA / "two_step.bpmn", DATA / "submit-schema.json",
                                                     DATA / "review-schema.json"]), user_id=engine.SYSTEM)
    return world
