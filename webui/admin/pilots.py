"""Pilots in the admin area: the nationwide list with a search, and importing a pilot list (CSV or
Excel) in two steps: the preview says what would be created, what exists and what is wrong with
each bad row; only a file without bad rows can be imported, in one transaction.

Between the two steps the uploaded bytes wait in IMPORT_DIR under their sha256 (the confirm form
names the digest, so it cannot swap the file); the engine reads and checks them again on import.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

import engine
from webui.admin import bp
from webui.admin.forms import ConfirmImportForm
from webui.admin.forms import PilotFileForm
from webui.extensions import get_db
from webui.reasons import explain

STASH_HOURS = 24
PROBLEMS = {
    "province_empty": _l("the province is empty"),
    "name_empty": _l("the name is empty"),
    "too_long": _l("the name or the province is too long"),
    "formula": _l("a cell begins with =, +, - or @ (a spreadsheet formula)"),
    "level_unknown": _l("the level “%(value)s” is not one of 市 (city), 区 (district), 县 (county), 镇 (town)"),
    "batch_year_invalid": _l("the batch year “%(value)s” is not a year between 2000 and 2100"),
    "duplicate": _l("the same pilot is already on line %(value)s of the file"),
}


def problem_text(problem: engine.reference.RowProblem) -> str:
    return str(PROBLEMS[problem.code]) % {"value": problem.value}


def _stash_dir() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stash(content: bytes) -> str:
    folder = _stash_dir()
    for old in folder.glob("*.upload"):  # what was previewed and never imported goes after a day
        if old.stat().st_mtime < time.time() - STASH_HOURS * 3600:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(content).hexdigest()
    (folder / f"{digest}.upload").write_bytes(content)
    return digest


def _page(**context: object) -> str:
    search = request.args.get("q", "").strip()[:100]
    rows = engine.reference.pilot_register(get_db(), user_id=current_user.id, search=search)
    return render_template("admin/pilots.html", rows=rows, q=search, problem_text=problem_text,
                           form=context.pop("form", None) or PilotFileForm(), **context)


@bp.get("/pilots")
def pilots() -> str:
    return _page()


@bp.post("/pilots/preview")
def pilots_preview() -> tuple[str, int]:
    form = PilotFileForm()
    if not form.validate_on_submit():
        return _page(form=form), 400
    content, filename = form.file.data.read(), (form.file.data.filename or "upload")[:200]
    try:
        preview = engine.reference.preview_pilots(get_db(), filename, content, user_id=current_user.id,
                                                  batch_year=form.batch_year.data,
                                                  max_bytes=current_app.config["MAX_IMPORT_BYTES"])
    except engine.InvalidData as exc:
        return _page(form=form, refused=explain(exc) or _("The file could not be read."), filename=filename), 400
    confirm = ConfirmImportForm(digest=_stash(content) if preview.ok else "", filename=filename,
                                batch_year=str(form.batch_year.data or ""))
    return _page(form=form, preview=preview, confirm=confirm, filename=filename), 200


@bp.post("/pilots/import")
def pilots_import() -> Response | tuple[str, int]:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _page(refused=_("The import was not confirmed properly. Upload the file again.")), 400
    stashed = _stash_dir() / f"{form.digest.data}.upload"
    if not stashed.is_file():
        return _page(refused=_("The previewed file is no longer here. Upload it again.")), 400
    year = int(form.batch_year.data) if form.batch_year.data else None
    try:
        created, existing = engine.reference.import_pilots(
            get_db(), stashed.read_bytes(), user_id=current_user.id, filename=form.filename.data, batch_year=year,
            max_bytes=current_app.config["MAX_IMPORT_BYTES"])
    except engine.InvalidData as exc:  # the file was good at the preview; the pilots changed since
        return _page(refused=explain(exc) or _("The file could not be imported.")), 400
    stashed.unlink(missing_ok=True)
    flash(_("Imported %(created)s pilots; %(existing)s were already there.", created=created, existing=existing),
          "success")
    return redirect(url_for("admin.pilots"))
