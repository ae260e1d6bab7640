"""One task: the work it asks you to judge, its instructions and form (submit or save as draft),
this step's earlier rounds and the changes since (修改对比), its attachments and comments.

Every view reads the page with one engine call (``engine.dossier``); a post reads the form first
(``engine.task_form``) to parse what was typed, then acts with one engine call.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import markdown
import nh3
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from markupsafe import Markup
from markupsafe import escape
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

import engine
from webui.downloads import attachment_response
from webui.extensions import get_db
from webui.i18n import blocks_for_language
from webui.i18n import format_date
from webui.i18n import format_datetime
from webui.i18n import pick
from webui.reasons import explain
from webui.tasks import bp
from webui.tasks import form_parse
from webui.tasks import form_render

Page = tuple[str, int]
# Where a task was opened from, for the breadcrumb and the way back (?from=…).
SOURCES = {"mine": _l("My tasks"), "group": _l("Group tasks"), "held": _l("Held by colleagues"),
           "completed": _l("Completed by me"), "pilot": _l("Pilots")}


def instructions_html(text: str | None) -> Markup:
    """BPMN documentation as Markdown, sanitized (no script, no event handler, no style), in the
    reader's language only when it is written in both."""
    if not text or not text.strip():
        return Markup("")
    first, _sep, rest = text.strip("\n").partition("\n")
    source = first.strip() + "\n" + textwrap.dedent(rest)
    parts = []
    for lang, block in blocks_for_language(source):
        html = nh3.clean(markdown.markdown(block, extensions=["sane_lists"]), link_rel="noopener noreferrer nofollow")
        parts.append(f'<div lang="{escape(lang)}">{html}</div>' if lang else html)
    return Markup("\n".join(parts))  # noqa: S704 - sanitized by nh3 above


def step_name(name: str | None) -> str:
    """A step's name in the user's language (names may be written "中文 / English")."""
    return pick(name)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return str(_("%(n)s MB", n=f"{n / 1024 / 1024:.1f}"))
    if n >= 1024:
        return str(_("%(n)s KB", n=f"{n / 1024:.0f}"))
    return str(_("%(n)s bytes", n=n))


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"format_datetime": format_datetime, "format_date": format_date, "step_name": step_name,
            "file_size": _size, "display_value": form_render.display, "schema_prop": form_render.prop,
            "document_fields": _document_fields, "task_link": task_link}


def _document_fields(doc: engine.Document) -> list[form_render.Field]:
    """A submission's fields for reading: labels, option titles, tables, formatted values."""
    return form_render.build(doc.schema, doc.ui_schema, doc.data, editable=False, round_=doc.round)[0]


def _any(changes: engine.rounds.StepChanges) -> bool:
    """Whether a comparison has anything to show (a revision just opened equals its last round)."""
    return bool(changes.changed or changes.added or changes.removed)


def _source() -> str | None:
    came_from = request.values.get("from", "")
    return came_from if came_from in SOURCES else None


def render_page(task_id: str, *, values: dict[str, Any] | None = None, raw: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, check: bool = False, status: int = 200,
                upload_error: str | None = None, comment_error: str | None = None, comment_body: str = "",
                comment_field: str = "", alert: str | None = None) -> Page:
    d = engine.dossier(get_db(), task_id, user_id=current_user.id, values=values, check=check)
    g.nav_counts = d.counts  # the navigation's badges come with the dossier: no second read
    errors = dict(errors or {})
    if check:  # the form's own problems, except where what was typed could not even be read
        errors = form_render.error_map(d.problems) | errors
    fields, general = form_render.build(d.schema, d.ui_schema, d.values, raw, errors, editable=d.may_act,
                                        round_=d.task.round)
    problems = form_render.summary(fields, general) if errors else []
    groups: dict[int, list[engine.attachments.AttachmentView]] = {}
    for att in d.attachments:
        groups.setdefault(att.round, []).append(att)
    changes = {c.bpmn_id: c for c in d.changes if not c.pending}
    return render_template(
        "tasks/task.html", d=d, task=d.task, fields=fields, problems=problems, source=_source(), sources=SOURCES,
        instructions=instructions_html(d.instructions), attachment_rounds=sorted(groups.items(), reverse=True),
        judged_changes=changes, own_changes=[c for c in d.changes if c.bpmn_id == d.task.bpmn_id and _any(c)],
        upload_error=upload_error, comment_error=comment_error, comment_body=comment_body,
        comment_field=comment_field, alert=alert, max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
        allowed_extensions=engine.attachments.ALLOWED_EXTENSIONS, has_draft=d.task.draft is not None,
    ), status


@bp.get("/<task_id>")
@login_required
def task(task_id: str) -> Page:
    return render_page(task_id)


@bp.post("/<task_id>")
@login_required
def act(task_id: str) -> Page | Response:
    form = engine.task_form(get_db(), task_id, user_id=current_user.id)
    parsed = form_parse.parse(form.schema, form.ui_schema, request.form, form.task.round)
    action = request.form.get("action", "draft")  # no button named: keep the typing, never complete
    chosen = request.files.get("file")
    if chosen is not None and chosen.filename:
        # A file picked but not uploaded goes with whatever button was pressed (a reloaded page
        # cannot keep a file selection); if it is refused, nothing else happens.
        refused = _store_upload(task_id, chosen)
        if refused:
            return render_page(task_id, values=parsed.data, raw=parsed.raw, upload_error=refused[0], status=refused[1],
                               alert=_("Nothing was saved: the chosen file was not accepted (see Attachments)."))
    if form_parse.row_action(request.form, parsed.data, parsed.raw, parsed.errors):
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors)
    if action == "draft":
        return _save_draft(task_id, parsed)
    if action != "submit":
        abort(400)
    return _submit(task_id, form.task.name, parsed)


def _submit(task_id: str, name: str, parsed: form_parse.Parsed) -> Page | Response:
    not_submitted = _("Nothing was submitted: correct the problems listed below.")
    if parsed.errors:  # what could not be read, and (checked by the engine) everything else
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors, check=True, status=400,
                           alert=not_submitted)
    try:
        engine.complete(get_db(), task_id, user_id=current_user.id, data=parsed.data,
                        instance_version=_int(request.form.get("instance_version")))
    except engine.InvalidData as exc:
        return render_page(task_id, values=parsed.data, errors=form_render.error_map(exc.details), status=400,
                           alert=not_submitted)
    except engine.ConflictError as exc:
        if exc.reason == "task_completed":  # a second click, or another tab: it went through once
            flash(_("This task has already been submitted."), "info")
            return redirect(_back_url())
        return render_page(task_id, values=parsed.data, raw=parsed.raw, status=409,
                           alert=_("Not submitted: %(reason)s Your entries are still below; check the latest "
                                   "state and submit again, or save them as a draft.",
                                   reason=explain(exc) or _("someone else changed this task first.")))
    flash(_("Submitted: “%(name)s”.", name=step_name(name)), "success")
    return redirect(_back_url())


def _back_url() -> str:
    source = _source()
    if source == "pilot" or source is None:
        return url_for("tasks.inbox")
    return url_for("tasks.inbox", scope=source)


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def task_link(task_id: str, source: str | None = None, anchor: str = "") -> str:
    """A task page's address that remembers the list it was opened from (for the breadcrumb)."""
    return url_for("tasks.task", task_id=task_id) + (f"?from={source}" if source in SOURCES else "") + anchor


def _task_url(task_id: str, anchor: str = "") -> str:
    return task_link(task_id, _source(), anchor)


def _save_draft(task_id: str, parsed: form_parse.Parsed) -> Page | Response:
    engine.save_draft(get_db(), task_id, user_id=current_user.id, data=parsed.data)
    if parsed.errors:
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors,
                           alert=_("Draft saved, except the fields marked below: correct them and save again."))
    flash(_("Draft saved. You can come back and finish it later."), "success")
    return redirect(_task_url(task_id))


@bp.post("/<task_id>/attachments")
@login_required
def upload(task_id: str) -> Page | Response:
    # The upload button belongs to the task form, so what the user typed arrives too: it is kept
    # as a draft on success and shown again on a refused file, never lost to the upload.
    typed = None
    if "instance_version" in request.form:
        form = engine.task_form(get_db(), task_id, user_id=current_user.id)
        typed = form_parse.parse(form.schema, form.ui_schema, request.form, form.task.round)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_refused(task_id, typed, _("Choose a file to upload."), 400)
    refused = _store_upload(task_id, upload)
    if refused:
        return _upload_refused(task_id, typed, *refused)
    if typed is not None:
        engine.save_draft(get_db(), task_id, user_id=current_user.id, data=typed.data)
    flash(_("Attachment uploaded: %(name)s", name=engine.attachments.clean_name(upload.filename)), "success")
    return redirect(_task_url(task_id, "#attachments"))


def _store_upload(task_id: str, upload: FileStorage) -> tuple[str, int] | None:
    """Attach the file to the task; (message, status) when it is refused."""
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    content = upload.stream.read(limit + 1)
    try:
        engine.attachments.add_attachment(get_db(), task_id, user_id=current_user.id, filename=upload.filename or "",
                                          content=content, directory=Path(current_app.config["ATTACHMENT_DIR"]),
                                          max_bytes=limit)
    except engine.attachments.AttachmentRefused as exc:
        messages = {
            "empty": _("The file is empty."),
            "too_large": _("The file is larger than the limit of %(size)s.", size=_size(limit)),
            "type": _("This kind of file is not accepted. Upload PDF, Word, Excel, PowerPoint or image "
                      "(PNG, JPEG, GIF, WebP) files."),
            "extension": _("The file's content does not match its name (.%(ext)s). Save it in its real format "
                           "and upload it again.", ext=engine.attachments.extension(upload.filename or "") or "?"),
        }
        return messages[exc.refusal], 413 if exc.refusal == "too_large" else 400
    return None


def _upload_refused(task_id: str, typed: form_parse.Parsed | None, message: str, status: int) -> Page:
    if typed is None:
        return render_page(task_id, upload_error=message, status=status)
    return render_page(task_id, values=typed.data, raw=typed.raw, upload_error=message, status=status)


@bp.post("/<task_id>/attachments/<int:attachment_id>/remove")
@login_required
def remove_attachment(task_id: str, attachment_id: int) -> Response:
    engine.attachments.remove_attachment(get_db(), task_id, attachment_id, user_id=current_user.id)
    flash(_("Attachment removed."), "success")
    return redirect(_task_url(task_id, "#attachments"))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    meta, path = engine.attachments.open_attachment(get_db(), attachment_id, user_id=current_user.id,
                                                    directory=Path(current_app.config["ATTACHMENT_DIR"]))
    return attachment_response(meta, path)


@bp.post("/<task_id>/comments")
@login_required
def comment(task_id: str) -> Page | Response:
    body, pinned = request.form.get("body", ""), request.form.get("field", "")
    try:
        engine.comments.add_comment(get_db(), task_id, user_id=current_user.id, body=body, field=pinned or None)
    except engine.InvalidData as exc:
        return render_page(task_id, comment_error=explain(exc) or str(_("This comment cannot be added.")),
                           comment_body=body, comment_field=pinned, status=400)
    flash(_("Comment added."), "success")
    return redirect(_task_url(task_id, "#comments"))
