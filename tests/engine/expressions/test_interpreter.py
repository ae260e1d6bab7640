"""The interpreter: ordinary conditions evaluate like Python, scripts write task data, data errors read well."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.expressions import ExpressionError
from engine.expressions import check
from engine.expressions import evaluate
from engine.expressions import execute


def test_callables_found_in_task_data_can_never_be_called(marker: Path) -> None:
    names = {"f": lambda *args: marker.touch(), "items": [2, 1]}
    for source in ("f(1)", "sorted(items, key=f)", "max(items, key=f)", "items.sort(key=f)"):
        with pytest.raises(ExpressionError):
            evaluate(source, names)
    assert not marker.exists()


@pytest.mark.parametrize(("source", "expected"), [
    ('decision == "approve"', True),
    ("score >= 80 and not rejected", True),
    ("len(projects) > 0", True),
    ('sum(p["amount"] for p in projects)', 350),
    ('data.get("x", 0) + 1', 1),
    ('(score) == ("a")', False),
    ("score>= 80", True),
    ("70 < score <= 90", True),
    ('"P" + str(days) + "D"', "P5D"),
    ('f"{days} days"', "5 days"),
    ('[p["name"] for p in projects if p["amount"] > 100]', ["b"]),
    ('{p["name"]: p["amount"] for p in projects}', {"a": 100, "b": 250}),
    ("sorted(data.keys())", []),
    ('"Yes" if score > 50 else "No"', "Yes"),
    ('decision.upper().startswith("APP")', True),
    ("projects[-1]['name']", "b"),
    ("decision[:3]", "app"),
    ("max(p['amount'] for p in projects)", 250),
    ("list(enumerate(['a', 'b'], 1))", [(1, "a"), (2, "b")]),
    ("dmninputexpr >= 80", True),
    ("rejected or None", None),
])
def test_ordinary_conditions_evaluate_like_python(source: str, expected: Any) -> None:
    names = {"decision": "approve", "score": 85, "rejected": False, "days": 5, "data": {},
             "projects": [{"name": "a", "amount": 100}, {"name": "b", "amount": 250}], "dmninputexpr": 90}
    assert check(source) == []
    assert evaluate(source, names) == expected


def test_data_errors_become_readable_expression_errors() -> None:
    with pytest.raises(ExpressionError, match="name 'missing' is not defined"):
        evaluate("missing > 1", {})
    with pytest.raises(ExpressionError, match="KeyError") as raised:
        evaluate('(1 +\n d["nope"])', {"d": {}})
    assert str(raised.value) == "line 2: KeyError: 'nope'"
    assert raised.value.source == '(1 +\n d["nope"])'


def test_scripts_mutate_the_task_data_they_are_given() -> None:
    script = (
        "approved = []\n"
        "total = 0\n"
        "for p in projects:\n"
        "    if not p['ok']:\n"
        "        continue\n"
        "    approved.append(p['name'])\n"
        "    total += p['amount']\n"
        "summary = {'count': len(approved), 'total': total}\n"
        "summary['names'] = [n.upper() for n in approved]\n"
        "first, second = approved\n"
        "del projects[0]\n"
    )
    names: dict[str, Any] = {"projects": [{"name": "a", "ok": True, "amount": 1},
                                          {"name": "b", "ok": False, "amount": 2},
                                          {"name": "c", "ok": True, "amount": 3}]}
    assert check(script, mode="exec") == []
    execute(script, names)
    assert names["summary"] == {"count": 2, "total": 4, "names": ["A", "C"]}
    assert (names["first"], names["second"]) == ("a", "c")
    assert [p["name"] for p in names["projects"]] == ["b", "c"]
    assert "n" not in names  # comprehension variables stay local
