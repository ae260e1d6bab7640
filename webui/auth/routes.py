"""Sign-in and sign-out; a fresh session on every sign-in."""
from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from engine import users
from webui.auth.forms import LoginForm
from webui.extensions import get_db
from webui.extensions import load_current_user

bp = Blueprint("auth", __name__)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        found = users.authenticate(get_db(), form.username.data or "", form.password.data or "")
        user = load_current_user(found.id) if found else None
        if user is not None:
            session.clear()  # a new session on sign-in (no fixation)
            login_user(user)
            return redirect(url_for("api.me"))
        flash("Wrong username or password.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
