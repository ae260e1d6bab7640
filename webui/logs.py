"""Logs: one JSON object per line (or readable text for the demo), a request id on every line
written while a request is handled, one line per request, and nothing secret in any of them."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from werkzeug.wrappers import Response

# What a request line carries (besides time, level, logger and message); never the query string,
# headers, cookies or the body, where passwords, tokens and session ids travel.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "remote_addr")
# An incoming X-Request-ID is kept only if it is short and plain (it is echoed and logged).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")
# Defence in depth for messages from libraries: "password=…", "token: …", "Bearer …", a URL's
# user:password@ are blanked whatever logged them.
SECRETS = re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|session)"
                     r"(\"?\s*[=:]\s*\"?)[^\s\"&,;]+")
BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"]+")
URL_PASSWORD = re.compile(r"(://[^:/@\s]+):[^@/\s]+@")
QUIET = ("alembic", "spiff", "SpiffWorkflow")


def redact(text: str) -> str:
    text = BEARER.sub("Bearer [redacted]", text)
    text = SECRETS.sub(r"\1\2[redacted]", text)
    return URL_PASSWORD.sub(r"\1:[redacted]@", text)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC, ISO 8601), level, logger, message, the
    request fields when there are any, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": redact(record.getMessage())}
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        return redact(super().format(record)) + (f" [{rid}]" if rid else "")


class RequestContext(logging.Filter):
    """Give every record written during a request that request's id (engine lines included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (a test runner may swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(fmt: str, level: str = "INFO") -> None:
    """Send every log line to standard error (systemd's journal) in ``fmt`` (json or text).

    Replaces only the handler an earlier call installed: others (a test runner's) stay."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "schemeflow", False)]:
        root.removeHandler(old)
    handler = StderrHandler()
    handler.schemeflow = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    quiet()


def quiet() -> None:
    """Libraries only when something is wrong: SpiffWorkflow logs every task state change at INFO."""
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def gunicorn_logconfig(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """gunicorn's own lines (workers booting, timeouts) in the same format on standard error."""
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"main": {"()": f"{__name__}.{'JsonFormatter' if fmt == 'json' else 'TextFormatter'}"}},
            "filters": {"request": {"()": f"{__name__}.RequestContext"}},
            "handlers": {"stderr": {"class": f"{__name__}.StderrHandler", "formatter": "main", "filters": ["request"]}},
            "root": {"level": level, "handlers": ["stderr"]},
            "loggers": {"gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
                        **{name: {"level": "WARNING"} for name in QUIET}}}


log = logging.getLogger("schemeflow.request")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        user = g.get("_login_user")  # only if this request loaded it: logging costs no query
        log.info("%s %s %s %s ms", request.method, request.path, response.status_code, duration, extra={
            "request_id": g.get("request_id"), "method": request.method, "path": request.path,
            "status": response.status_code, "duration_ms": duration, "remote_addr": request.remote_addr,
            "user_id": getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None})
        return response
