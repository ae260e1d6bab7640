"""The JSON API under /api/v1: Bearer tokens or the browser session; errors as JSON."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

import engine
from webui.api import serialize
from webui.api.openapi import document
from webui.errors import API_CODES
from webui.errors import ENGINE_STATUS
from webui.errors import api_error as error
from webui.errors import kept_headers
from webui.extensions import csrf
from webui.extensions import get_db
from webui.params import MAX_ID
from webui.params import MAX_PAGE
from webui.params import MAX_PER_PAGE

bp = Blueprint("api", __name__)
csrf.exempt(bp)

PUBLIC = {"api.openapi"}
TRUE = ("1", "true", "yes")


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def caller() -> engine.Caller:
    """Who this request acts as. A Bearer token is handed to the engine unopened, to be looked up in
    the transaction of the call itself (one transaction per API request); else the session's user."""
    token = bearer_token()
    return engine.Token(token) if token else int(current_user.id)


def unauthenticated() -> tuple[Response, int, dict[str, str]]:
    # RFC 9110: a 401 names the scheme to authenticate with
    return (*error(401, "unauthenticated", "sign in or send 'Authorization: Bearer <token>'"),
            {"WWW-Authenticate": 'Bearer realm="schemeflow"'})


@bp.before_request
def _authenticate() -> tuple[Response, int, dict[str, str]] | None:
    if request.endpoint in PUBLIC or bearer_token():
        return None  # a token request is authenticated by the engine call it makes (401 if unknown)
    if not current_user.is_authenticated:
        return unauthenticated()
    # Cookie-authenticated writes need the CSRF token; token clients cannot be forged by a page.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


@bp.errorhandler(engine.EngineError)
def _engine_error(exc: engine.EngineError) -> tuple[Response, int]:
    return error(ENGINE_STATUS.get(exc.code, 400), exc.code, exc.message, exc.details)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int, dict[str, str]]:
    code = API_CODES.get(exc.code or 500, "error")
    return (*error(exc.code or 500, code, exc.description or code), kept_headers(exc))


def body() -> dict[str, Any]:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # JSON nested deeper than the parser goes
        data = None
    if data is None and request.content_length:
        raise engine.InvalidData("the request body is not valid JSON", [{"field": "", "message": "invalid JSON"}])
    if data is not None and not isinstance(data, dict):
        raise engine.InvalidData("the request body must be a JSON object")
    return data or {}


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 10 or abs(int(raw)) > MAX_ID:
        raise engine.InvalidData(f"{name} must be an integer", [{"field": name, "message": "not an integer"}])
    return int(raw)


def paging() -> tuple[int, int]:
    """(page, per_page) from the query: 1..MAX_PAGE and 1..MAX_PER_PAGE, else a 400."""
    page_no, per_page = int_arg("page", 1), int_arg("per_page", 50)
    for name, value, top in (("page", page_no, MAX_PAGE), ("per_page", per_page, MAX_PER_PAGE)):
        if value is None or not 1 <= value <= top:
            raise engine.InvalidData(f"{name} must be between 1 and {top}",
                                     [{"field": name, "message": "out of range"}])
    return page_no or 1, per_page or 1


def id_field(data: dict[str, Any], key: str) -> int | None:
    """An optional id in a JSON body: an integer a database column can hold."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_ID:
        raise engine.InvalidData(f"{key} must be an integer", [{"field": key, "message": "not an integer"}])
    return value


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/me")
def me() -> Response | tuple[Response, int, dict[str, str]]:
    if not current_user.is_authenticated:  # a token that names no active user
        return unauthenticated()
    return jsonify(serialize.me(current_user))


@bp.get("/pilots")
def pilots() -> Response:
    items = [serialize.pilot(p) for p in engine.list_pilots(get_db(), user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.get("/definitions")
def definitions() -> Response:
    items = [serialize.definition(d) for d in engine.list_definitions(get_db())]
    return jsonify(serialize.page(items, len(items)))


@bp.post("/definitions")
def deploy() -> tuple[Response, int]:
    uploads = request.files.getlist("files") or list(request.files.values())
    if not uploads:
        raise engine.InvalidData("send the BPMN, DMN and form files as multipart field 'files'",
                                 [{"field": "files", "message": "required"}])
    from flask import current_app

    deployed = engine.deploy(get_db(), [(f.filename or "upload", f.read()) for f in uploads],
                             user_id=caller(), max_bytes=current_app.config["MAX_DEFINITION_BYTES"],
                             allow_scripts=current_app.config["ALLOW_SCRIPT_TASKS"])
    first = deployed[0]
    payload = {**serialize.definition(first), "created": first.created,
               "deployed": [{**serialize.definition(d), "created": d.created} for d in deployed]}
    return jsonify(payload), (201 if any(d.created for d in deployed) else 200)


@bp.post("/instances")
def start_instance() -> tuple[Response, int]:
    data = body()
    process = data.get("process")
    if not isinstance(process, str) or not process:
        raise engine.InvalidData("'process' (a definition key) is required",
                                 [{"field": "process", "message": "required"}])
    ids = {k: id_field(data, k) for k in ("pilot_id", "province_id")}
    instance_id = engine.start(get_db(), process, user_id=caller(), **ids)
    return jsonify(serialize.instance(engine.get_instance(get_db(), instance_id, user_id=caller()))), 201


@bp.get("/instances")
def list_instances() -> Response:
    state = request.args.get("state") or None
    if state and state not in ("running", "suspended", "completed", "cancelled", "error"):
        raise engine.InvalidData("unknown state", [{"field": "state", "message": "unknown value"}])
    page_no, per_page = paging()
    items, total = engine.list_instances(get_db(), user_id=caller(), pilot_id=int_arg("pilot_id"),
                                         state=state, process=request.args.get("process") or None,
                                         limit=per_page, offset=(page_no - 1) * per_page)
    return jsonify(serialize.page([serialize.instance(i, False) for i in items], total, page_no, per_page))


@bp.get("/instances/<int:instance_id>")
def get_instance(instance_id: int) -> Response:
    return jsonify(serialize.instance(engine.get_instance(get_db(), instance_id, user_id=caller())))


@bp.get("/instances/<int:instance_id>/events")
def instance_events(instance_id: int) -> Response:
    items = [serialize.event(e) for e in engine.instance_events(get_db(), instance_id, user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.post("/instances/<int:instance_id>/messages")
def send_message(instance_id: int) -> Response:
    data = body()
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise engine.InvalidData("'name' is required", [{"field": "name", "message": "required"}])
    engine.send_message(get_db(), instance_id, name, user_id=caller(), payload=data.get("payload"))
    return jsonify(serialize.instance(engine.get_instance(get_db(), instance_id, user_id=caller())))


@bp.post("/instances/<int:instance_id>/<any(suspend, resume, cancel):action>")
def admin_action(instance_id: int, action: str) -> Response:
    reason = body().get("reason")
    getattr(engine, action)(get_db(), instance_id, user_id=caller(),
                            reason=reason if isinstance(reason, str) else "")
    return jsonify(serialize.instance(engine.get_instance(get_db(), instance_id, user_id=caller())))


@bp.post("/instances/<int:instance_id>/migrate")
def migrate(instance_id: int) -> Response:
    """Dry run (the default) or migrate one instance to another version of its process (admin)."""
    data = body()
    to_version = id_field(data, "to_version")
    if to_version is None:
        raise engine.InvalidData("'to_version' (integer) is required", [{"field": "to_version", "message": "required"}])
    dry_run = data.get("dry_run", True)
    if not isinstance(dry_run, bool):
        raise engine.InvalidData("'dry_run' must be true or false", [{"field": "dry_run", "message": "not a boolean"}])
    if dry_run:
        plan = engine.migration.plan(get_db(), [instance_id], to_version=to_version, user_id=caller())
    else:
        plan = engine.migration.migrate(get_db(), [instance_id], to_version=to_version, user_id=caller(),
                                        reason=_reason(data))
    return jsonify(serialize.migration(plan, dry_run))


@bp.post("/instances/<int:instance_id>/migrate/revert")
def revert_migration(instance_id: int) -> Response:
    """Put back the state and version the instance had before its last migration (admin)."""
    view = engine.migration.revert(get_db(), instance_id, user_id=caller(), reason=_reason(body()))
    return jsonify(serialize.instance(view))


def _reason(data: dict[str, Any]) -> str | None:
    reason = data.get("reason")
    return reason if isinstance(reason, str) else None


@bp.get("/tasks")
def tasks() -> Response:
    scope = request.args.get("scope", "group")
    if scope not in engine.TASK_SCOPES:
        raise engine.InvalidData("scope must be one of " + ", ".join(engine.TASK_SCOPES),
                                 [{"field": "scope", "message": "unknown"}])
    page_no, per_page = paging()
    args = request.args
    sort = args.get("sort") or ""
    if sort and sort not in engine.TASK_SORTS:
        raise engine.InvalidData("sort must be one of " + ", ".join(engine.TASK_SORTS),
                                 [{"field": "sort", "message": "unknown"}])
    query = engine.TaskQuery(scope=scope, province_id=int_arg("province_id"), pilot_id=int_arg("pilot_id"),
                             bpmn_id=args.get("bpmn_id") or None, overdue=args.get("overdue") in TRUE,
                             search=(args.get("search") or "").strip()[:100], sort=sort,
                             descending=args.get("descending") in TRUE, page=page_no, per_page=per_page)
    result = engine.tasks_for(get_db(), caller(), query)
    items = [serialize.task(t) | {"may": serialize.rights(result.rights[t.id])} for t in result.items]
    return jsonify(serialize.page(items, result.total, result.page, result.per_page))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    return jsonify(serialize.task_detail(engine.get_task(get_db(), task_id, user_id=caller())))


@bp.post("/tasks/<task_id>/<any(claim, unclaim):action>")
def claim(task_id: str, action: str) -> Response:
    getattr(engine, action)(get_db(), task_id, user_id=caller())
    return jsonify(serialize.task_detail(engine.get_task(get_db(), task_id, user_id=caller())))


@bp.post("/tasks/<task_id>/reassign")
def reassign(task_id: str) -> Response:
    to_user = id_field(body(), "user_id")
    if to_user is None:
        raise engine.InvalidData("'user_id' (integer) is required", [{"field": "user_id", "message": "required"}])
    engine.reassign(get_db(), task_id, user_id=caller(), to_user_id=to_user)
    return jsonify(serialize.task_detail(engine.get_task(get_db(), task_id, user_id=caller())))


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> Response:
    data = body()
    expected = data.get("instance_version")
    view = engine.complete(get_db(), task_id, user_id=caller(), data=data.get("data", {}),
                           instance_version=expected if isinstance(expected, int) and not isinstance(expected, bool)
                           else None)
    return jsonify(serialize.instance(view))


from webui.api import filters  # noqa: E402,F401  (their routes register on bp)
from webui.api import notifications  # noqa: E402,F401
from webui.api import records  # noqa: E402,F401
from webui.api import users  # noqa: E402,F401
