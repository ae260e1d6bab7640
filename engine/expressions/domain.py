"""The programme's functions: date helpers a BPMN's conditions and timers may call, each a small named function.

The sandbox offers only generic builtins (``guards.DEFAULT_FUNCTIONS``); these are schemeflow's own,
called by name in the process files (``date_at(creation_start_year, 12, 1)``, ``duration_days(15)``).
The script environment merges both, and deploy refuses any other name. They read the injectable
clock (``engine.clock``) in China time, take plain values and return ISO 8601 text or an int, as task
data and SpiffWorkflow's timers want them.
"""
from __future__ import annotations

import types
from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from engine import clock
from engine.expressions.errors import ExpressionError


def now() -> str:
    """The current time in UTC, to the second."""
    return clock.now().replace(microsecond=0).isoformat()


def today() -> str:
    """Today's date in China."""
    return clock.now().astimezone(clock.CHINA).date().isoformat()


def current_year() -> int:
    """This year in China."""
    return clock.now().astimezone(clock.CHINA).year


def year_end(year: int | None = None) -> str:
    """The last second of ``year`` (default: this year) in China time: an annual report's due date."""
    end = date(current_year() if year is None else year, 12, 31)  # date() validates the year
    return f"{end.isoformat()}T23:59:59+08:00"


def add_days(iso: str, days: int) -> str:
    """``days`` days after a date or a date-time."""
    kind = date if len(iso) == len("YYYY-MM-DD") else datetime  # a date stays a date; the offset is kept
    return (kind.fromisoformat(iso) + timedelta(days=days)).isoformat()


def date_at(year: int, month: int, day: int) -> str:
    """Midnight of that day in China time, as a timer's timeDate wants it."""
    return datetime(year, month, day, tzinfo=clock.CHINA).isoformat()


def duration_days(days: int) -> str:
    """``days`` days as an ISO 8601 duration, as a timer's timeDuration wants it."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ExpressionError("duration_days(n) needs a whole number >= 0")
    return f"P{days}D"


FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "now": now, "today": today, "current_year": current_year, "year_end": year_end, "add_days": add_days,
    "date_at": date_at, "duration_days": duration_days,
})
NAMES = frozenset(FUNCTIONS)
