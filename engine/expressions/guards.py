"""Limits and the guards that hold them: size checks that run before Python allocates a result, and
the generic functions (Python builtins made safe) every expression may call."""
from __future__ import annotations

import ast
import contextvars
import itertools
import types
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.expressions.errors import ExpressionError
from engine.expressions.errors import LimitExceeded
from engine.expressions.rules import _STRING_MOD


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
# Methods that enlarge their object: the size check and the charge come before the call.
_GROWS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "union"})
_GROWS_BY_ONE = frozenset({"append", "insert", "setdefault", "add"})
_SIZED = (str, list, tuple, dict, set, frozenset)
_DEEP = frozenset(_SIZED)


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


# --- generic functions, Python's made safe: plain values in; str, int, float, list or dict out ------------

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


DEFAULT_FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "len": len, "min": min, "max": max, "sum": _sum, "abs": abs, "round": _round, "int": int, "float": float,
    "str": lambda value="": _to_str(value, _LIMITS.get().max_length), "bool": bool, "sorted": sorted,
    "any": any, "all": all, "range": _range, "list": list, "dict": dict, "set": set, "tuple": tuple,
    "enumerate": lambda values, start=0: list(enumerate(values, start)),
    "zip": lambda *values: list(zip(*values, strict=False)), "reversed": lambda values: list(reversed(values)),
})
