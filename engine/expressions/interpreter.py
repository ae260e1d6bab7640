"""The interpreter: walks a tree that passed the allow-lists, charging every step and size to its limits."""
from __future__ import annotations

import ast
import itertools
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import MutableMapping
from typing import Any
from typing import cast

from engine.expressions.errors import ExpressionError
from engine.expressions.errors import LimitExceeded
from engine.expressions.guards import _BINOP_GUARDS
from engine.expressions.guards import _CELLS_PER_STEP
from engine.expressions.guards import _DEEP
from engine.expressions.guards import _DEFAULT_LIMITS
from engine.expressions.guards import _GROWS
from engine.expressions.guards import _GROWS_BY_ONE
from engine.expressions.guards import _LIMITS
from engine.expressions.guards import _MAX_DEPTH
from engine.expressions.guards import _SIZED
from engine.expressions.guards import DEFAULT_FUNCTIONS
from engine.expressions.guards import Limits
from engine.expressions.guards import _is_int
from engine.expressions.guards import _to_str
from engine.expressions.guards import _too_big
from engine.expressions.guards import _too_long
from engine.expressions.rules import _BINOPS
from engine.expressions.rules import _CMPOPS
from engine.expressions.rules import _DESCRIBE
from engine.expressions.rules import _UNARY
from engine.expressions.rules import _bad_name
from engine.expressions.rules import _compile
from engine.expressions.rules import _line
from engine.expressions.rules import _methods_of

_DISPLAYS: dict[type, Callable[[Iterable[Any]], Any]] = {
    ast.List: list, ast.Tuple: tuple, ast.Set: set, ast.SetComp: set, ast.DictComp: dict}


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
        if name not in _methods_of(obj):
            raise ExpressionError(f"method {name!r} is not allowed on {type(obj).__name__}")
        args = self.guard_method(obj, name, args, kwargs)
        result = getattr(obj, name)(*args, **kwargs)
        if name in ("keys", "values", "items"):
            result = list(result)  # views would expose .mapping and do not serialize
        return result if name in ("get", "pop", "setdefault") else self.produced(result)

    def guard_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
        """Refuse a method call whose result would be too large before it runs; return the arguments to call it with."""
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
        return args

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


def evaluate(expression: str, names: Mapping[str, Any], limits: Limits = _DEFAULT_LIMITS,
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """Evaluate one expression against ``names`` (task data); functions default to DEFAULT_FUNCTIONS."""
    return _run(expression, "eval", names, limits, functions)


def execute(script: str, names: MutableMapping[str, Any], limits: Limits = _DEFAULT_LIMITS,
            functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
    """Run a script's statements; assignments write into ``names`` (the task data)."""
    _run(script, "exec", names, limits, functions)
