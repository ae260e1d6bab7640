"""The allow-lists: which syntax, operators, names and methods an expression or script may use at all.

``_compile`` parses a source once (cached) and lists the structural problems; nothing outside these
lists can reach the interpreter.
"""
from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable
from typing import Any

from engine.expressions.errors import ExpressionError

_METHODS: dict[type, frozenset[str]] = {
    str: frozenset("lower upper strip lstrip rstrip startswith endswith split rsplit splitlines find rfind "
                   "index count isdigit isalpha isalnum isspace title capitalize casefold replace join "
                   "partition".split()),
    list: frozenset("append extend insert pop remove index count copy sort reverse".split()),
    dict: frozenset("get keys values items copy pop setdefault update".split()),
    set: frozenset("add discard union intersection difference".split()),
}
_ALL_METHODS = frozenset().union(*_METHODS.values())
_CONSTANTS = (str, int, float, bool, type(None))

# op -> (binary, in-place); in-place keeps Python's `lst += other` aliasing semantics.
_BINOPS: dict[type, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    ast.Add: (operator.add, operator.iadd), ast.Sub: (operator.sub, operator.isub),
    ast.Mult: (operator.mul, operator.imul), ast.Div: (operator.truediv, operator.itruediv),
    ast.FloorDiv: (operator.floordiv, operator.ifloordiv), ast.Mod: (operator.mod, operator.imod),
    ast.Pow: (operator.pow, operator.ipow), ast.LShift: (operator.lshift, operator.ilshift),
    ast.RShift: (operator.rshift, operator.irshift), ast.BitAnd: (operator.and_, operator.iand),
    ast.BitOr: (operator.or_, operator.ior), ast.BitXor: (operator.xor, operator.ixor),
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
_EXPR_NODES = frozenset({
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Subscript, ast.Slice,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.IfExp, ast.List, ast.Tuple,
    ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.Call, ast.keyword, ast.JoinedStr, ast.FormattedValue, *_BINOPS, *_CMPOPS, *_UNARY,
})
_STMT_NODES = frozenset({ast.Module, ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.While,
                         ast.Pass, ast.Break, ast.Continue, ast.Delete, ast.Del})
_DESCRIBE = {"Lambda": "lambda", "NamedExpr": "':='", "Starred": "'*' unpacking", "Import": "import",
             "ImportFrom": "import", "FunctionDef": "def", "ClassDef": "class", "MatMult": "'@'"}


def _line(node: ast.AST) -> int | None:
    return getattr(node, "lineno", None)


def _methods_of(obj: Any) -> frozenset[str]:
    # By exact type first; a subclass of an allowed type (a str subclass, ...) gets its base's methods.
    return _METHODS.get(type(obj)) or next((m for t, m in _METHODS.items() if isinstance(obj, t)), frozenset())


def _bad_name(name: str | None) -> str | None:
    # Every escape route (__class__, __globals__, __subclasses__, ...) needs a name starting with "_".
    return f"names starting with '_' are not allowed: {name}" if name and name.startswith("_") else None


# A literal format is refused here; one that comes from task data, by guards._guard_mod at run time.
_STRING_MOD = "'%' string formatting is not allowed; use an f-string"


def _call_rule(node: ast.Call, calls: set[int]) -> str | None:
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return "argument unpacking (* and **) is not allowed"
    if not isinstance(node.func, (ast.Name, ast.Attribute)):
        return "only named functions and allowed methods can be called"
    return None


def _attribute_rule(node: ast.Attribute, calls: set[int]) -> str | None:
    # Only `value.method(...)` with an allow-listed method name: no data attributes, no bound methods.
    if id(node) in calls and node.attr in _ALL_METHODS:
        return None
    return _bad_name(node.attr) or f"'.{node.attr}' is not an allowed method call"


# Structural rules per node type, checked once per source (cached) before anything runs.
_RULES: dict[type, Callable[[Any, set[int]], str | None]] = {
    ast.Name: lambda n, _: _bad_name(n.id),
    ast.keyword: lambda n, _: _bad_name(n.arg),
    ast.Attribute: _attribute_rule,
    ast.Call: _call_rule,
    ast.Constant: lambda n, _: None if isinstance(n.value, _CONSTANTS) else "only str, int, float, bool and "
                                                                            "None constants are allowed",
    ast.FormattedValue: lambda n, _: "f-string format specs and !r/!a conversions are not allowed"
                                     if n.format_spec or n.conversion not in (-1, ord("s")) else None,
    ast.Dict: lambda n, _: "'**' unpacking is not allowed" if None in n.keys else None,
    ast.comprehension: lambda n, _: "async comprehensions are not allowed" if n.is_async else None,
    ast.Delete: lambda n, _: None if all(isinstance(t, ast.Subscript) for t in n.targets)
                             else "only 'del x[key]' is allowed",
    ast.BinOp: lambda n, _: _STRING_MOD if isinstance(n.op, ast.Mod) and (isinstance(n.left, ast.JoinedStr) or (
        isinstance(n.left, ast.Constant) and isinstance(n.left.value, str))) else None,
    ast.Subscript: lambda n, _: "slice assignment is not allowed"
                                if isinstance(n.slice, ast.Slice) and not isinstance(n.ctx, ast.Load) else None,
}


@functools.lru_cache(maxsize=4096)  # the same conditions are evaluated thousands of times
def _compile(source: str, mode: str) -> tuple[ast.AST, tuple[tuple[int, str], ...]]:
    """Parse and list structural problems as (line, message), sorted by line."""
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    try:
        # XML often wraps an expression in newlines and indentation; only statements care about layout.
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as err:
        raise ExpressionError(f"syntax error: {err.msg}", err.lineno, source) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"cannot parse: {err}", None, source) from None
    allowed = _EXPR_NODES | _STMT_NODES if mode == "exec" else _EXPR_NODES
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    problems: list[tuple[int, str]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        kind, rule = type(node).__name__, _RULES.get(type(node))
        if type(node) not in allowed:  # one message per refused construct, not one per node inside it
            problems.append((_line(node) or 0, f"{_DESCRIBE.get(kind, kind)} is not allowed"))
            continue
        if rule and (problem := rule(node, calls)):
            problems.append((_line(node) or 0, problem))
        stack.extend(ast.iter_child_nodes(node))
    return tree, tuple(sorted(problems, key=lambda p: p[0]))
