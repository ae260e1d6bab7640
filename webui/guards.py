"""Request and response guards for every page and API call: NUL characters refused before any
database call, and the security headers browsers act on."""
from __future__ import annotations

from flask import Flask
from flask import abort
from flask import request
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


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        if has_nul(request):
            abort(400, "NUL characters are not accepted")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
