"""The allow-lists: escapes find no syntax, name or method to use; problems name line and construct; one parse each."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.expressions import ExpressionError
from engine.expressions import check
from engine.expressions import evaluate
from engine.expressions import execute

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "[].__class__",
    "x.__class__.__init__.__globals__",
    'getattr(x, "__class__")',
    '"{0.__class__.__mro__}".format(x)',
    '"{x.__class__}".format_map(d)',
    '__import__("string").Formatter().vformat("{0.__class__}", [x], {})',
    "(x for x in [1]).gi_frame.f_back.f_globals",
    "[g.gi_frame for g in [(i for i in [])]]",
    "__import__('os').system('touch MARKER')",
    "open('/etc/passwd').read()",
    "open('MARKER', 'w')",
    "exec(\"open('MARKER', 'w')\")",
    "eval(\"__import__('os').system('touch MARKER')\")",
    'compile("1", "f", "eval")',
    "globals()",
    "vars()",
    "breakpoint()",
    "type(x)",
    "(lambda: 1)()",
    "[y := 1]",
    "x.upper",
    "d.__getitem__('x')",
    "f\"{x!r}\"",
    "f\"{x!r:{'>'}{10**9}}\"",
    "f\"{x:>{10**9}}\"",
    '"x".ljust(10**10)',
    '"%s" % x',
    "b'bytes'",
]


SCRIPT_ESCAPES = [
    "import os\nos.system('touch MARKER')",
    "from os import system",
    "def f():\n    return 1",
    "class A:\n    pass",
    "with open('MARKER', 'w') as f:\n    pass",
    "try:\n    pass\nexcept Exception:\n    pass",
    "raise ValueError('x')",
    "global x",
    "x: int = 1",
    "del x",
    "d.x = 1",
    "assert x",
    "return 1",
    "items[0:1] = [1, 2]",
]


def names_for(marker: Path) -> dict[str, Any]:
    return {"x": "text", "d": {"x": 1}, "items": [1, 2, 3], "marker": str(marker)}


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_in_expressions_are_refused_by_check_and_by_evaluate(source: str, marker: Path) -> None:
    source = source.replace("MARKER", str(marker))
    assert check(source) != []
    with pytest.raises(ExpressionError):
        evaluate(source, names_for(marker))
    assert not marker.exists()


@pytest.mark.parametrize("source", SCRIPT_ESCAPES)
def test_escape_attempts_in_scripts_are_refused_by_check_and_by_execute(source: str, marker: Path) -> None:
    source = source.replace("MARKER", str(marker))
    names = names_for(marker)
    assert check(source, mode="exec") != []
    with pytest.raises(ExpressionError):
        execute(source, names)
    assert not marker.exists()
    assert names == names_for(marker)


def test_problems_name_the_line_and_the_refused_construct() -> None:
    problems = check("total = 1\nimport os", mode="exec")
    assert problems == ["line 2: import is not allowed"]
    assert check("x.ljust(10)") == ["line 1: '.ljust' is not an allowed method call"]


def test_an_allowed_method_name_on_the_wrong_type_is_refused_at_run_time(marker: Path) -> None:
    assert check('x.get("a")') == []  # check cannot know that x is a str
    with pytest.raises(ExpressionError, match="'get' is not allowed on str"):
        evaluate('x.get("a")', names_for(marker))


def test_objects_other_than_plain_data_expose_no_methods_at_all(marker: Path) -> None:
    class Sneaky:
        def keys(self) -> None:
            marker.touch()

    with pytest.raises(ExpressionError, match="not allowed on Sneaky"):
        evaluate("obj.keys()", {"obj": Sneaky()})
    assert not marker.exists()


def test_whitespace_around_an_expression_from_xml_is_ignored() -> None:
    assert check("\n    score >= 80\n  ") == []
    assert evaluate("\n    score >= 80\n  ", {"score": 80}) is True


def test_the_same_expression_is_parsed_once() -> None:
    from engine.expressions.rules import _compile

    _compile.cache_clear()
    for score in range(50):
        evaluate("score >= 80", {"score": score})
    assert _compile.cache_info().misses == 1
