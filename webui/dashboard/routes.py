"""Dashboard (统计看板) for provincial, ministry and admin users: pilots by stage, overdue tasks,
revision rounds per pilot and time spent per step, as Chart.js charts with the same numbers in
tables, and CSV export of each table. City users get 403 (the engine refuses them)."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required

import engine
from engine import clock
from engine import stats
from webui.extensions import get_db
from webui.i18n import format_date
from webui.i18n import format_datetime
from webui.i18n import pick as step_name
from webui.params import parse_id
from webui.pilots.routes import STATES

bp = Blueprint("dashboard", __name__)

STAGE_LABELS = {"waiting": _l("Waiting for a date or an event"), "not_started": _l("Not started"), **STATES}
ROLE_LABELS = {"city": _l("City users"), "province": _l("Provincial reviewers"), "ministry": _l("Ministry users"),
               "admin": _l("Administrators")}
TABLES = stats.TABLES


def stage_label(s: stats.StageCount) -> str:
    return step_name(s.name) if s.name else str(STAGE_LABELS.get(s.key, s.key))


def hours(value: float) -> str:
    return str(format_decimal(round(value, 1)))


def _province_arg() -> int | None:
    return parse_id(request.args.get("province")) if current_user.nationwide else None


def _figures(tables: tuple[str, ...] = stats.TABLES,
             overdue_limit: int | None = stats.OVERDUE_SHOWN) -> stats.Dashboard:
    return stats.dashboard(get_db(), user_id=current_user.id, province_id=_province_arg(), tables=tables,
                           overdue_limit=overdue_limit)


def _charts(d: stats.Dashboard) -> dict[str, Any]:
    """The numbers the charts draw (the tables beside them show the same)."""
    rounds = d.pilot_rounds()
    return {
        "stages": {"labels": [stage_label(s) for s in d.stages], "values": [s.count for s in d.stages],
                   "label": _("Pilots")},
        "rounds": {"labels": [p for p, _prov, _n in rounds], "values": [n - 1 for _p, _prov, n in rounds],
                   "label": _("Revision rounds")},
        "steps": {"labels": [step_name(s.step) for s in d.steps],
                  "values": [round(s.average_hours, 1) for s in d.steps],
                  "values2": [round(s.median_hours, 1) for s in d.steps],
                  "label": _("Average hours"), "label2": _("Median hours")},
    }


@bp.get("/")
@login_required
def index() -> str:
    d = _figures()
    provinces = [(p.id, p.name) for p in engine.list_provinces(get_db(), user_id=current_user.id)]
    return render_template("dashboard/index.html", d=d, charts=_charts(d), provinces=provinces,
                           nationwide=current_user.nationwide,
                           stage_label=stage_label, hours=hours, role_labels=ROLE_LABELS, step_name=step_name,
                           format_datetime=format_datetime, format_date=format_date, now=clock.now(),
                           province_name=dict(provinces).get(d.province_id) if d.province_id else None)


def _rows(d: stats.Dashboard, table: str) -> tuple[list[str], list[list[Any]]]:
    if table == "stages":
        return [_("Stage"), _("Step ID"), _("Pilots")], [[stage_label(s), s.key, s.count] for s in d.stages]
    if table == "overdue":
        return ([_("Pilot"), _("Province"), _("Step"), _("Round"), _("Due date"), _("Days overdue"), _("Holder"),
                 _("Role")],
                [[r.pilot or "", r.province or "", step_name(r.step), r.round,
                  r.due_at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M"), r.days_overdue, r.holder or "",
                  str(ROLE_LABELS.get(r.role, r.role))] for r in d.overdue])
    if table == "rounds":
        return ([_("Pilot"), _("Province"), _("Step"), _("Rounds"), _("Revision rounds")],
                [[r.pilot, r.province, step_name(r.step), r.rounds, r.rounds - 1] for r in d.rounds])
    return ([_("Step"), _("Step ID"), _("Completed tasks"), _("Average hours"), _("Median hours")],
            [[step_name(s.step), s.bpmn_id, s.count, f"{s.average_hours:.1f}", f"{s.median_hours:.1f}"]
             for s in d.steps])


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would be a formula in Excel: quote it (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/export.csv")
@login_required
def export() -> Response:
    table = request.args.get("table", "")
    if table not in TABLES:
        abort(400)
    header, rows = _rows(_figures((table,), overdue_limit=None), table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    stamp = clock.now().astimezone(clock.CHINA).strftime("%Y%m%d")
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="dashboard-{table}-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
