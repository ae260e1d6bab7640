"""docs/deployment.md names every setting the code reads: an operator never has to read config.py."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_deployment_guide() -> None:
    code = [ROOT / "config.py", *(ROOT / "webui").rglob("*.py"), *(ROOT / "engine").rglob("*.py")]
    settings = {m for path in code if "node_modules" not in path.parts
                for m in re.findall(r"\bSCHEMEFLOW_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8"))}
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    table = {m for m in re.findall(r"^\| `(SCHEMEFLOW_[A-Z_]+|DATABASE_URL)`", guide, re.MULTILINE)}
    assert {"SCHEMEFLOW_SECRET_KEY", "SCHEMEFLOW_DATABASE_URL", "SCHEMEFLOW_HEARTBEAT_MAX_AGE"} <= settings
    # NAME_FILE comes with every secret NAME (the guide says so once, above its table).
    assert sorted(s for s in settings - table if s.removesuffix("_FILE") not in table) == []
    assert "DATABASE_URL" in table
