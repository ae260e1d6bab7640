"""Error pages: engine errors and HTTP errors become a page that says what happened and what to do
(JSON under /api/, where the API blueprint's own handlers do not reach, e.g. an unknown path)."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from engine import DATABASE_UNAVAILABLE
from engine import EngineError
from webui.reasons import explain

ENGINE_STATUS = {"not_found": 404, "unauthenticated": 401, "forbidden": 403, "conflict": 409, "invalid_state": 409,
                 "validation_failed": 400, "invalid_definition": 400, "workflow_error": 422}

TITLES = {
    400: _l("The request could not be handled"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("Someone else changed this first"),
    413: _l("The upload is too large"),
    422: _l("The process could not continue"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is briefly unavailable"),
}
HINTS = {
    400: _l("Go back, check what you entered and try again."),
    403: _l("If you think you should see it, ask your administrator to check your role and jurisdiction."),
    404: _l("The link may be old, or the item is outside your jurisdiction."),
    405: _l("Use the buttons on the page instead of typing the address."),
    409: _l("Reload the page to see the latest state, then try again. Nothing you entered was saved."),
    413: _l("Choose a smaller file (see the limit beside the upload field)."),
    422: _l("An administrator has been told through the audit log; try again later or contact them."),
    500: _l("Try again in a moment. If it keeps happening, tell your administrator the time it happened."),
    503: _l("Nothing from this request was saved. Wait a few seconds and send it again."),
}


API_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 503: "unavailable"}


def api_error(status: int, code: str | None, message: str, details: list[Any] | None = None) -> tuple[Response, int]:
    """The API's one error shape: {"error": code, "message": …, "details": […]}."""
    return jsonify({"error": code or API_CODES.get(status, "error"), "message": message,
                    "details": details or []}), status


def render_error(status: int, message: str | None = None, code: str | None = None) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        return api_error(status, code, message or str(TITLES.get(status, TITLES[500])))
    return render_template("errors/error.html", status=status, title=TITLES.get(status, TITLES[500]),
                           hint=HINTS.get(status, HINTS[500]), message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def _engine(exc: EngineError) -> tuple[Response | str, int]:
        # A page gets the translated sentence for the error's reason, never the engine's English.
        status = ENGINE_STATUS.get(exc.code, 400)
        return render_error(status, exc.message if request.path.startswith("/api/") else explain(exc), exc.code)

    def _unavailable(exc: Exception) -> Response:
        # Down, restarting, unreachable: the transaction did not happen; say so and when to retry.
        current_app.logger.warning("database unavailable: %s", type(exc).__name__)
        response = make_response(*render_error(503))
        response.headers["Retry-After"] = "5"
        return response

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, _unavailable)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        if request.path.startswith("/api/"):
            return render_error(400, f"CSRF check failed: {exc.description}", "csrf_failed")
        return render_error(400, str(_l("The form expired or was sent from another site. Reload the page "
                                          "and submit again.")))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int, dict[str, str]]:
        return (*render_error(exc.code or 500), kept_headers(exc))


def kept_headers(exc: HTTPException) -> dict[str, str]:
    """The headers an HTTP error carries besides its body's type, e.g. a 405's ``Allow`` (RFC 9110
    requires it) or a 429's ``Retry-After``; replacing the error's body must not drop them."""
    return {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")}
