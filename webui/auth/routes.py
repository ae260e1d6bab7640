"""Sign-in and sign-out (the full web UI builds on this blueprint)."""
from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import url_for
from werkzeug.wrappers import Response

bp = Blueprint("auth", __name__)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("api.openapi"))


@bp.get("/login")
def login() -> Response:
    return redirect(url_for("api.openapi"))
