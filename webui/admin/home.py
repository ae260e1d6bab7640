"""The admin home: what there is, what needs attention, and the way to each section."""
from __future__ import annotations

from flask import current_app
from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import engine
from webui.admin import bp
from webui.extensions import get_db

# The admin sections, in the order of the sub-navigation; a section shows once its page exists.
SECTIONS = (("admin.index", _l("Overview")), ("admin.processes", _l("Processes")),
            ("admin.instances", _l("Instances")), ("admin.incidents", _l("Incidents")),
            ("admin.users", _l("Users")), ("admin.pilots", _l("Pilots")),
            ("admin.indicators", _l("Indicators")))


@bp.app_context_processor
def _sections() -> dict[str, object]:
    return {"admin_sections": lambda: [(e, label) for e, label in SECTIONS if e in current_app.view_functions]}


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html", o=engine.admin.overview(get_db(), user_id=current_user.id))
