"""The inbox: my tasks (待办), group tasks to claim (待签收), tasks colleagues hold, completed by
me (已办); filters a user can save; claim, unclaim and reassign (转办).

Every list is sorted soonest due first (no due date last) and always says who holds a task.
Everything works with plain forms; nothing changes state on GET.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import abort
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
from werkzeug.wrappers import Response

import engine
from engine import ConflictError
from engine import InvalidData
from engine import InvalidState
from engine import saved_filters
from webui.extensions import get_db
from webui.i18n import format_date
from webui.i18n import format_datetime
from webui.i18n import pick as step_name
from webui.layout import due_state
from webui.params import MAX_ID
from webui.params import parse_id
from webui.tasks import bp

SCOPES = engine.TASK_SCOPES
SCOPE_LABELS = {"mine": _l("My tasks"), "group": _l("Group tasks"), "held": _l("Held by colleagues"),
                "completed": _l("Completed by me")}
PER_PAGE, MAX_PER_PAGE = 20, 100
MAX_PAGE = 100_000  # far past any real list; keeps the row offset a sane number


@dataclass
class Filters:
    scope: str
    province_id: int | None
    pilot_id: int | None
    bpmn_id: str | None
    overdue: bool
    page: int
    per_page: int
    search: str = ""
    sort: str = ""
    descending: bool = False

    def params(self, **changes: Any) -> dict[str, Any]:
        """URL parameters for this list (only what is set), with ``changes`` applied."""
        values = {"scope": self.scope, "q": self.search or None, "province_id": self.province_id,
                  "pilot_id": self.pilot_id, "bpmn_id": self.bpmn_id, "overdue": 1 if self.overdue else None,
                  "sort": self.sort or None, "desc": 1 if self.descending else None, "page": self.page,
                  "per_page": self.per_page if self.per_page != PER_PAGE else None} | changes
        if values.get("page") == 1:
            values["page"] = None
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.province_id or self.pilot_id or self.bpmn_id or self.overdue or self.search)

    def saved_query(self) -> dict[str, Any]:
        return {k: v for k, v in {"scope": self.scope, "province_id": self.province_id, "pilot_id": self.pilot_id,
                                  "bpmn_id": self.bpmn_id, "overdue": self.overdue or None,
                                  "search": self.search or None, "sort": self.sort or None,
                                  "descending": self.descending or None}.items() if v}

    def sorted_by(self, column: str) -> dict[str, Any]:
        """URL parameters that sort the list by ``column`` (again: the other way round), from page 1."""
        again = self.sort == column and not self.descending
        return self.params(sort=column, desc=1 if again else None, page=None)


def _int_arg(name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None or not minimum <= value <= maximum:
        abort(400)
    return value


def _filters() -> Filters:
    scope = request.args.get("scope", "mine") or "mine"
    if scope not in SCOPES:
        abort(400)
    per_page = min(_int_arg("per_page") or PER_PAGE, MAX_PER_PAGE)
    # A provincial or city user is fixed to its own jurisdiction: a province parameter is ignored.
    province_id = _int_arg("province_id") if current_user.nationwide else None
    sort = request.args.get("sort", "")
    return Filters(scope, province_id, _int_arg("pilot_id"), request.args.get("bpmn_id", "").strip()[:200] or None,
                   request.args.get("overdue", "") not in ("", "0"), _int_arg("page", maximum=MAX_PAGE) or 1, per_page,
                   request.args.get("q", "").strip()[:100], sort if sort in engine.TASK_SORTS else "",
                   request.args.get("desc", "") not in ("", "0"))


def _safe_next(default: str) -> str:
    """A local path to go back to; anything pointing elsewhere falls back to ``default``."""
    target = (request.form.get("next") or request.args.get("next") or "").strip()
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc
            or any(ord(c) < 32 for c in target)):
        return default
    return target


def _page_numbers(page: int, last: int) -> list[int | None]:
    """1 … p-2 p-1 p p+1 p+2 … last (None is a gap)."""
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


@bp.get("/")
@login_required
def inbox() -> str | Response:
    db, uid = get_db(), current_user.id
    f = _filters()
    query = engine.TaskQuery(scope=f.scope, province_id=f.province_id, pilot_id=f.pilot_id, bpmn_id=f.bpmn_id,
                             overdue=f.overdue, page=f.page, per_page=f.per_page, search=f.search, sort=f.sort,
                             descending=f.descending)
    view = engine.inbox_view(db, uid, query)
    if f.pilot_id is not None and f.pilot_id not in {p.id for p in view.pilots}:
        abort(400)
    result = view.page
    last = max(1, -(-result.total // f.per_page))
    if f.page > last:
        return redirect(url_for("tasks.inbox", **f.params(page=last)))
    g.nav_counts = view.counts  # the navigation's badges come with the page: no second read
    now = engine.clock.now()
    return render_template(
        "tasks/inbox.html", f=f, page=result, last_page=last, page_numbers=_page_numbers(f.page, last),
        scopes=SCOPES, scope_labels=SCOPE_LABELS, tab_counts=view.counts, pilots=view.pilots,
        provinces=view.provinces, pilot_names={p.id: p.name for p in view.pilots},
        province_names={p.id: p.name for p in view.provinces}, steps=view.steps, saved=view.saved,
        due_state=lambda t: due_state(t.due_at, now), step_label=step_name,
        show_province=current_user.nationwide, list_url=url_for("tasks.inbox", **f.params()),
        format_datetime=format_datetime, format_date=format_date, filter_url=_filter_url,
    )


_URL_KEYS = {"search": "q", "descending": "desc"}  # a saved filter's fields as the list's URL names them


def _filter_url(query: dict[str, Any]) -> str:
    return url_for("tasks.inbox") + "?" + urlencode(
        {_URL_KEYS.get(k, k): (1 if v is True else v) for k, v in query.items() if v})


# --- claim, unclaim, reassign ----------------------------------------------------------------------

def _back() -> Response:
    return redirect(_safe_next(url_for("tasks.inbox")))


def _conflict(exc: ConflictError) -> None:
    if isinstance(exc, InvalidState):
        flash(_("This task is no longer open: it was completed or withdrawn. The list shows the latest state."),
              "warning")
    else:
        flash(_("Someone else claimed this task first. The list shows who holds it now."), "warning")


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    try:
        engine.claim(get_db(), task_id, user_id=current_user.id)
    except ConflictError as exc:
        _conflict(exc)
        return _back()
    flash(_("Task claimed. It is now under My tasks."), "success")
    return _back()


@bp.post("/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> Response:
    try:
        engine.unclaim(get_db(), task_id, user_id=current_user.id)
    except ConflictError as exc:
        _conflict(exc)
        return _back()
    flash(_("Task returned to the group queue (Group tasks)."), "success")
    return _back()


def _reassign_page(task_id: str, *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    task, candidates = engine.reassign_candidates(get_db(), task_id, user_id=current_user.id)
    return render_template("tasks/_inbox_reassign.html", task=task, candidates=candidates, error=error,
                           next=_safe_next(url_for("tasks.inbox")), step_label=step_name), status


@bp.get("/<task_id>/reassign")
@login_required
def reassign_form(task_id: str) -> tuple[str, int]:
    return _reassign_page(task_id)


@bp.post("/<task_id>/reassign")
@login_required
def reassign(task_id: str) -> tuple[str, int] | Response:
    raw = request.form.get("to_user_id", "").strip()
    if not raw.isdigit():
        return _reassign_page(task_id, error=_("Choose the colleague who takes over this task."), status=400)
    try:
        engine.reassign(get_db(), task_id, user_id=current_user.id, to_user_id=int(raw))
    except InvalidData:
        return _reassign_page(task_id, error=_("That user cannot work on this task: choose someone from the list."),
                              status=400)
    except ConflictError as exc:
        _conflict(exc)
        return _back()
    flash(_("Task reassigned."), "success")
    return _back()


# --- saved filters ---------------------------------------------------------------------------------

@bp.post("/saved-filters")
@login_required
def save_filter() -> Response:
    form = request.form
    query: dict[str, Any] = {"scope": form.get("scope") or "mine", "bpmn_id": form.get("bpmn_id") or None,
                             "overdue": form.get("overdue") not in (None, "", "0"),
                             "search": (form.get("q") or "").strip()[:100] or None, "sort": form.get("sort") or None,
                             "descending": form.get("desc") not in (None, "", "0")}
    for key in ("province_id", "pilot_id"):
        value = (form.get(key) or "").strip()
        if value:
            if not value.isdigit():
                abort(400)
            query[key] = int(value)
    try:
        saved_filters.save(get_db(), current_user.id, form.get("name", ""), query)
    except InvalidData as exc:
        field = exc.details[0]["message"] if exc.details else ""
        if field == "name already used":
            flash(_("You already have a saved filter with this name; choose another name."), "danger")
        elif field == "too many filters":
            flash(_("You have too many saved filters; delete one first."), "danger")
        elif exc.details and exc.details[0].get("field") == "name":
            flash(_("Give the filter a name of 1 to 100 characters."), "danger")
        else:
            flash(_("This filter cannot be saved."), "danger")
        return _back()
    flash(_("Filter saved. It is listed under Saved filters."), "success")
    return redirect(_filter_url(saved_filters.clean_query(query)))


@bp.post("/saved-filters/<int:filter_id>/delete")
@login_required
def delete_filter(filter_id: int) -> Response:
    saved_filters.delete(get_db(), filter_id, user_id=current_user.id)
    flash(_("Saved filter deleted."), "success")
    return _back()
