"""The notifications page (newest first, paged), opening one (marks it read and goes to its task
or pilot: the link in the mails too), marking all read, and the profile's e-mail settings."""
from __future__ import annotations

from typing import Any

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_datetime
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

import engine
from webui import notice_texts
from webui.extensions import get_db
from webui.i18n import is_english
from webui.notifications import bp
from webui.notifications.forms import NotificationSettingsForm
from webui.params import parse_id

PER_PAGE = 20


def target(note: engine.Notification) -> str:
    """Where a notification leads: its task, else its pilot, else the list."""
    if note.task_id:
        return url_for("tasks.task", task_id=note.task_id)
    if note.pilot_id:
        return url_for("pilots.pilot", pilot_id=note.pilot_id)
    return url_for("notifications.index")


def words(note: engine.Notification) -> dict[str, str]:
    """The title and the sentence of a notification in the request's language."""
    gettext, english = get_translations().gettext, is_english()
    kind, params = note.kind.value, note.params or {}
    return {"title": notice_texts.title(kind, params, gettext, english=english),
            "line": notice_texts.line(kind, params, gettext, english=english)}


@bp.get("/")
@login_required
def index() -> str:
    page = min(parse_id(request.args.get("page")) or 1, engine.notifications.MAX_COUNTED)
    result = engine.notifications.list_for(get_db(), current_user.id, page=page, per_page=PER_PAGE)
    last_page = max((result.total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("notifications/index.html", page=result, last_page=last_page,
                           items=[(n, words(n)) for n in result.items], format_datetime=format_datetime)


@bp.get("/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> Response:
    """Mark one read and go where it leads (marking one's own notice read is harmless on a GET,
    and the mails link here)."""
    note = engine.notifications.mark_read(get_db(), notification_id, user_id=current_user.id)
    return redirect(target(note))


@bp.post("/read-all")
@login_required
def read_all() -> Response:
    marked = engine.notifications.mark_all_read(get_db(), user_id=current_user.id)
    flash(_("%(n)s notifications marked as read.", n=marked) if marked else _("Nothing was unread."), "success")
    return redirect(url_for("notifications.index"))


@bp.app_context_processor
def _settings() -> dict[str, Any]:
    return {"notification_settings_form": settings_form}


def settings_form() -> NotificationSettingsForm:
    """The profile's e-mail settings: as just submitted (with errors), else as saved."""
    form = g.get("notification_form")
    if form is None:
        user: Any = engine.get_user(get_db(), current_user.id)
        form = NotificationSettingsForm(data={"email": user.email, "email_notifications": user.email_notifications,
                                              "language": user.language})
    return form  # type: ignore[no-any-return]


@bp.post("/settings")
@login_required
def save_settings() -> Response:
    from webui.auth.routes import profile

    form = NotificationSettingsForm()
    if form.validate_on_submit():
        try:
            engine.contact.set_preferences(get_db(), user_id=current_user.id, email=form.email.data,
                                           email_notifications=bool(form.email_notifications.data),
                                           language=form.language.data or "zh")
        except engine.InvalidData:  # the engine's own check is stricter than the form's in places
            form.email.errors = [*form.email.errors, _("Enter a valid e-mail address, such as name@example.cn.")]
        else:
            flash(_("Notification settings saved."), "success")
            return redirect(url_for("auth.profile"))
    g.notification_form = form
    response: Response = profile()
    response.status_code = 400
    return response
