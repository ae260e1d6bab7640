"""The engine's domain errors; webui/ maps them to flashes and HTTP status codes."""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base of every error the engine raises on purpose.

    ``code`` is the kind (it decides the HTTP status), ``reason`` says exactly what happened
    ("task_not_found", "claimed_by_other" …) with ``params`` for the sentence; the web layer
    translates the reason for a page. ``message`` is the English sentence for logs and API clients.
    """

    code = "error"

    def __init__(self, message: str, details: list[dict[str, object]] | None = None, *,
                 reason: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.reason = reason or self.code
        self.params = params


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where it is and what is wrong."""

    file: str
    element: str | None
    line: int | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "element": self.element, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.element + ': ' if self.element else ''}{self.message}"


class DeployError(EngineError):
    """A definition was refused; ``problems`` lists every reason. Nothing was stored."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"definition refused ({len(problems)} problem(s)):\n{lines}",
                         [p.as_dict() for p in problems], n=len(problems))


class InvalidData(EngineError):
    """Submitted data does not match the task's form; one detail per field."""

    code = "validation_failed"


class NotFound(EngineError):
    code = "not_found"


class Forbidden(EngineError):
    code = "forbidden"


class Unauthenticated(EngineError):
    """The caller's credential (an API token) does not name an active user."""

    code = "unauthenticated"


class ConflictError(EngineError):
    """Someone else changed the instance or task first; nothing was changed."""

    code = "conflict"


class InvalidState(ConflictError):
    """The task or instance is not in a state that allows this action."""

    code = "invalid_state"


class WorkflowFailed(EngineError):
    """The process itself failed (e.g. an expression error); the instance is marked ``error``."""

    code = "workflow_error"
