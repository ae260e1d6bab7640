"""Sign-in and profile forms (Flask-WTF: CSRF included)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from engine import users


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def password_length(message: str) -> Length:
    """The one length rule of a new password (the engine checks the same minimum)."""
    return Length(min=users.MIN_PASSWORD, max=200, message=message)


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Enter a new password.")),
        password_length(_l("The new password needs at least %(n)s characters.", n=users.MIN_PASSWORD))])
    confirm_password = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the new password a second time.")),
        EqualTo("new_password", message=_l("The two new passwords differ."))])


class TokenForm(FlaskForm):
    """Create an API token: the form is only the button (and its CSRF token)."""
