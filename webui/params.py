"""Whole numbers from addresses and forms, bounded by what a database integer column holds."""
from __future__ import annotations

from engine.db import MAX_ID

__all__ = ["MAX_ID", "parse_id"]


def parse_id(raw: str | None) -> int | None:
    """``raw`` as a non-negative id, or None when it is empty, not digits or out of range."""
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_ID:
        return None
    return int(raw)
