"""Deploy-time checks: everything that can be refused before a definition goes live.

Structural problems and unknown functions first; then constant sub-expressions are evaluated under
the default limits (``10**10**8`` is refused at deploy, not when a user completes a task), and
stray ``break``/``continue`` and endless ``while`` loops are flagged.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from engine.expressions.environment import FUNCTIONS
from engine.expressions.errors import ExpressionError
from engine.expressions.guards import _DEFAULT_LIMITS
from engine.expressions.interpreter import _run
from engine.expressions.rules import _bad_name
from engine.expressions.rules import _compile


def _variable_nodes(tree: ast.AST, calls: set[int]) -> set[int]:
    """ids of the nodes that depend on task data (or on a function we cannot run at deploy time)."""
    variable: set[int] = set()
    for node in reversed(list(ast.walk(tree))):  # breadth-first, reversed: children before parents
        if (isinstance(node, ast.Name) and (id(node) not in calls or node.id not in FUNCTIONS)
                or any(id(child) in variable for child in ast.iter_child_nodes(node))):
            variable.add(id(node))
    return variable


def _constants(tree: ast.AST, variable: set[int]) -> Iterator[ast.expr]:
    """Maximal sub-expressions that depend on no data, so they can be evaluated at deploy time."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if (isinstance(node, ast.expr) and isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
                and not isinstance(node, (ast.Constant, ast.Name, ast.Attribute, ast.Slice, ast.FormattedValue))
                and id(node) not in variable):
            yield node
        else:
            stack.extend(ast.iter_child_nodes(node))


def _fold(node: ast.expr) -> tuple[Any, str | None]:
    try:
        return _run("", "eval", {}, _DEFAULT_LIMITS, FUNCTIONS, tree=node), None
    except ExpressionError as err:
        return None, str(err)


def _has_break(body: list[ast.stmt]) -> bool:
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Break):
            return True
        if isinstance(stmt, ast.If):
            stack += stmt.body + stmt.orelse
        elif isinstance(stmt, (ast.For, ast.While)):
            stack += stmt.orelse  # a break in an inner loop's body only leaves that loop
    return False


def check(source: str, *, mode: str = "eval") -> list[str]:
    """Problems with an expression (mode "eval") or a script ("exec"); empty when it may be deployed.

    Known functions are exactly those the script environment can call (environment.FUNCTIONS).
    """
    try:
        tree, structural = _compile(source, mode)
    except ExpressionError as err:
        return [str(err)]
    problems = [str(ExpressionError(message, line or None)) for line, message in structural]
    problems += _unknown_functions(tree)
    if problems:
        return problems
    variable = _variable_nodes(tree, {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)})
    # Refuse 10**10**8 & co. now, at deploy time, rather than when a user completes a task.
    problems += [problem for node in _constants(tree, variable) if (problem := _fold(node)[1])]
    return problems + _stray_breaks(tree) + _endless_loops(tree, variable)


def _unknown_functions(tree: ast.AST) -> list[str]:
    return [str(ExpressionError(f"unknown function {n.func.id!r}", n.lineno)) for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and not _bad_name(n.func.id)
            and n.func.id not in FUNCTIONS]


def _stray_breaks(tree: ast.AST) -> list[str]:
    in_loops = {id(n) for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.While))
                for stmt in loop.body for n in ast.walk(stmt)}
    return [str(ExpressionError("'break'/'continue' outside a loop", n.lineno)) for n in ast.walk(tree)
            if isinstance(n, (ast.Break, ast.Continue)) and id(n) not in in_loops]


def _endless_loops(tree: ast.AST, variable: set[int]) -> list[str]:
    # Only a condition that depends on no data can be judged now; a deadline stops the others.
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and not _has_break(node.body) and id(node.test) not in variable:
            value, problem = _fold(node.test) if not isinstance(node.test, ast.Constant) else (node.test.value, None)
            if value and not problem:
                problems.append(str(ExpressionError(
                    "endless loop: the 'while' condition is always true and the body has no 'break'", node.lineno)))
    return problems
