"""One task: its instructions, its form (submit or save as draft), attachments, the comment
thread, the reviewers' feedback on the last round and the changes since then (修改对比)."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import markdown
import nh3
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

import engine
from engine import documents
from engine.errors import ConflictError
from engine.errors import InvalidData
from engine.models import TaskStatus
from webui.extensions import get_db
from webui.i18n import pick
from webui.tasks import bp
from webui.tasks import form_render

Page = tuple[str, int]


def instructions_html(text: str | None) -> str:
    """BPMN documentation as Markdown, sanitized: no script, no event handler, no style."""
    if not text or not text.strip():
        return ""
    first, _sep, rest = text.strip("\n").partition("\n")
    source = first.strip() + "\n" + textwrap.dedent(rest)
    return nh3.clean(markdown.markdown(source, extensions=["sane_lists"]), link_rel="noopener noreferrer nofollow")


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
            "file_size": _size, "display_value": form_render.display, "schema_prop": form_render.prop}


def _values(view: engine.queries.TaskView) -> dict[str, Any]:
    if view.task.state == TaskStatus.READY:
        if view.may_act and view.task.draft is not None:
            return dict(view.task.draft)
        return dict(view.data)
    return dict(view.task.data or view.data or {})


def render_page(task_id: str, *, values: dict[str, Any] | None = None, raw: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status: int = 200, upload_error: str | None = None,
                comment_error: str | None = None, comment_body: str = "", comment_field: str = "",
                alert: str | None = None) -> Page:
    db = get_db()
    view = engine.get_task(db, task_id, user_id=current_user.id)
    if values is None:
        values = _values(view)
    extras = documents.task_extras(db, task_id, user_id=current_user.id,
                                   current=values if view.may_act else None)
    fields, general = form_render.build(view.schema, view.ui_schema, values, raw, errors, editable=view.may_act)
    groups: dict[int, list[documents.AttachmentView]] = {}
    for att in extras.attachments:
        groups.setdefault(att.round, []).append(att)
    return render_template(
        "tasks/task.html", view=view, task=view.task, extras=extras, fields=fields, general_errors=general,
        instructions=instructions_html(view.documentation), attachment_rounds=sorted(groups.items(), reverse=True),
        upload_error=upload_error, comment_error=comment_error, comment_body=comment_body,
        comment_field=comment_field, alert=alert, max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
        allowed_extensions=documents.ALLOWED_EXTENSIONS, has_draft=view.task.draft is not None,
    ), status


@bp.get("/<task_id>")
@login_required
def task(task_id: str) -> Page:
    return render_page(task_id)


@bp.post("/<task_id>")
@login_required
def act(task_id: str) -> Page | Response:
    view = engine.get_task(get_db(), task_id, user_id=current_user.id)
    parsed = form_render.parse(view.schema, view.ui_schema, request.form)
    action = request.form.get("action", "submit")
    chosen = request.files.get("file")
    if chosen is not None and chosen.filename and view.may_act:
        # A file picked but not uploaded goes with whatever button was pressed (a reloaded page
        # cannot keep a file selection); if it is refused, nothing else happens.
        refused = _store_upload(task_id, chosen)
        if refused:
            return render_page(task_id, values=parsed.data, raw=parsed.raw, upload_error=refused[0], status=refused[1],
                               alert=_("Nothing was saved: the chosen file was not accepted (see Attachments)."))
    if form_render.row_action(request.form, parsed.data, parsed.raw, parsed.errors):
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors)
    if action == "draft":
        return _save_draft(task_id, parsed)
    if action != "submit":
        abort(400)
    return _submit(task_id, view, parsed)


def _submit(task_id: str, view: engine.queries.TaskView, parsed: form_render.Parsed) -> Page | Response:
    if parsed.errors:
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors, status=400,
                           alert=_("Nothing was submitted: correct the fields marked below."))
    try:
        expected = int(request.form.get("expected_version", ""))
    except ValueError:
        expected = None
    try:
        engine.complete(get_db(), task_id, user_id=current_user.id, data=parsed.data, expected_version=expected)
    except InvalidData as exc:
        return render_page(task_id, values=parsed.data, errors=form_render.error_map(exc.details), status=400,
                           alert=_("Nothing was submitted: correct the fields marked below."))
    except ConflictError as exc:
        return render_page(task_id, values=parsed.data, raw=parsed.raw, status=409,
                           alert=_("Not submitted: %(reason)s. Your entries are still below; check the latest "
                                   "state and submit again, or save them as a draft.", reason=exc.message))
    flash(_("Submitted: “%(name)s”.", name=step_name(view.task.name)), "success")
    return redirect(url_for("tasks.inbox"))


def _save_draft(task_id: str, parsed: form_render.Parsed) -> Page | Response:
    documents.save_draft(get_db(), task_id, user_id=current_user.id, data=parsed.data)
    if parsed.errors:
        return render_page(task_id, values=parsed.data, raw=parsed.raw, errors=parsed.errors,
                           alert=_("Draft saved, except the fields marked below: correct them and save again."))
    flash(_("Draft saved. You can come back and finish it later."), "success")
    return redirect(url_for("tasks.task", task_id=task_id))


@bp.post("/<task_id>/attachments")
@login_required
def upload(task_id: str) -> Page | Response:
    # The upload button belongs to the task form, so what the user typed arrives too: it is kept
    # as a draft on success and shown again on a refused file, never lost to the upload.
    typed = _typed_form(task_id) if "expected_version" in request.form else None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_refused(task_id, typed, _("Choose a file to upload."), 400)
    refused = _store_upload(task_id, upload)
    if refused:
        return _upload_refused(task_id, typed, *refused)
    if typed is not None:
        documents.save_draft(get_db(), task_id, user_id=current_user.id, data=typed.data)
    flash(_("Attachment uploaded: %(name)s", name=documents.clean_name(upload.filename)), "success")
    return redirect(url_for("tasks.task", task_id=task_id) + "#attachments")


def _store_upload(task_id: str, upload: FileStorage) -> tuple[str, int] | None:
    """Attach the file to the task; (message, status) when it is refused."""
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    content = upload.stream.read(limit + 1)
    try:
        documents.add_attachment(get_db(), task_id, user_id=current_user.id, filename=upload.filename or "",
                                 content=content, directory=Path(current_app.config["ATTACHMENT_DIR"]),
                                 max_bytes=limit)
    except documents.AttachmentRefused as exc:
        messages = {
            "empty": _("The file is empty."),
            "too_large": _("The file is larger than the limit of %(size)s.", size=_size(limit)),
            "type": _("This kind of file is not accepted. Upload PDF, Word, Excel, PowerPoint or image "
                      "(PNG, JPEG, GIF, WebP) files."),
            "extension": _("The file's content does not match its name (.%(ext)s). Save it in its real format "
                           "and upload it again.", ext=documents.extension(upload.filename or "") or "?"),
        }
        return messages.get(exc.reason, exc.message), 413 if exc.reason == "too_large" else 400
    return None


def _typed_form(task_id: str) -> form_render.Parsed:
    view = engine.get_task(get_db(), task_id, user_id=current_user.id)
    return form_render.parse(view.schema, view.ui_schema, request.form)


def _upload_refused(task_id: str, typed: form_render.Parsed | None, message: str, status: int) -> Page:
    if typed is None:
        return render_page(task_id, upload_error=message, status=status)
    return render_page(task_id, values=typed.data, raw=typed.raw, upload_error=message, status=status)


@bp.post("/<task_id>/attachments/<int:attachment_id>/remove")
@login_required
def remove_attachment(task_id: str, attachment_id: int) -> Response:
    documents.remove_attachment(get_db(), task_id, attachment_id, user_id=current_user.id)
    flash(_("Attachment removed."), "success")
    return redirect(url_for("tasks.task", task_id=task_id) + "#attachments")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    meta, path = documents.open_attachment(get_db(), attachment_id, user_id=current_user.id,
                                           directory=Path(current_app.config["ATTACHMENT_DIR"]))
    response = send_file(path, mimetype=meta.content_type, as_attachment=True, download_name=meta.name,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<task_id>/comments")
@login_required
def comment(task_id: str) -> Page | Response:
    body, pinned = request.form.get("body", ""), request.form.get("field", "")
    try:
        documents.add_comment(get_db(), task_id, user_id=current_user.id, body=body, field=pinned or None)
    except InvalidData as exc:
        reason = str(exc.details[0].get("message")) if exc.details else ""
        message = {"required": _("Write a comment first."),
                   "too_long": _("A comment can be at most %(n)s characters.", n=documents.MAX_COMMENT_CHARS),
                   "unknown": _("Choose a field of the form, or none.")}.get(reason, exc.message)
        return render_page(task_id, comment_error=message, comment_body=body, comment_field=pinned, status=400)
    flash(_("Comment added."), "success")
    return redirect(url_for("tasks.task", task_id=task_id) + "#comments")
