"""The admin area (管理) under /admin/: processes, instances, incidents, people and places.

Every request passes the engine's administrator rule before a view runs, and every change goes
through an engine call that checks it again: no admin page or endpoint trusts the view.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from flask_login import login_required

import engine
from webui.extensions import get_db

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def _administrators_only() -> None:
    engine.admin.require_administrator(get_db(), user_id=current_user.id)


from webui.admin import home  # noqa: E402,F401  (routes register on bp)
from webui.admin import indicators  # noqa: E402,F401
from webui.admin import instances  # noqa: E402,F401
from webui.admin import pilots  # noqa: E402,F401
from webui.admin import processes  # noqa: E402,F401
from webui.admin import users  # noqa: E402,F401
