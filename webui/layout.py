"""What every page's frame needs: the navigation counts, the role-dependent menu and the icon."""
from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import g
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

import engine
from engine import Role
from webui.extensions import get_db

DUE_SOON = timedelta(days=3)
ROLE_LABELS = {Role.CITY: _l("City submitter"), Role.PROVINCE: _l("Provincial reviewer"),
               Role.MINISTRY: _l("Ministry reviewer"), Role.ADMIN: _l("Administrator")}


def role_label(role: Role | str) -> str:
    """A role's name in the interface language (城市申报人, 省级审核人, 部级审核人, 管理员)."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return str(role)


def jurisdiction(user: Any) -> str:
    """Where a user works: their pilot (and province), their province, or nationwide."""
    if user.pilot_name:
        return f"{user.pilot_name} ({user.province_name})" if user.province_name else str(user.pilot_name)
    if user.province_name:
        return str(user.province_name)
    return str(_("Nationwide"))


def due_state(due_at: datetime | None, now: datetime | None = None) -> str | None:
    """"overdue", "soon" (within three days) or None: the 已超期 / 即将到期 badge of a due date."""
    if due_at is None:
        return None
    now = now or engine.clock.now()
    if due_at < now:
        return "overdue"
    return "soon" if due_at <= now + DUE_SOON else None


def nav_counts() -> dict[str, int]:
    """Task counts per scope and the bell's unread count for the signed-in user, computed once per
    request (pages whose engine read brings them along set ``g.nav_counts`` first)."""
    if not current_user.is_authenticated:
        return {}
    if "nav_counts" not in g:
        g.nav_counts = engine.counts_for(get_db(), current_user.id)
    return g.nav_counts  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    # Pages name their icon (static/favicon.svg); browsers that ask for /favicon.ico get there too.
    @app.get("/favicon.ico")
    def _favicon() -> Response:
        return redirect(url_for("static", filename="favicon.svg"), code=301)

    @app.context_processor
    def _frame() -> dict[str, Any]:
        return {"nav_counts": nav_counts, "Role": Role,
                "role_label": role_label, "jurisdiction": jurisdiction, "due_badge": due_state}
