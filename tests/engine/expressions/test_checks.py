"""Deploy-time checks: stray break, endless while, and exactly the functions the environment can call."""
from __future__ import annotations

import pytest

from engine.expressions import FUNCTIONS
from engine.expressions import ExpressionError
from engine.expressions import check
from engine.expressions import evaluate
from engine.expressions import execute


def test_break_outside_a_loop_is_flagged_by_check_and_refused_by_execute() -> None:
    assert check("if x:\n    break", mode="exec") == ["line 2: 'break'/'continue' outside a loop"]
    with pytest.raises(ExpressionError, match="outside a loop"):
        execute("if x:\n    break", {"x": True})


def test_an_endless_while_loop_is_flagged_by_check() -> None:
    assert check("while True:\n    pass", mode="exec") == [
        "line 1: endless loop: the 'while' condition is always true and the body has no 'break'"]
    assert check("while 1 == 1:\n    if done:\n        break", mode="exec") == []


def test_given_functions_are_callable_and_check_knows_exactly_the_environments() -> None:
    functions = {"double": lambda n: n * 2}
    assert evaluate("double(n)", {"n": 4}, functions=functions) == 8
    assert check("double(n)") == ["line 1: unknown function 'double'"]
    assert not [problem for name in FUNCTIONS for problem in check(f"{name}()") if "unknown function" in problem]
