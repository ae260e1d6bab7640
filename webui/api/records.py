"""The API's records around a task: attachments (upload, list, download, withdraw), comments
(list, add) and the task's form draft (get, save, discard). The engine decides who may do what."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask import jsonify
from flask import request
from werkzeug.wrappers import Response

import engine
from webui.api import serialize
from webui.api.routes import body
from webui.api.routes import bp
from webui.api.routes import caller
from webui.downloads import attachment_response
from webui.errors import api_error as error
from webui.extensions import get_db


def _directory() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


@bp.get("/tasks/<task_id>/attachments")
def task_attachments(task_id: str) -> Response:
    items = [serialize.attachment(a) for a in
             engine.attachments.list_for_task(get_db(), task_id, user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.get("/instances/<int:instance_id>/attachments")
def instance_attachments(instance_id: int) -> Response:
    items = [serialize.attachment(a) for a in
             engine.attachments.list_for_instance(get_db(), instance_id, user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.post("/tasks/<task_id>/attachments")
def upload(task_id: str) -> tuple[Response, int]:
    """One file as multipart field ``file``, with the task page's size and type limits."""
    upload = request.files.get("file")
    if upload is None:
        raise engine.InvalidData("send the file as multipart field 'file'", [{"field": "file", "message": "required"}])
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    try:
        view = engine.attachments.add_attachment(get_db(), task_id, user_id=caller(),
                                                 filename=upload.filename or "", content=upload.stream.read(limit + 1),
                                                 directory=_directory(), max_bytes=limit)
    except engine.attachments.AttachmentRefused as exc:
        return error(413 if exc.refusal == "too_large" else 400, exc.code, exc.message, exc.details)
    return jsonify(serialize.attachment(view)), 201


@bp.delete("/tasks/<task_id>/attachments/<int:attachment_id>")
def withdraw(task_id: str, attachment_id: int) -> tuple[str, int]:
    engine.attachments.remove_attachment(get_db(), task_id, attachment_id, user_id=caller())
    return "", 204


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    meta, path = engine.attachments.open_attachment(get_db(), attachment_id, user_id=caller(),
                                                    directory=_directory())
    return attachment_response(meta, path)


@bp.get("/tasks/<task_id>/comments")
def task_comments(task_id: str) -> Response:
    items = [serialize.comment(c) for c in engine.comments.list_for_task(get_db(), task_id, user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.get("/instances/<int:instance_id>/comments")
def instance_comments(instance_id: int) -> Response:
    items = [serialize.comment(c) for c in
             engine.comments.list_for_instance(get_db(), instance_id, user_id=caller())]
    return jsonify(serialize.page(items, len(items)))


@bp.post("/tasks/<task_id>/comments")
def add_comment(task_id: str) -> tuple[Response, int]:
    """A remark in the instance's thread; ``field`` ("step:field") pins it to a form field."""
    data = body()
    text, field = data.get("body"), data.get("field")
    wrong = [k for k, v in (("body", text), ("field", field)) if v is not None and not isinstance(v, str)]
    if wrong or text is None:
        raise engine.InvalidData("'body' (text) is required; 'field' is text or absent",
                                 [{"field": k, "message": "not a string"} for k in wrong]
                                 or [{"field": "body", "message": "required"}])
    comment_id = engine.comments.add_comment(get_db(), task_id, user_id=caller(), body=text,
                                             field=field or None)
    thread = engine.comments.list_for_task(get_db(), task_id, user_id=caller())
    return jsonify(serialize.comment(next(c for c in thread if c.id == comment_id))), 201


@bp.get("/tasks/<task_id>/draft")
def get_draft(task_id: str) -> Response:
    data, saved_at = engine.task_draft(get_db(), task_id, user_id=caller())
    return jsonify(serialize.draft(data, saved_at))


@bp.put("/tasks/<task_id>/draft")
def save_draft(task_id: str) -> Response:
    """Keep the form as typed so far (``data``, complete or not) without submitting it."""
    data = body().get("data")
    if not isinstance(data, dict):
        raise engine.InvalidData("'data' (an object of form fields) is required",
                                 [{"field": "data", "message": "required" if data is None else "not an object"}])
    saved_at = engine.save_draft(get_db(), task_id, user_id=caller(), data=data)
    return jsonify(serialize.draft(data, saved_at))


@bp.delete("/tasks/<task_id>/draft")
def discard_draft(task_id: str) -> tuple[str, int]:
    engine.discard_draft(get_db(), task_id, user_id=caller())
    return "", 204
