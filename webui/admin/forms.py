"""The admin area's forms (Flask-WTF: CSRF included): a pilot list to preview and import, an
indicator's wording, a new third-level indicator, retiring one; every change gives a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp

from engine import indicators

REASON = _l("Give a reason for the change (it is kept in the history).")


class PilotFileForm(FlaskForm):
    file = FileField(_l("Pilot list (Excel .xlsx or CSV)"), validators=[FileRequired(_l("Choose a file."))])
    batch_year = IntegerField(_l("Batch year"), validators=[Optional(), NumberRange(2000, 2100)])


class ConfirmImportForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    batch_year = HiddenField(validators=[Optional(), Regexp(r"^\d{4}$")])


class IndicatorForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=indicators.MAX_NAME)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=indicators.MAX_NAME)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=indicators.MAX_DESCRIPTION)])
    reason = StringField(_l("Reason for the change"), validators=[
        DataRequired(message=REASON), Length(max=indicators.MAX_REASON)])


class RetireForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(message=REASON), Length(max=indicators.MAX_REASON)])
