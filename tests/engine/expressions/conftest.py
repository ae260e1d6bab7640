"""BPMN/DMN expressions and scripts run in our allow-listed interpreter: never eval/exec, always bounded.

The fixture: a file the escape attempts would create, so a test can see that none ran.
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "MARKER"
