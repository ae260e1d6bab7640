"""Owns every evaluation of BPMN/DMN expressions and scripts: an allow-listed AST interpreter with limits."""
from __future__ import annotations

import ast
import contextvars
import functools
import itertools
import json
import operator
import time
import types
from collections import ChainMap
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import cast

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.clock import CHINA
from engine.clock import now as clock_now


class ExpressionError(Exception):
    """An expression or script was refused, failed, or broke a limit."""

    def __init__(self, message: str, lineno: int | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.message, self.lineno, self.source = message, lineno, source

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}" if self.lineno else self.message


class LimitExceeded(ExpressionError):
    """A step, time, size or integer-size budget ran out."""


@dataclass(frozen=True)
class Limits:
    max_steps: int = 100_000        # node evaluations per evaluate/execute call
    max_seconds: float = 1.0        # wall-clock deadline checked at every step
    max_length: int = 100_000       # max len of any str/list/dict/tuple/set produced
    max_int_bits: int = 4096        # max int size produced (bit_length)


_DEFAULT_LIMITS = Limits()
# Limits of the running call, for default functions that must refuse before allocating (range, str).
_LIMITS: contextvars.ContextVar[Limits] = contextvars.ContextVar("expression_limits", default=_DEFAULT_LIMITS)
_CELLS_PER_STEP = 10  # built containers cost steps too, so the step budget also bounds memory
_MAX_DEPTH = 100

_METHODS: dict[type, frozenset[str]] = {
    str: frozenset("lower upper strip lstrip rstrip startswith endswith split rsplit splitlines find rfind "
                   "index count isdigit isalpha isalnum isspace title capitalize casefold replace join "
                   "partition".split()),
    list: frozenset("append extend insert pop remove index count copy sort reverse".split()),
    dict: frozenset("get keys values items copy pop setdefault update".split()),
    set: frozenset("add discard union intersection difference".split()),
}
_ALL_METHODS = frozenset().union(*_METHODS.values())
_GROWS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "union"})
_GROWS_BY_ONE = frozenset({"append", "insert", "setdefault", "add"})
_SIZED = (str, list, tuple, dict, set, frozenset)
_DEEP = frozenset(_SIZED)
_CONSTANTS = (str, int, float, bool, type(None))
_DISPLAYS: dict[type, Callable[[Iterable[Any]], Any]] = {
    ast.List: list, ast.Tuple: tuple, ast.Set: set, ast.SetComp: set, ast.DictComp: dict}

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


def _bad_name(name: str | None) -> str | None:
    # Every escape route (__class__, __globals__, __subclasses__, ...) needs a name starting with "_".
    return f"names starting with '_' are not allowed: {name}" if name and name.startswith("_") else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _too_long(size: int, limits: Limits) -> None:
    if size > limits.max_length:
        raise LimitExceeded(f"result would be too large ({size} items or characters; limit {limits.max_length})")


def _too_big(limits: Limits) -> LimitExceeded:
    return LimitExceeded(f"integer result would exceed {limits.max_int_bits} bits")


# --- size guards that run BEFORE Python allocates a result ------------------------------------------------

def _guard_add(lim: Limits, a: Any, b: Any) -> None:
    if isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)):
        _too_long(len(a) + len(b), lim)


def _guard_mult(lim: Limits, a: Any, b: Any) -> None:
    if _is_int(a) and not _is_int(b):
        a, b = b, a
    if isinstance(a, (str, list, tuple)) and isinstance(b, int):
        _too_long(len(a) * b, lim)
    elif _is_int(a) and _is_int(b) and a.bit_length() + b.bit_length() > lim.max_int_bits + 1:
        raise _too_big(lim)


def _guard_pow(lim: Limits, a: Any, b: Any) -> None:
    # For |a| >= 2, a**b has more than (bit_length(a) - 1) * b bits: refuse 10**10**8 before computing it.
    if _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1 and (abs(a).bit_length() - 1) * b >= lim.max_int_bits:
        raise _too_big(lim)


def _guard_lshift(lim: Limits, a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and a and a.bit_length() + b > lim.max_int_bits:
        raise _too_big(lim)


_STRING_MOD = "'%' string formatting is not allowed; use an f-string"


def _guard_mod(lim: Limits, a: Any, b: Any) -> None:
    if isinstance(a, str):  # printf-style formatting has width bombs ("%*d")
        raise ExpressionError(_STRING_MOD)


_BINOP_GUARDS: dict[type, Callable[[Limits, Any, Any], None]] = {
    ast.Add: _guard_add, ast.Mult: _guard_mult, ast.Pow: _guard_pow, ast.LShift: _guard_lshift, ast.Mod: _guard_mod,
}


def _repr_size(value: Any, budget: int, depth: int = 0) -> int:
    """Estimate len(str(value)), giving up once it passes ``budget`` (str([[0]*n]*n) is n*n long)."""
    if depth > _MAX_DEPTH:
        raise LimitExceeded("value is nested too deeply or contains itself")
    kind = type(value)
    if kind is str:
        size = len(value) + 2
    elif kind is int:
        size = value.bit_length() // 3 + 2
    elif kind in _DEEP:
        size = 2
        for item in itertools.chain(value, value.values()) if kind is dict else value:
            size += 2 + _repr_size(item, budget - size, depth + 1)
    else:
        size = len(repr(value))
    if size > budget:
        raise LimitExceeded(f"text would be too long (limit {budget} characters)")
    return size


def _to_str(value: Any, budget: int) -> str:
    if type(value) is not str:
        _repr_size(value, budget)
    text = str(value)
    if len(text) > budget:
        raise LimitExceeded(f"text would be too long (limit {budget} characters)")
    return text


# --- default functions: plain values in; str, int, float, list or dict out -------------------------------

def _range(*args: int) -> list[int]:
    span = range(*args)
    try:
        _too_long(len(span), _LIMITS.get())
    except OverflowError:
        raise LimitExceeded("range is far too long") from None
    return list(span)


def _sum(values: Iterable[Any], start: Any = 0) -> Any:
    items = list(values)
    if not all(isinstance(v, (int, float)) for v in (start, *items)):
        raise ExpressionError("sum() only adds numbers")  # summing lists is quadratic
    return sum(items, start)


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and (not _is_int(ndigits) or abs(ndigits) > 400):  # round(1, -10**9) computes 10**10**9
        raise LimitExceeded("round(): ndigits must be a whole number between -400 and 400")
    return round(number, ndigits)


def _current_year() -> int:
    return clock_now().astimezone(CHINA).year


def _year_end(year: int | None = None) -> str:
    end = date(_current_year() if year is None else year, 12, 31)  # date() validates the year
    return f"{end.isoformat()}T23:59:59+08:00"


def _add_days(iso: str, days: int) -> str:
    kind = date if len(iso) == len("YYYY-MM-DD") else datetime  # a date stays a date; the offset is kept
    return (kind.fromisoformat(iso) + timedelta(days=days)).isoformat()


def _duration_days(days: int) -> str:
    if not _is_int(days) or days < 0:
        raise ExpressionError("duration_days(n) needs a whole number >= 0")
    return f"P{days}D"


DEFAULT_FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "len": len, "min": min, "max": max, "sum": _sum, "abs": abs, "round": _round, "int": int, "float": float,
    "str": lambda value="": _to_str(value, _LIMITS.get().max_length), "bool": bool, "sorted": sorted,
    "any": any, "all": all, "range": _range, "list": list, "dict": dict, "set": set, "tuple": tuple,
    "enumerate": lambda values, start=0: list(enumerate(values, start)),
    "zip": lambda *values: list(zip(*values, strict=False)), "reversed": lambda values: list(reversed(values)),
    "now": lambda: clock_now().replace(microsecond=0).isoformat(),
    "today": lambda: clock_now().astimezone(CHINA).date().isoformat(),
    "current_year": _current_year, "year_end": _year_end, "add_days": _add_days,
    "date_at": lambda year, month, day: datetime(year, month, day, tzinfo=CHINA).isoformat(),
    "duration_days": _duration_days,
})


# --- the interpreter ---------------------------------------------------------------------------------------

class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Interpreter:
    """Walks one validated tree; only node types with a ``_x_<Type>`` handler can run at all."""

    def __init__(self, names: Mapping[str, Any], limits: Limits, functions: Mapping[str, Callable[..., Any]]):
        self.names, self.limits, self.functions = names, limits, functions
        self.local: dict[str, Any] | None = None  # comprehension variables: never written to task data
        self.steps, self.deadline = 0, time.monotonic() + limits.max_seconds

    def tick(self, cost: int = 1) -> None:
        self.steps += cost
        if self.steps > self.limits.max_steps:
            raise LimitExceeded(f"too much work (more than {self.limits.max_steps} steps)")
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"took longer than {self.limits.max_seconds} s")

    def ev(self, node: ast.AST) -> Any:
        self.tick()
        handler = _HANDLERS.get(type(node))
        if handler is None:
            kind = type(node).__name__
            raise ExpressionError(f"{_DESCRIBE.get(kind, kind)} is not allowed", _line(node))
        try:
            return handler(self, node)
        except ExpressionError as err:
            err.lineno = err.lineno or _line(node)
            raise
        except (_Break, _Continue):
            raise
        except (RecursionError, MemoryError) as err:
            raise LimitExceeded(f"too deeply nested or too large ({type(err).__name__})", _line(node)) from None
        except Exception as err:  # data errors (KeyError, TypeError, ...) become readable ExpressionErrors
            raise ExpressionError(f"{type(err).__name__}: {err}", _line(node)) from err

    def produced(self, value: Any) -> Any:
        """Check the size of a newly built value and charge steps for the memory it holds."""
        if isinstance(value, _SIZED):
            _too_long(len(value), self.limits)
            self.charge(value)
        elif _is_int(value) and (bits := value.bit_length()) > 512:
            if bits > self.limits.max_int_bits:
                raise _too_big(self.limits)
            self.tick(bits // 512)  # big ints hold memory too
        return value

    def charge(self, value: Any, into: Any = None) -> None:
        # Counts nested cells, aliases included: [[0]*n]*n is short but n*n deep, and a later ==,
        # sorted() or str() would walk all of it within a single step. Cycles (storing a container
        # into itself) and deep nesting are refused: task data must stay JSON-serializable.
        budget = (self.limits.max_steps - self.steps) * _CELLS_PER_STEP
        cells, next_check, stack = 0, 100_000, [(value, 0)]
        while stack:
            item, depth = stack.pop()
            if type(item) is str:
                cells += len(item) // 8 + 1
            elif item is into or depth > _MAX_DEPTH:
                raise LimitExceeded("value is nested too deeply or contains itself")
            elif type(item) in _DEEP:
                cells += len(item) + 1
                members = itertools.chain(item, item.values()) if type(item) is dict else item
                stack.extend([(m, depth + 1) for m in members if type(m) in _DEEP])
            if cells > budget:
                raise LimitExceeded(f"too much data (more than {self.limits.max_steps} steps)")
            if cells > next_check:  # each item adds a cell, so the deadline is checked every 100k items
                next_check += 100_000
                self.tick(0)
        self.tick(cells // _CELLS_PER_STEP)

    def iterable(self, value: Any) -> Any:
        if not isinstance(value, _SIZED):
            raise ExpressionError(f"cannot loop over {type(value).__name__}")
        return value

    def load(self, name: str) -> Any:
        if (problem := _bad_name(name)) is not None:
            raise ExpressionError(problem)
        if self.local is not None and name in self.local:
            return self.local[name]
        try:
            return self.names[name]
        except KeyError:
            raise ExpressionError(f"name {name!r} is not defined") from None

    def item(self, node: ast.Subscript) -> tuple[Any, Any]:
        obj = self.ev(node.value)
        if not isinstance(obj, (list, dict)):
            raise ExpressionError(f"cannot change items of {type(obj).__name__}")
        return obj, self.ev(node.slice)

    def assign(self, target: ast.AST, value: Any, local: bool = False) -> None:
        if isinstance(target, ast.Name):
            if (problem := _bad_name(target.id)) is not None:
                raise ExpressionError(problem)
            scope = self.local if local and self.local is not None else cast(MutableMapping[str, Any], self.names)
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(self.iterable(value))
            if len(items) != len(target.elts):
                raise ExpressionError(f"cannot unpack {len(items)} values into {len(target.elts)} targets")
            for sub, item in zip(target.elts, items, strict=True):
                self.assign(sub, item, local)
        elif isinstance(target, ast.Subscript) and not local:
            obj, key = self.item(target)
            if isinstance(obj, dict) and key not in obj:
                _too_long(len(obj) + 1, self.limits)
            self.charge(value, into=obj)
            obj[key] = value
        else:
            raise ExpressionError(f"cannot assign to {type(target).__name__}")

    def binop(self, op: ast.operator, left: Any, right: Any, inplace: bool = False) -> Any:
        guard = _BINOP_GUARDS.get(type(op))
        if guard is not None:
            guard(self.limits, left, right)
        return self.produced(_BINOPS[type(op)][inplace](left, right))

    def loop(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        if not generators:
            emit()
            return
        for item in self.iterable(self.ev(generators[0].iter)):
            self.assign(generators[0].target, item, local=True)
            if all(self.ev(cond) for cond in generators[0].ifs):
                self.loop(generators[1:], emit)

    def call_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        allowed = _METHODS.get(type(obj)) or next((m for t, m in _METHODS.items() if isinstance(obj, t)), None)
        if allowed is None or name not in allowed:
            raise ExpressionError(f"method {name!r} is not allowed on {type(obj).__name__}")
        if name in _GROWS:
            extra = 1 if name in _GROWS_BY_ONE else sum(len(a) for a in args if isinstance(a, _SIZED)) + len(kwargs)
            _too_long(len(obj) + extra, self.limits)
            for arg in (*args, *kwargs.values()):
                self.charge(arg, into=obj)
        elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            hits = obj.count(args[0]) if len(args) < 3 or args[2] < 0 else min(args[2], obj.count(args[0]))
            _too_long(len(obj) + hits * (len(args[1]) - len(args[0])), self.limits)
        elif name == "join" and len(args) == 1:
            args = [list(self.iterable(args[0]))]
            text = sum(len(a) for a in args[0] if isinstance(a, str))
            _too_long(text + len(obj) * max(len(args[0]) - 1, 0), self.limits)
        result = getattr(obj, name)(*args, **kwargs)
        if name in ("keys", "values", "items"):
            result = list(result)  # views would expose .mapping and do not serialize
        return result if name in ("get", "pop", "setdefault") else self.produced(result)

    # --- node handlers (the tree passed _compile's structural rules) ---------------------------------------

    def _x_Expression(self, node: ast.Expression) -> Any:
        return self.ev(node.body)

    def _x_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _x_Name(self, node: ast.Name) -> Any:
        return self.load(node.id)

    def _x_Subscript(self, node: ast.Subscript) -> Any:
        obj = self.ev(node.value)
        if not isinstance(obj, (str, list, tuple, dict)):
            raise ExpressionError(f"cannot index {type(obj).__name__}")
        key = self.ev(node.slice)
        return self.produced(obj[key]) if isinstance(key, slice) else obj[key]

    def _x_Slice(self, node: ast.Slice) -> slice:
        return slice(*(None if part is None else self.ev(part) for part in (node.lower, node.upper, node.step)))

    def _x_BinOp(self, node: ast.BinOp) -> Any:
        return self.binop(node.op, self.ev(node.left), self.ev(node.right))

    def _x_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.ev(node.operand))

    def _x_BoolOp(self, node: ast.BoolOp) -> Any:
        is_and, value = isinstance(node.op, ast.And), None
        for expr in node.values:
            value = self.ev(expr)
            if bool(value) != is_and:  # short-circuit: first falsy for `and`, first truthy for `or`
                return value
        return value

    def _x_Compare(self, node: ast.Compare) -> Any:
        left, result = self.ev(node.left), True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.ev(comparator)
            result = _CMPOPS[type(op)](left, right)
            if not result:
                return result
            left = right
        return result

    def _x_IfExp(self, node: ast.IfExp) -> Any:
        return self.ev(node.body) if self.ev(node.test) else self.ev(node.orelse)

    def _x_List(self, node: ast.List | ast.Tuple | ast.Set) -> Any:
        return self.produced(_DISPLAYS[type(node)](self.ev(e) for e in node.elts))

    _x_Tuple = _x_Set = _x_List

    def _x_Dict(self, node: ast.Dict) -> Any:
        return self.produced({self.ev(cast(ast.expr, k)): self.ev(v) for k, v in zip(node.keys, node.values,
                                                                                    strict=True)})

    def _x_ListComp(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp) -> Any:
        # Generator expressions are evaluated eagerly: a generator object would expose gi_frame.
        out: list[Any] = []
        saved, self.local = self.local, dict(self.local or {})
        try:
            self.loop(node.generators, lambda: out.append(
                (self.ev(node.key), self.ev(node.value)) if isinstance(node, ast.DictComp) else self.ev(node.elt)))
        finally:
            self.local = saved
        return self.produced(_DISPLAYS.get(type(node), list)(out))

    _x_GeneratorExp = _x_SetComp = _x_DictComp = _x_ListComp

    def _x_Call(self, node: ast.Call) -> Any:
        func, fn = node.func, None
        if isinstance(func, ast.Name) and (fn := self.functions.get(func.id)) is None:
            raise ExpressionError(f"unknown function {func.id!r}")
        target = self.ev(func.value) if isinstance(func, ast.Attribute) else None
        args = [self.ev(a) for a in node.args]
        kwargs = {cast(str, k.arg): self.ev(k.value) for k in node.keywords}
        if any(callable(v) for v in (*args, *kwargs.values())):
            # task data may hold callables; never let sorted(key=...) & co. call them for us
            raise ExpressionError("functions cannot be passed as arguments")
        if fn is None:
            return self.call_method(target, cast(ast.Attribute, func).attr, args, kwargs)
        return self.produced(fn(*args, **kwargs))

    def _x_JoinedStr(self, node: ast.JoinedStr) -> str:
        parts, room = [], self.limits.max_length
        for value in node.values:
            text = _to_str(self.ev(value.value if isinstance(value, ast.FormattedValue) else value), room)
            room -= len(text)
            parts.append(text)
        return "".join(parts)

    # statements: scripts only

    def _x_Module(self, node: ast.Module) -> None:
        self.block(node.body)

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.ev(stmt)

    def _x_Expr(self, node: ast.Expr) -> None:
        self.ev(node.value)

    def _x_Assign(self, node: ast.Assign) -> None:
        value = self.ev(node.value)
        for target in node.targets:
            self.assign(target, value)

    def _x_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Subscript):
            obj, key = self.item(node.target)
            obj[key] = self.binop(node.op, obj[key], self.ev(node.value), inplace=True)
        else:
            name = cast(ast.Name, node.target)
            self.assign(name, self.binop(node.op, self.load(name.id), self.ev(node.value), inplace=True))

    def _x_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            obj, key = self.item(cast(ast.Subscript, target))
            del obj[key]

    def _x_If(self, node: ast.If) -> None:
        self.block(node.body if self.ev(node.test) else node.orelse)

    def _x_For(self, node: ast.For) -> None:
        for item in self.iterable(self.ev(node.iter)):
            self.assign(node.target, item)
            try:
                self.block(node.body)
            except _Break:
                break
            except _Continue:
                continue
        else:
            self.block(node.orelse)

    def _x_While(self, node: ast.While) -> None:
        while self.ev(node.test):
            try:
                self.block(node.body)
            except _Break:
                break
            except _Continue:
                continue
        else:
            self.block(node.orelse)

    def _x_Pass(self, node: ast.Pass) -> None:
        pass

    def _x_Break(self, node: ast.Break) -> None:
        raise _Break

    def _x_Continue(self, node: ast.Continue) -> None:
        raise _Continue


_HANDLERS: dict[type, Callable[[_Interpreter, Any], Any]] = {
    getattr(ast, name[3:]): fn for name, fn in vars(_Interpreter).items() if name.startswith("_x_")
}


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


def _run(source: str, mode: str, names: Mapping[str, Any], limits: Limits,
         functions: Mapping[str, Callable[..., Any]] | None, *, tree: ast.AST | None = None) -> Any:
    if tree is None:
        tree, problems = _compile(source, mode)
        if problems:
            raise ExpressionError(problems[0][1], problems[0][0] or None, source)
    token = _LIMITS.set(limits)
    try:
        return _Interpreter(names, limits, DEFAULT_FUNCTIONS if functions is None else functions).ev(tree)
    except ExpressionError as err:
        err.source = err.source or source
        raise
    except (_Break, _Continue):
        raise ExpressionError("'break' or 'continue' outside a loop", None, source) from None
    finally:
        _LIMITS.reset(token)


def evaluate(expression: str, names: Mapping[str, Any], limits: Limits = Limits(),
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """Evaluate one expression against ``names`` (task data); functions default to DEFAULT_FUNCTIONS."""
    return _run(expression, "eval", names, limits, functions)


def execute(script: str, names: MutableMapping[str, Any], limits: Limits = Limits(),
            functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
    """Run a script's statements; assignments write into ``names`` (the task data)."""
    _run(script, "exec", names, limits, functions)


# --- deploy-time checks ------------------------------------------------------------------------------------

def _variable_nodes(tree: ast.AST, calls: set[int]) -> set[int]:
    """ids of the nodes that depend on task data (or on a function we cannot run at deploy time)."""
    variable: set[int] = set()
    for node in reversed(list(ast.walk(tree))):  # breadth-first, reversed: children before parents
        if (isinstance(node, ast.Name) and (id(node) not in calls or node.id not in DEFAULT_FUNCTIONS)
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
        return _run("", "eval", {}, _DEFAULT_LIMITS, None, tree=node), None
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


def check(source: str, *, mode: str = "eval", functions: Collection[str] | None = None) -> list[str]:
    """Problems with an expression (mode "eval") or a script ("exec"); empty when it may be deployed.

    ``functions`` names every callable function (default: DEFAULT_FUNCTIONS), as for evaluate().
    """
    try:
        tree, structural = _compile(source, mode)
    except ExpressionError as err:
        return [str(err)]
    known = DEFAULT_FUNCTIONS if functions is None else functions
    problems = [str(ExpressionError(message, line or None)) for line, message in structural] + [
        str(ExpressionError(f"unknown function {n.func.id!r}", n.lineno)) for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and not _bad_name(n.func.id)
        and n.func.id not in known]
    if problems:
        return problems
    variable = _variable_nodes(tree, {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)})
    # Refuse 10**10**8 & co. now, at deploy time, rather than when a user completes a task.
    problems += [problem for node in _constants(tree, variable) if (problem := _fold(node)[1])]
    in_loops = {id(n) for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.While))
                for stmt in loop.body for n in ast.walk(stmt)}
    problems += [str(ExpressionError("'break'/'continue' outside a loop", n.lineno)) for n in ast.walk(tree)
                 if isinstance(n, (ast.Break, ast.Continue)) and id(n) not in in_loops]
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and not _has_break(node.body) and id(node.test) not in variable:
            value, problem = _fold(node.test) if not isinstance(node.test, ast.Constant) else (node.test.value, None)
            if value and not problem:
                problems.append(str(ExpressionError(
                    "endless loop: the 'while' condition is always true and the body has no 'break'", node.lineno)))
    return problems


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment: every expression, script and service call goes through here."""

    def __init__(self, *, allow_scripts: bool = False, limits: Limits = Limits(),
                 script_limits: Limits = Limits(max_steps=1_000_000, max_seconds=2.0),
                 functions: Mapping[str, Callable[..., Any]] | None = None,
                 services: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None) -> None:
        super().__init__({})
        self.allow_scripts, self.limits, self.script_limits = allow_scripts, limits, script_limits
        self.functions: Mapping[str, Callable[..., Any]] = types.MappingProxyType(
            {**DEFAULT_FUNCTIONS, **(functions or {})})
        self.services: dict[str, Callable[[dict[str, Any]], Any]] = dict(services or {})

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        names = {**external_context, **context} if external_context else context
        return evaluate(expression, names, self.limits, self.functions)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        if not self.allow_scripts:
            raise ExpressionError("script tasks are disabled")
        # Reads see the task data first, then the external context; writes go to the task data.
        names = ChainMap(context, dict(external_context)) if external_context else context
        execute(script, names, self.script_limits, self.functions)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        name, params = kwargs.get("operation_name"), kwargs.get("operation_params") or {}
        service = self.services.get(name) if isinstance(name, str) else None
        if service is None:
            raise ExpressionError(f"unknown service operator {name!r}")
        return json.dumps(service({key: param["value"] for key, param in params.items()}))
