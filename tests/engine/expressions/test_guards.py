"""Limits and size guards: bombs stop before Python allocates, loops at the step budget or deadline; safe builtins."""
from __future__ import annotations

import time
from typing import Any

import pytest

from engine.expressions import DEFAULT_FUNCTIONS
from engine.expressions import ExpressionError
from engine.expressions import LimitExceeded
from engine.expressions import Limits
from engine.expressions import check
from engine.expressions import evaluate
from engine.expressions import execute
from engine.expressions.environment import SCRIPT_LIMITS

BOMBS = [
    "10**10**8",
    '"a"*10**10',
    "[0]*10**9",
    '"a".replace("a", "a"*100000).replace("a", "a"*100000)',
    "1 << 10**9",
    "range(10**10)",
    "[[0]*100000]*100000",
    "str([[0]*1000]*1000)",
    "round(1, -10**9)",
]


@pytest.mark.parametrize("source", BOMBS)
def test_resource_bombs_are_refused_at_deploy_and_stop_fast_at_run_time(source: str) -> None:
    assert check(source) != []
    started = time.process_time()  # the CPU it burnt, not the wall clock of a busy machine
    with pytest.raises(LimitExceeded):
        evaluate(source, {})
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize("source", [
    "text * n", "items * n", "base ** n", "1 << n", "range(n)", 'text.replace("a", text)',
    '"-".join([text] * 1000)', "str([items] * 100000)", 'f"{[text] * 10}"', "items + items * 99999",
])
def test_bombs_hidden_behind_task_data_pass_check_but_stop_at_run_time(source: str) -> None:
    names = {"text": "a" * 50_000, "items": [1, 2], "n": 10**10, "base": 10}
    assert check(source) == []
    with pytest.raises(LimitExceeded):
        evaluate(source, names)


@pytest.mark.parametrize("script", [
    "a = list(range(100000))\nb = [a]\nfor i in range(20):\n    b = b + b",  # aliases: short list, huge deep size
    "a = []\nfor i in range(100000):\n    a.append([0] * 1000)",
    "a = []\nfor i in range(1000):\n    a = [a]",  # nesting that JSON and deepcopy cannot handle
    "a = []\na.append(a)",  # a cycle
    "d = {}\nd['self'] = d",
])
def test_scripts_cannot_build_huge_deep_or_cyclic_data(script: str) -> None:
    names: dict[str, Any] = {}
    assert check(script, mode="exec") == []
    started = time.monotonic()
    with pytest.raises(LimitExceeded):
        execute(script, names, SCRIPT_LIMITS)
    assert time.monotonic() - started < 2.5


def test_printf_style_string_formatting_is_refused_even_with_a_format_from_task_data() -> None:
    assert check('"%*d" % (n, 1)') == ["line 1: '%' string formatting is not allowed; use an f-string"]
    assert check("fmt % (n, 1)") == []
    with pytest.raises(ExpressionError, match="'%' string formatting"):
        evaluate("fmt % (n, 1)", {"fmt": "%*d", "n": 10**9})
    assert evaluate("n % 7", {"n": 10}) == 3


def test_an_endless_loop_that_bypassed_check_stops_at_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="longer than 0.2 s"):
        execute("while True:\n    pass", {}, Limits(max_steps=10**12, max_seconds=0.2))
    assert time.monotonic() - started < 1.0


def test_a_long_loop_stops_at_the_step_budget() -> None:
    source = "x = 0\nwhile x < 10**9:\n    x += 1"
    assert check(source, mode="exec") == []
    names: dict[str, Any] = {}
    with pytest.raises(LimitExceeded, match="steps") as raised:
        execute(source, names)
    assert raised.value.lineno is not None
    assert 0 < names["x"] < 100_000


def test_default_functions_return_plain_values_not_iterators() -> None:
    assert evaluate("reversed([1, 2])", {}) == [2, 1]
    assert evaluate("zip([1], [2])", {}) == [(1, 2)]
    assert evaluate("range(3)", {}) == [0, 1, 2]
    assert evaluate("d.items()", {"d": {"a": 1}}) == [("a", 1)]
    assert "isinstance" not in DEFAULT_FUNCTIONS
    with pytest.raises(ExpressionError, match="only adds numbers"):
        evaluate("sum([[1], [2]], [])", {})
