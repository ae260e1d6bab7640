"""Pilots: the list (jurisdiction-scoped, filter by province and name) and each pilot's page with
its instances: state, stage and ready tasks, the process diagram (bpmn-js) with the path taken and
the current tasks, the timeline (办理记录) and the documents by round."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from werkzeug.routing import BuildError

import engine
from webui.extensions import get_db
from webui.i18n import format_datetime
from webui.i18n import pick as step_name
from webui.params import id_filter
from webui.params import parse_id
from webui.pilots.diagram import localized_diagram
from webui.tasks import form_render

bp = Blueprint("pilots", __name__)

LEVELS = {"city": _l("City"), "district": _l("District"), "county": _l("County"), "town": _l("Town")}
STATES = {"running": _l("Running"), "suspended": _l("Suspended"), "completed": _l("Completed"),
          "cancelled": _l("Cancelled"), "error": _l("Error")}
STAR_GRADES = {1: _l("One star"), 2: _l("Two stars"), 3: _l("Three stars")}
STATE_BADGES = {"running": "primary", "suspended": "warning", "completed": "success", "cancelled": "secondary",
                "error": "danger"}
ACTIONS = {
    "instance_started": _l("Process started"),
    "task_completed": _l("Step completed"),
    "task_claimed": _l("Task claimed"),
    "task_unclaimed": _l("Task unclaimed"),
    "task_reassigned": _l("Task reassigned"),
    "timer_fired": _l("Timer fired"),
    "message_sent": _l("Message sent"),
    "instance_suspended": _l("Process suspended"),
    "instance_resumed": _l("Process resumed"),
    "instance_cancelled": _l("Process cancelled"),
    "instance_completed": _l("Process completed"),
    "instance_error": _l("Process error"),
    "attachment_uploaded": _l("Attachment uploaded"),
    "attachment_removed": _l("Attachment removed"),
    "comment_added": _l("Comment added"),
    "draft_saved": _l("Draft saved"),
    "draft_discarded": _l("Draft discarded"),
    "instance_migrated": _l("Migrated to another version"),
    "instance_migration_reverted": _l("Migration reverted"),
    "instance_sent_back": _l("Sent back to an earlier step"),
    "instance_retried": _l("Retried after an error"),
}

def stage_text(stage: str | None) -> str:
    """An instance's stage ("中文 / English, 中文 / English") in the user's language."""
    return ", ".join(step_name(part) for part in (stage or "").split(", ") if part)


def attachment_url(attachment_id: int) -> str:
    try:
        return url_for("tasks.download", attachment_id=attachment_id)
    except BuildError:
        return f"/tasks/attachments/{attachment_id}"


def task_url(task_id: str) -> str:
    try:
        return url_for("tasks.task", task_id=task_id) + "?from=pilot"
    except BuildError:
        return f"/tasks/{task_id}"


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"LEVELS": LEVELS, "INSTANCE_STATES": STATES, "STATE_BADGES": STATE_BADGES, "stage_text": stage_text,
            "STAR_GRADES": STAR_GRADES,
            "format_datetime": format_datetime, "step_name": step_name, "answer_text": form_render.display}


def _int_arg(name: str) -> int | None:
    return id_filter(name)


def _provinces() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in engine.list_provinces(get_db(), user_id=current_user.id)]


@bp.get("/")
@login_required
def index() -> str:
    db = get_db()
    nationwide = current_user.nationwide
    province_id = _int_arg("province") if nationwide else None
    search = request.args.get("q", "").strip()[:100]
    rows = engine.pilots.list_pilot_rows(db, user_id=current_user.id, province_id=province_id, search=search)
    provinces = _provinces() if nationwide else []
    return render_template("pilots/index.html", rows=rows, provinces=provinces, province_id=province_id,
                           q=search, filtered=bool(province_id or search))


@bp.get("/<int:pilot_id>")
@login_required
def pilot(pilot_id: int) -> str:
    page = engine.pilots.pilot_page(get_db(), pilot_id, user_id=current_user.id,
                                    page=min(parse_id(request.args.get("page")) or 1, 100_000))
    diagrams = {i.id: {"url": url_for("pilots.diagram", pilot_id=page.id, instance_id=i.id),
                       "visited": i.visited, "current": i.current} for i in page.instances}
    return render_template("pilots/pilot.html", page=page, diagrams=diagrams, actions=ACTIONS,
                           attachment_url=attachment_url, task_url=task_url)


@bp.get("/<int:pilot_id>/instances/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(pilot_id: int, instance_id: int) -> Response:
    xml, _visited, _current = engine.pilots.diagram(get_db(), instance_id, user_id=current_user.id, pilot_id=pilot_id)
    response = Response(localized_diagram(xml.encode("utf-8")), mimetype="application/xml")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
