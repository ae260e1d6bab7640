"""The API's notifications, each user's own: ``GET /notifications`` (newest first, paged),
``POST /notifications/{id}/read`` and ``POST /notifications/read-all``."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask import request
from werkzeug.wrappers import Response

import engine
from webui.api import serialize
from webui.api.routes import bp
from webui.api.routes import caller
from webui.api.routes import int_arg
from webui.extensions import get_db


def notification(n: engine.Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind.value, "task_id": n.task_id, "instance_id": n.instance_id,
            "pilot_id": n.pilot_id, "params": n.params, "created_at": serialize.iso(n.created_at),
            "read_at": serialize.iso(n.read_at)}


@bp.get("/notifications")
def list_notifications() -> Response:
    page = min(max(int_arg("page", 1) or 1, 1), engine.notifications.MAX_COUNTED)
    per_page = min(max(int_arg("per_page", 20) or 20, 1), engine.notifications.MAX_PER_PAGE)
    unread_only = request.args.get("unread") in ("1", "true", "yes")
    result = engine.notifications.list_for(get_db(), caller(), page=page, per_page=per_page,
                                           unread_only=unread_only)
    return jsonify(serialize.page([notification(n) for n in result.items], result.total, result.page,
                                  result.per_page) | {"unread": result.unread})


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> Response:
    return jsonify(notification(engine.notifications.mark_read(get_db(), notification_id, user_id=caller())))


@bp.post("/notifications/read-all")
def read_all_notifications() -> Response:
    return jsonify({"marked": engine.notifications.mark_all_read(get_db(), user_id=caller())})
