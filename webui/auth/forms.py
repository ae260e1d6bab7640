"""Sign-in and profile forms (Flask-WTF: CSRF included)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import StopValidation

from engine import users
from webui.reasons import SENTENCES


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def password_length(message: str) -> Length:
    """The one length rule of a new password (the engine checks the same minimum)."""
    return Length(min=users.MIN_PASSWORD, max=200, message=message)


class NotGuessable:
    """A new password that is not common, does not contain its owner's username and is not mostly
    repeats or sequences: the engine's rule (engine.passwords), said in the interface language.

    The owner's username is the form's ``password_owner`` (the signed-in user on the profile, the
    new username on the new-user form, the target on a reset)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        password = field.data or ""
        if len(password) < users.MIN_PASSWORD:
            return  # the length rule says so already
        reason = users.password_weakness(password, getattr(form, "password_owner", "") or "")
        if reason is not None:
            raise StopValidation(str(SENTENCES[reason]))


def new_password_rules(length_message: str) -> list[Any]:
    """The rules of every new password a form takes (profile, new user, reset): one place."""
    return [password_length(length_message), NotGuessable()]


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Enter a new password.")),
        *new_password_rules(_l("The new password needs at least %(n)s characters.", n=users.MIN_PASSWORD))])
    confirm_password = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the new password a second time.")),
        EqualTo("new_password", message=_l("The two new passwords differ."))])

    @property
    def password_owner(self) -> str:
        return str(current_user.username) if current_user.is_authenticated else ""


class TokenForm(FlaskForm):
    """Create an API token: the form is only the button (and its CSRF token)."""
