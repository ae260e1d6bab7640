"""Users (用户管理): the list with filters, a new user, one user's page (name, role and
jurisdiction; activate or deactivate; a password reset). The engine decides every change."""
from __future__ import annotations

from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

import engine
from webui.admin import bp
from webui.admin.user_forms import NewUserForm
from webui.admin.user_forms import ResetPasswordForm
from webui.admin.user_forms import UserForm
from webui.extensions import get_db
from webui.i18n import format_datetime
from webui.i18n import pick
from webui.params import parse_id
from webui.reasons import explain

PER_PAGE = 50
# Which form field an engine refusal is about (the engine names its fields the same way).
FIELDS = frozenset({"password", "username", "display_name", "role", "pilot_id", "province", "email"})


def _places() -> dict[str, Any]:
    """The provinces and pilots a jurisdiction can be set to (pilots grouped by province)."""
    db, uid = get_db(), current_user.id
    provinces = engine.list_provinces(db, user_id=uid)
    pilots = engine.list_pilots(db, user_id=uid)
    return {"provinces": provinces, "pilots_by_province": [
        (p, [x for x in pilots if x.province_id == p.id]) for p in provinces]}


def _refused(form: Any, exc: engine.EngineError) -> None:
    """Put an engine refusal beside the field it is about (or above the form)."""
    sentence = explain(exc) or _("This change cannot be saved.")
    field = next((str(d["field"]) for d in exc.details if d.get("field") in FIELDS), None)
    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = [*target.errors, sentence]
    else:
        form.form_errors.append(sentence)


@bp.get("/users")
def users() -> str:
    args = request.args
    active = {"active": True, "inactive": False}.get(args.get("state", ""))
    role = args.get("role") if args.get("role") in {"city", "province", "ministry", "admin"} else None
    query = engine.user_admin.UserQuery(search=args.get("q", "").strip()[:80], role=role,
                                        province_id=parse_id(args.get("province")), active=active,
                                        page=min(parse_id(args.get("page")) or 1, 10_000), per_page=PER_PAGE)
    page = engine.user_admin.list_users(get_db(), user_id=current_user.id, query=query)
    return render_template("admin/users.html", page=page, query=query, state=args.get("state", ""),
                           last_page=max(1, -(-page.total // PER_PAGE)), **_places())


@bp.route("/users/new", methods=["GET", "POST"])
def users_new() -> str | Response | tuple[str, int]:
    form, places = NewUserForm(), _places()
    if form.validate_on_submit():
        try:
            created = engine.users.create_user(
                get_db(), form.username.data or "", form.role.data or "", form.password.data or "",
                user_id=current_user.id, province=form.province.data or None, pilot_id=form.pilot_id.data,
                display_name=(form.display_name.data or "").strip() or None, email=form.email.data)
        except engine.EngineError as exc:
            _refused(form, exc)
        else:
            flash(_("User %(name)s created. They can sign in now with the first password.", name=created.username),
                  "success")
            return redirect(url_for("admin.users_edit", target_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form, **places), status


def _edit_page(target: engine.User, form: UserForm | None = None, reset: ResetPasswordForm | None = None,
               status: int = 200) -> tuple[str, int]:
    form = form or UserForm(data={"display_name": target.display_name, "email": target.email,
                                  "role": target.role.value,
                                  "province": target.province.name if target.province else "",
                                  "pilot_id": target.pilot_id})
    held = engine.user_admin.held_tasks(get_db(), target.id, user_id=current_user.id)
    return render_template("admin/user_edit.html", form=form, target=target, reset=reset or ResetPasswordForm(),
                           held=held, step_label=pick, format_datetime=format_datetime, **_places()), status


@bp.get("/users/<int:target_id>")
def users_edit(target_id: int) -> tuple[str, int]:
    return _edit_page(engine.user_admin.get_user(get_db(), target_id, user_id=current_user.id))


@bp.post("/users/<int:target_id>")
def users_save(target_id: int) -> Response | tuple[str, int]:
    db = get_db()
    target = engine.user_admin.get_user(db, target_id, user_id=current_user.id)
    form = UserForm()
    if form.validate_on_submit():
        try:
            engine.user_admin.update_user(db, target_id, user_id=current_user.id, display_name=form.display_name.data,
                                          role=form.role.data or "", province=form.province.data or None,
                                          pilot_id=form.pilot_id.data, email=form.email.data)
        except engine.EngineError as exc:
            _refused(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.users_edit", target_id=target_id))
    return _edit_page(target, form=form, status=400)


@bp.post("/users/<int:target_id>/active")
def users_active(target_id: int) -> Response:
    db = get_db()
    target = engine.user_admin.get_user(db, target_id, user_id=current_user.id)
    active = request.form.get("active") == "1"
    try:
        engine.users.set_active(db, target.username, active, user_id=current_user.id)
    except engine.InvalidData as exc:
        flash(explain(exc) or _("This change cannot be saved."), "danger")
    else:
        flash(_("%(name)s is active again and can sign in.", name=target.label) if active else
              _("%(name)s is deactivated: their sessions and API token no longer work.", name=target.label),
              "success")
    return redirect(url_for("admin.users_edit", target_id=target_id))


@bp.post("/users/<int:target_id>/password")
def users_password(target_id: int) -> Response | tuple[str, int]:
    db = get_db()
    target = engine.user_admin.get_user(db, target_id, user_id=current_user.id)
    reset = ResetPasswordForm()
    if not reset.validate_on_submit():
        return _edit_page(target, reset=reset, status=400)
    engine.users.set_password(db, target.username, reset.password.data or "", user_id=current_user.id)
    flash(_("Password reset for %(name)s. Their sessions have ended; tell them the new password.",
            name=target.label), "success")
    return redirect(url_for("admin.users_edit", target_id=target_id))
