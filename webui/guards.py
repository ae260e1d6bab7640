"""Request and response guards for every page and API call: malformed form bodies and NUL
characters refused before any route runs, and the security headers browsers act on."""
from __future__ import annotations

from flask import Flask
from flask import Request
from flask import abort
from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from webui.params import has_nul

# Scripts and styles come from our own static files only (npm packages copied there); the JSON
# data blocks in pages are not executed. Inline style attributes stay allowed (Bootstrap
# utilities, bpmn-js and Chart.js set them). No page may be framed by another site.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}


class FormRequest(Request):
    """Refuses a form body werkzeug parses into fields without a name.

    A multipart part whose name werkzeug cannot read (``name="a\\"``, no name at all) becomes a field
    keyed ``None``, which every later use of the form trips over (a 500); such a body is malformed,
    so reading the form of the request answers 400 instead, on every route at once."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if any(not isinstance(key, str) for key in (*self.form.keys(), *self.files.keys())):
            # Empty, so nothing that reads the form afterwards (the error page) trips over it.
            self.__dict__["form"] = self.__dict__["files"] = self.parameter_storage_class()
            raise BadRequest("malformed form data: a field without a readable name")


def init_app(app: Flask) -> None:
    app.request_class = FormRequest

    @app.before_request
    def _refuse_nul() -> None:
        if has_nul(request):
            abort(400, "NUL characters are not accepted")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
