"""The process editor's JSON endpoints under /admin/ (session cookie + the X-CSRFToken header the
page sends): save the draft, run the deploy checks on what is being edited, deploy the saved
draft, and render a form preview with the task page's own code. The admin gate and every engine
call refuse anyone but an administrator."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

import engine
from webui.admin import bp
from webui.admin.problems import explained
from webui.extensions import get_db
from webui.i18n import format_datetime
from webui.reasons import explain
from webui.tasks import form_render


def _files(data: Any) -> dict[str, str]:
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise engine.InvalidData("'files' must map file names to their text",
                                 [{"field": "files", "message": "invalid"}], reason="invalid_draft")
    return {str(k): v for k, v in files.items()}


def _problems(problems: list[engine.Problem]) -> list[dict[str, object]]:
    return [explained(p) for p in problems]


@bp.post("/processes/<key>/draft")
def processes_save(key: str) -> tuple[Response, int]:
    data = request.get_json(silent=True)
    base = data.get("base_version") if isinstance(data, dict) else None
    try:
        draft = engine.drafts.save(get_db(), key, _files(data), user_id=current_user.id,
                                   base_version=base if isinstance(base, int) and not isinstance(base, bool) else None,
                                   max_bytes=current_app.config["MAX_DEFINITION_BYTES"])
    except engine.InvalidData as exc:
        return jsonify({"message": explain(exc) or _("That did not work.")}), 400
    return jsonify({"key": draft.key, "saved_by": draft.saved_by,
                    "saved_at": format_datetime(draft.saved_at) if draft.saved_at else None}), 200


@bp.post("/processes/<key>/validate")
def processes_validate(key: str) -> tuple[Response, int]:
    try:
        files = _files(request.get_json(silent=True))
    except engine.InvalidData as exc:
        return jsonify({"message": explain(exc) or _("That did not work.")}), 400
    problems = engine.validate_bundle(get_db(), [(n, t.encode()) for n, t in sorted(files.items())],
                                      user_id=current_user.id, max_bytes=current_app.config["MAX_DEFINITION_BYTES"],
                                      allow_scripts=current_app.config["ALLOW_SCRIPT_TASKS"])
    return jsonify({"key": key, "problems": _problems(problems)}), 200


@bp.post("/processes/<key>/deploy")
def processes_deploy(key: str) -> tuple[Response, int]:
    """Deploy the saved draft of ``key`` as the signed-in administrator (422 with every problem)."""
    try:
        deployed = engine.drafts.deploy(get_db(), key, user_id=current_user.id,
                                        max_bytes=current_app.config["MAX_DEFINITION_BYTES"],
                                        allow_scripts=current_app.config["ALLOW_SCRIPT_TASKS"])
    except engine.DeployError as exc:
        return jsonify({"message": _("The draft was not deployed: %(n)s problems. The live version stays live.",
                                     n=len(exc.problems)), "problems": _problems(exc.problems)}), 422
    except engine.NotFound as exc:
        return jsonify({"message": explain(exc) or _("That did not work.")}), 404
    mine = next((d for d in deployed if d.key == key), deployed[0])
    files = engine.catalog.version_files(get_db(), mine.key, mine.version, user_id=current_user.id)
    main = engine.drafts.main_file(mine.key, {n: engine.drafts.as_text(c) for n, k, c in files if k == "bpmn"})
    return jsonify({"deployed": [{"key": d.key, "version": d.version, "name": d.name, "created": d.created}
                                 for d in deployed],
                    "live_url": url_for("admin.processes_file", key=mine.key, number=mine.version, name=main)
                    if main else None}), 200


@bp.post("/processes/form-preview")
def processes_form_preview() -> str:
    """The task form a JSON Schema and UI schema make, as the task page renders it (an HTML fragment)."""
    check = engine.drafts.check_form(get_db(), request.form.get("schema", ""), request.form.get("ui", ""),
                                     user_id=current_user.id)
    fields = form_render.build(check.schema, check.ui, {})[0] if check.schema is not None else []
    return render_template("admin/_form_preview.html", check=check, fields=fields)
