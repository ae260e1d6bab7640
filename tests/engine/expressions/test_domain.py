"""The programme's functions: date helpers, in China time on the injectable clock, callable through the environment."""
from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from engine import clock
from engine.expressions import DEFAULT_FUNCTIONS
from engine.expressions import FUNCTIONS
from engine.expressions import ExpressionError
from engine.expressions import SafeEnvironment
from engine.expressions import check
from engine.expressions import domain
from engine.expressions import evaluate


@pytest.mark.parametrize(("source", "expected"), [
    ("duration_days(days)", "P5D"),
    ('add_days("2026-11-30", 2)', "2026-12-02"),
    ('add_days("2026-11-30T09:00:00+08:00", 1)', "2026-12-01T09:00:00+08:00"),
    ("date_at(2026, 3, 1)", "2026-03-01T00:00:00+08:00"),
])
def test_programme_functions_evaluate_through_the_environment(source: str, expected: Any) -> None:
    assert check(source) == []
    assert SafeEnvironment().evaluate(source, {"days": 5}) == expected


def test_the_environment_adds_the_programme_functions_to_the_builtins_and_shadows_none() -> None:
    assert not DEFAULT_FUNCTIONS.keys() & domain.NAMES
    assert set(FUNCTIONS) == DEFAULT_FUNCTIONS.keys() | domain.NAMES
    with pytest.raises(ExpressionError, match="unknown function 'today'"):
        evaluate("today()", {})  # the sandbox alone knows only the generic builtins


def test_date_helpers_read_the_injectable_clock_in_china_time() -> None:
    env = SafeEnvironment()
    with clock.frozen_at(datetime(2027, 12, 31, 17, 0, 0, 123, tzinfo=UTC)):
        assert env.evaluate("now()", {}) == "2027-12-31T17:00:00+00:00"
        assert env.evaluate("today()", {}) == "2028-01-01"
        assert env.evaluate("current_year()", {}) == 2028
        assert env.evaluate("year_end()", {}) == "2028-12-31T23:59:59+08:00"
        assert env.evaluate("year_end(2026)", {}) == "2026-12-31T23:59:59+08:00"
