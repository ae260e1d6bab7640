"""The process pages of the admin area: the catalogue of definitions, one process's version
history with its downloads, and the editor opened on a draft, a deployed version or a new process.

What the editor calls while an administrator works (save, validate, deploy, the form preview) is
in ``process_api``; both ask the engine, which checks the administrator on every call.
"""
from __future__ import annotations

import io
import zipfile
from typing import Any

from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response as BaseResponse

import engine
from webui.admin import bp
from webui.admin.editor_strings import strings
from webui.extensions import get_db
from webui.i18n import format_datetime
from webui.i18n import is_english
from webui.layout import role_label
from webui.reasons import explain


@bp.get("/processes")
def processes() -> str:
    catalog = engine.catalog.list_processes(get_db(), user_id=current_user.id)
    return render_template("admin/processes.html", catalog=catalog)


@bp.get("/processes/<key>")
def processes_detail(key: str) -> str:
    row = engine.catalog.process(get_db(), key, user_id=current_user.id)
    return render_template("admin/process.html", p=row)


@bp.post("/processes/new")
def processes_new() -> BaseResponse:
    key = (request.form.get("key") or "").strip()
    name = (request.form.get("name") or "").strip() or key
    try:
        engine.drafts.start_new(get_db(), key, user_id=current_user.id, name=name, task_name=_("Fill in"),
                                field_label=_("Summary"))
    except (engine.InvalidData, engine.ConflictError) as exc:
        flash(explain(exc) or _("That did not work."), "error")
        return redirect(url_for("admin.processes"))
    return redirect(url_for("admin.processes_draft", key=key))


@bp.post("/processes/import")
def processes_import() -> BaseResponse:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a BPMN file to import."), "error")
        return redirect(url_for("admin.processes"))
    try:
        draft = engine.drafts.import_file(get_db(), upload.filename, upload.read(), user_id=current_user.id,
                                          max_bytes=current_app.config["MAX_DEFINITION_BYTES"])
    except (engine.InvalidData, engine.ConflictError) as exc:
        flash(explain(exc) or _("That did not work."), "error")
        return redirect(url_for("admin.processes"))
    return redirect(url_for("admin.processes_draft", key=draft.key))


@bp.get("/processes/<key>/draft")
def processes_draft(key: str) -> str:
    draft = engine.drafts.load(get_db(), key, user_id=current_user.id)
    return _editor(draft)


@bp.get("/processes/<key>/versions/<int:number>")
def processes_version(key: str, number: int) -> str:
    draft = engine.drafts.from_version(get_db(), key, number, user_id=current_user.id)
    return _editor(draft)


@bp.post("/processes/<key>/draft/discard")
def processes_discard(key: str) -> BaseResponse:
    engine.drafts.discard(get_db(), key, user_id=current_user.id)
    flash(_("The draft was discarded; the live version is unchanged."), "success")
    try:
        engine.catalog.process(get_db(), key, user_id=current_user.id)
    except engine.NotFound:
        return redirect(url_for("admin.processes"))
    return redirect(url_for("admin.processes_detail", key=key))


@bp.get("/processes/<key>/versions/<int:number>/files/<name>")
def processes_file(key: str, number: int, name: str) -> Response:
    files = engine.catalog.version_files(get_db(), key, number, user_id=current_user.id)
    found = next((f for f in files if f[0] == name), None)
    if found is None:
        raise engine.NotFound(f"no file {name!r}", reason="file_not_found")
    mimetype = "application/json" if found[1] == "form" else "application/xml"
    return send_file(io.BytesIO(found[2]), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/processes/<key>/versions/<int:number>/files.zip")
def processes_zip(key: str, number: int) -> Response:
    files = engine.catalog.version_files(get_db(), key, number, user_id=current_user.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, _kind, content in files:
            archive.writestr(name, content)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"{key}-v{number}.zip")


def _editor(draft: engine.drafts.Draft) -> str:
    """The editor page on ``draft`` (saved or not), with what its script needs as JSON."""
    db = get_db()
    try:
        live: Any = engine.catalog.process(db, draft.key, user_id=current_user.id)
    except engine.NotFound:
        live = None
    live_number = live.live.number if live else None
    main = draft.main
    saved = engine.drafts.list_drafts(db, user_id=current_user.id)
    config = {
        "key": draft.key, "files": draft.files, "main": main, "base_version": draft.base_version,
        "live_version": live_number, "unsaved": draft.saved_at is None, "csrf": generate_csrf(),
        "lang": "en" if is_english() else "zh", "strings": strings(),
        "lanes": {lane: role_label(role) for lane, role in engine.LANE_ROLES.items()},
        "urls": {"save": url_for("admin.processes_save", key=draft.key),
                 "validate": url_for("admin.processes_validate", key=draft.key),
                 "deploy": url_for("admin.processes_deploy", key=draft.key),
                 "preview": url_for("admin.processes_form_preview"),
                 "live": url_for("admin.processes_file", key=draft.key, number=live_number, name=main)
                 if live and main and main in live.live.files else None},
    }
    other_draft = draft.saved_at is None and any(d.key == draft.key for d in saved)
    saved_text = (_("Saved by %(who)s at %(when)s", who=draft.saved_by or "", when=format_datetime(draft.saved_at))
                  if draft.saved_at else "")
    return render_template("admin/editor.html", draft=draft, live=live, config=config, other_draft=other_draft,
                           saved_text=saved_text)


from webui.admin import process_api  # noqa: E402,F401  (the editor's JSON endpoints register on bp)
