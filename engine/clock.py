"""The injectable clock: every "now" the engine and SpiffWorkflow's timers see comes from here.

Tests and the worker's ``--now`` move time with :func:`frozen_at` / :func:`set_clock`; production
uses the wall clock. SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module,
so :func:`install` swaps that module's ``datetime`` name for a subclass whose ``now`` asks us.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

_real_datetime = datetime
_source: contextvars.ContextVar[Callable[[], datetime] | None] = contextvars.ContextVar(
    "schemeflow_clock", default=None
)
_global_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    source = _source.get() or _global_source
    value = source() if source else _real_datetime.now(UTC)
    return value.astimezone(UTC)


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Set the process-wide clock (``None`` restores the wall clock)."""
    global _global_source  # noqa: PLW0603 - one process-wide clock, set by the CLI and tests
    _global_source = source


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Run a block with time standing still at ``moment`` (in this thread/context only)."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    token = _source.set(lambda: moment)
    try:
        yield
    finally:
        _source.reset(token)


class _ClockMeta(type):
    # Keep isinstance(x, datetime) true for plain datetimes inside SpiffWorkflow's timer code.
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, _real_datetime)


class _ClockDatetime(_real_datetime, metaclass=_ClockMeta):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        current = now()
        return current.astimezone(tz) if tz else current.astimezone(CHINA).replace(tzinfo=None)


def install() -> None:
    """Make SpiffWorkflow's timer events read this clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime


install()


def monotonic() -> float:
    """Seconds from a monotonic clock, for budgets (never moved by tests)."""
    import time

    return time.monotonic()
