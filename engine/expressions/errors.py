"""The two errors of the sandbox: what callers catch when an expression is refused, fails or runs out."""
from __future__ import annotations


class ExpressionError(Exception):
    """An expression or script was refused, failed, or broke a limit."""

    def __init__(self, message: str, lineno: int | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.message, self.lineno, self.source = message, lineno, source

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}" if self.lineno else self.message


class LimitExceeded(ExpressionError):
    """A step, time, size or integer-size budget ran out."""
