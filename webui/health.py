"""/healthz and /readyz: what a load balancer and a monitor ask, without signing in.

/readyz: this process can serve (database reachable, schema at this release's head).
/healthz: that, and a worker has finished a round recently (SCHEMEFLOW_HEARTBEAT_MAX_AGE).
200 when every check passes, 503 naming the failing ones otherwise; nothing secret in either.
"""
from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify
from werkzeug.wrappers import Response

from engine import health
from webui.extensions import csrf
from webui.extensions import get_db

bp = Blueprint("health", __name__)
csrf.exempt(bp)  # GET only; exempt so a probe never meets a form rule


def _answer(report: health.Report) -> tuple[Response, int]:
    body = {"status": "ok" if report.ok else "failing", "failing": report.failing,
            "checks": {c.name: {"ok": c.ok, **c.detail} for c in report.checks}}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if report.ok else 503


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    return _answer(health.check(get_db(), heartbeat_max_age=current_app.config["HEARTBEAT_MAX_AGE_SECONDS"]))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    return _answer(health.check(get_db(), heartbeat_max_age=None))
