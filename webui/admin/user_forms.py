"""The user forms of the admin area (Flask-WTF: CSRF included). Jurisdiction rules are the
engine's (a city user needs a pilot, a provincial reviewer a province); the form only asks."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import AnyOf
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional

from engine import users
from webui.auth.forms import password_length
from webui.notifications.forms import email_field

ROLE_CHOICES = [("city", _l("City submitter")), ("province", _l("Provincial reviewer")),
                ("ministry", _l("Ministry reviewer")), ("admin", _l("Administrator"))]


class UserForm(FlaskForm):
    """Name, role and jurisdiction: what creating and editing share."""

    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200, message=_l(
        "At most %(n)s characters.", n=200))], description=_l("Name and office, as colleagues see it"))
    email = email_field()
    # Rendered as <select>s by the template (pilots grouped by province); the engine checks the values.
    role = StringField(_l("Role"), validators=[AnyOf([r for r, _ in ROLE_CHOICES], message=_l(
        "Choose one of the four roles."))])
    province = StringField(_l("Province"), description=_l("For provincial reviewers"))
    pilot_id = IntegerField(_l("Pilot"), validators=[Optional()], description=_l("For city submitters"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = bool(super().validate(extra_validators))
        if self.role.data == "city" and not self.pilot_id.data:
            self.pilot_id.errors = [*self.pilot_id.errors, _l("Choose the pilot this city submitter works for.")]
            ok = False
        if self.role.data == "province" and not self.province.data:
            self.province.errors = [*self.province.errors, _l("Choose the province this reviewer works for.")]
            ok = False
        return ok


class NewUserForm(UserForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(message=_l("Enter a username.")),
        Length(max=80, message=_l("At most %(n)s characters.", n=80))],
        description=_l("Used to sign in; it cannot be changed later"))
    password = PasswordField(_l("First password"), validators=[
        DataRequired(message=_l("Enter a first password.")),
        password_length(_l("The password needs at least %(n)s characters.", n=users.MIN_PASSWORD))],
        description=_l("Tell it to the user; they can change it on their profile page"))
    confirm_password = PasswordField(_l("First password again"), validators=[
        DataRequired(message=_l("Enter the password a second time.")),
        EqualTo("password", message=_l("The two passwords differ."))])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Enter a new password.")),
        password_length(_l("The password needs at least %(n)s characters.", n=users.MIN_PASSWORD))])
    confirm_password = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the new password a second time.")),
        EqualTo("password", message=_l("The two new passwords differ."))])
