"""The e-mail settings of the profile page (Flask-WTF: CSRF included); the engine checks the address again."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from webui.notice_texts import MAIL_LANGUAGES


def email_field() -> EmailField:
    return EmailField(_l("E-mail address"), validators=[
        Optional(), Length(max=254, message=_l("At most %(n)s characters.", n=254)),
        Email(message=_l("Enter a valid e-mail address, such as name@example.cn."))],
        description=_l("Notifications are sent here when e-mail is on"))


class NotificationSettingsForm(FlaskForm):
    email = email_field()
    email_notifications = BooleanField(_l("Also send my notifications by e-mail"))
    language = SelectField(_l("Language of the mails"), choices=[SelectChoice(v, label) for v, label in MAIL_LANGUAGES],
                           default="zh")
