"""Operating instances (/admin/instances): the nationwide list with filters, one instance's page
with its actions (suspend, resume, cancel, reassign, send back, retry, revert a migration), the
migration of selected instances (choose a version → dry run → confirm), and the incidents."""
from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

import engine
from webui.admin import bp
from webui.extensions import get_db
from webui.i18n import pick as step_name
from webui.params import id_filter
from webui.params import parse_id
from webui.reasons import explain

PER_PAGE = 50
STATES = ("running", "suspended", "error", "completed", "cancelled")
# Why an instance cannot move to the chosen version (engine.migration's reason codes).
WHY_NOT = {
    "same_version": _l("It is already on this version."),
    "instance_completed": _l("The process has already been completed."),
    "instance_cancelled": _l("The process was terminated."),
    "token_in_removed_step": _l("A task is open at “%(step)s”, which the new version removes."),
    "token_in_changed_step": _l("A task is open at “%(step)s”, which the new version changes (its kind, lane "
                                "or event)."),
    "subprocess_running": _l("The sub-process “%(step)s” is running; migrate it once it has finished."),
    "loop_running": _l("The repeated part “%(step)s” is in progress; migrate it once it has finished."),
    "subprocess_removed": _l("The new version no longer has a sub-process this instance ran."),
    "unsafe_structure": _l("The instance's state does not fit the new version."),
}
ACTION_DONE = {"suspend": _l("The process is suspended."), "resume": _l("The process is resumed."),
               "cancel": _l("The process is terminated.")}


def why_not(reason: str | None, element: str | None) -> str:
    sentence = WHY_NOT.get(reason or "", _l("It cannot move."))
    return str(sentence) % {"step": step_name(element)} if "%(step)s" in str(sentence) else str(sentence)


def _filters() -> engine.admin.InstanceFilter:
    state = request.args.get("state") or None
    return engine.admin.InstanceFilter(
        process=(request.args.get("process") or "").strip()[:200] or None,
        version=id_filter("version"),
        state=state if state in STATES else None, province_id=id_filter("province"),
        pilot_id=id_filter("pilot"), page=parse_id(request.args.get("page")) or 1, per_page=PER_PAGE)


@bp.get("/instances")
def instances() -> str:
    query = _filters()
    page = engine.admin.instances(get_db(), user_id=current_user.id, query=query)
    chosen = next((p for p in page.processes if p.key == query.process), None)
    return render_template("admin/instances.html", page=page, query=query, chosen=chosen, states=STATES,
                           provinces=engine.list_provinces(get_db(), user_id=current_user.id),
                           pilots=engine.list_pilots(get_db(), user_id=current_user.id),
                           filtered=any((query.process, query.version, query.state, query.province_id,
                                         query.pilot_id)))


def _selected(values: list[str]) -> list[int]:
    ids = [parse_id(v) for v in values]
    if not ids or None in ids:
        abort(400)
    return [i for i in ids if i is not None]


@bp.get("/instances/migrate")
def instances_migrate() -> str | Response:
    to_version = parse_id(request.args.get("to_version"))
    if not request.args.getlist("id") or to_version is None:
        flash(_("Choose the instances to migrate and the version to move them to."), "warning")
        return redirect(url_for("admin.instances", process=request.args.get("process") or None))
    plan = engine.migration.plan(get_db(), _selected(request.args.getlist("id")), to_version=to_version,
                                 user_id=current_user.id)
    return render_template("admin/migrate.html", plan=plan, why_not=why_not)


@bp.post("/instances/migrate")
def instances_migrate_confirm() -> Response:
    ids, to_version = _selected(request.form.getlist("id")), parse_id(request.form.get("to_version"))
    if to_version is None:
        abort(400)
    try:
        plan = engine.migration.migrate(get_db(), ids, to_version=to_version, user_id=current_user.id,
                                        reason=request.form.get("reason", "")[:2000])
    except engine.InvalidState as exc:
        flash(explain(exc) or _("Nothing was migrated."), "danger")
        return redirect(url_for("admin.instances_migrate", id=ids, to_version=to_version))
    flash(_("%(n)s instance(s) moved to version %(v)s.", n=len(plan.instances), v=plan.to_version), "success")
    return redirect(url_for("admin.instances", process=plan.process))


@bp.get("/instances/<int:instance_id>")
def instances_detail(instance_id: int) -> str:
    detail = engine.admin.instance(get_db(), instance_id, user_id=current_user.id)
    return render_template("admin/instance.html", d=detail, i=detail.row)


def _done(instance_id: int, message: str, category: str = "success") -> Response:
    flash(message, category)
    return redirect(url_for("admin.instances_detail", instance_id=instance_id))


def _refused(instance_id: int, exc: engine.EngineError) -> Response:
    return _done(instance_id, explain(exc) or _("This could not be done."), "danger")


@bp.post("/instances/<int:instance_id>/<any(suspend, resume, cancel):action>")
def instances_transition(instance_id: int, action: str) -> Response:
    try:
        getattr(engine, action)(get_db(), instance_id, user_id=current_user.id,
                                reason=request.form.get("reason", "")[:2000])
    except (engine.InvalidData, engine.ConflictError) as exc:
        return _refused(instance_id, exc)
    return _done(instance_id, str(ACTION_DONE[action]))


@bp.post("/instances/<int:instance_id>/send-back")
def instances_send_back(instance_id: int) -> Response:
    try:
        engine.operations.send_back(get_db(), instance_id, request.form.get("task_id", "")[:36],
                                    user_id=current_user.id, reason=request.form.get("reason", "")[:2000])
    except (engine.InvalidData, engine.ConflictError, engine.WorkflowFailed) as exc:
        return _refused(instance_id, exc)
    return _done(instance_id, _("The pilot was sent back; the step is open again."))


@bp.post("/instances/<int:instance_id>/retry")
def instances_retry(instance_id: int) -> Response:
    try:
        result = engine.operations.retry(get_db(), instance_id, user_id=current_user.id)
    except engine.ConflictError as exc:
        return _refused(instance_id, exc)
    if not result.ok:
        return _done(instance_id, _("It failed again; the process stays stopped with the new error."), "danger")
    return _done(instance_id, _("The process runs again."))


@bp.post("/instances/<int:instance_id>/revert")
def instances_revert(instance_id: int) -> Response:
    try:
        engine.migration.revert(get_db(), instance_id, user_id=current_user.id,
                                reason=request.form.get("reason", "")[:2000])
    except engine.ConflictError as exc:
        return _refused(instance_id, exc)
    return _done(instance_id, _("The migration was reverted: the instance is on its previous version again."))


@bp.get("/incidents")
def incidents() -> str:
    return render_template("admin/incidents.html", found=engine.admin.incidents(get_db(), user_id=current_user.id))
