"""Sign-in and sign-out (a fresh session on every sign-in, throttled after repeated failures), the
language switch, and the profile page: password change and the API token."""
from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

import engine
from engine import users
from webui.auth.forms import LoginForm
from webui.auth.forms import PasswordForm
from webui.auth.forms import TokenForm
from webui.extensions import end_session
from webui.extensions import get_db
from webui.extensions import load_current_user
from webui.extensions import start_session
from webui.i18n import LANGUAGES
from webui.redirects import safe_target

bp = Blueprint("auth", __name__)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("tasks.inbox") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated and not current_user.via_token:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            found = users.authenticate(get_db(), form.username.data or "", form.password.data or "",
                                       client=request.remote_addr or "")
        except users.SignInLocked as locked:
            error, status = _("Too many failed attempts. Try again after %(time)s.",
                              time=format_time(locked.until, "HH:mm")), 429
        else:
            user = load_current_user(found.id) if found else None
            if user is not None:
                start_session(user)
                return redirect(safe_next(request.args.get("next")))
            error, status = _("Wrong username or password."), 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    """Switch the interface language for this browser session."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything else (another site, a scheme) goes to the inbox."""
    return safe_target(target, url_for("tasks.inbox"))


def _profile_page(password_form: PasswordForm | None = None, token: str | None = None,
                  status: int = 200) -> Response:
    account = engine.get_user(get_db(), current_user.id)
    html = render_template("auth/profile.html", password_form=password_form or PasswordForm(),
                           token_form=TokenForm(), token=token,
                           has_token=bool(account and account.token_hash))
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/profile")
@login_required
def profile() -> Response:
    return _profile_page()


@bp.post("/profile/password")
@login_required
def change_password() -> Response:
    """Change one's own password: every other session ends, this one continues on a new session."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _profile_page(form, status=400)
    try:
        users.change_password(get_db(), current_user.id, form.current_password.data or "",
                              form.new_password.data or "")
    except users.WrongPassword:
        form.current_password.errors = [_("The current password is wrong.")]
        return _profile_page(form, status=400)
    user = load_current_user(current_user.id)
    if user is not None:
        start_session(user)
    flash(_("Your password was changed. You are still signed in here; your other sessions have ended."),
          "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/token")
@login_required
def create_token() -> Response:
    """A new API token, shown once on this page; it replaces the previous one."""
    if not TokenForm().validate_on_submit():
        return _profile_page(status=400)
    return _profile_page(token=users.issue_token(get_db(), current_user.username))
