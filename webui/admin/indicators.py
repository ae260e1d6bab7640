"""The indicator system in the admin area: the tree, and one indicator's page where its wording
is edited, a third-level indicator added under a second-level one or retired, each with a reason,
and its history shown (who changed what, when, before and after)."""
from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

import engine
from webui.admin import bp
from webui.admin.forms import IndicatorForm
from webui.admin.forms import RetireForm
from webui.extensions import get_db
from webui.reasons import explain

LEVEL_NAMES = {1: _l("First level"), 2: _l("Second level"), 3: _l("Third level")}
ACTIONS = {"added": _l("Added"), "edited": _l("Wording changed"), "retired": _l("Retired"), "restored": _l("Restored")}
FIELD_NAMES = {"name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"), "description": _l("Description"),
               "retired_at": _l("Retired on")}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"INDICATOR_LEVELS": LEVEL_NAMES}


@bp.get("/indicators")
def indicators() -> str:
    rows = engine.indicators.catalogue(get_db(), user_id=current_user.id)
    return render_template("admin/indicators.html", rows=rows)


def _page(code: str, status: int = 200, **forms: object) -> tuple[str, int]:
    page = engine.indicators.page(get_db(), code, user_id=current_user.id)
    ind = page.indicator
    edit = forms.pop("edit", None) or IndicatorForm(
        formdata=None, name_zh=ind.name_zh, name_en=ind.name_en, description=ind.description or "")
    return render_template("admin/indicator.html", page=page, ind=ind, edit=edit,
                           add=forms.pop("add", None) or IndicatorForm(formdata=None, prefix="new"),
                           retire=forms.pop("retire", None) or RetireForm(formdata=None, prefix="retire"),
                           actions=ACTIONS, field_names=FIELD_NAMES, **forms), status


@bp.get("/indicators/<code>")
def indicators_edit(code: str) -> tuple[str, int]:
    return _page(code)


@bp.post("/indicators/<code>")
def indicators_save(code: str) -> Response | tuple[str, int]:
    form = IndicatorForm()
    if not form.validate_on_submit():
        return _page(code, 400, edit=form)
    try:
        engine.indicators.edit(get_db(), code, user_id=current_user.id, name_zh=form.name_zh.data,
                               name_en=form.name_en.data, description=form.description.data, reason=form.reason.data)
    except engine.InvalidData as exc:
        return _page(code, 400, edit=form, refused=explain(exc))
    flash(_("The indicator was changed. Task books already submitted keep their wording."), "success")
    return redirect(url_for("admin.indicators_edit", code=code))


@bp.post("/indicators/<code>/children")
def indicators_add(code: str) -> Response | tuple[str, int]:
    form = IndicatorForm(prefix="new")
    if not form.validate_on_submit():
        return _page(code, 400, add=form)
    try:
        new = engine.indicators.add(get_db(), code, user_id=current_user.id, name_zh=form.name_zh.data,
                                    name_en=form.name_en.data, description=form.description.data,
                                    reason=form.reason.data)
    except engine.InvalidData as exc:
        return _page(code, 400, add=form, refused=explain(exc))
    flash(_("Indicator %(code)s was added.", code=new), "success")
    return redirect(url_for("admin.indicators_edit", code=new))


def _retire(code: str, retired: bool) -> Response | tuple[str, int]:
    form = RetireForm(prefix="retire")
    if not form.validate_on_submit():
        return _page(code, 400, retire=form)
    engine.indicators.set_retired(get_db(), code, retired, user_id=current_user.id, reason=form.reason.data)
    flash(_("Indicator %(code)s was retired.", code=code) if retired else
          _("Indicator %(code)s is offered again.", code=code), "success")
    return redirect(url_for("admin.indicators_edit", code=code))


@bp.post("/indicators/<code>/retire")
def indicators_retire(code: str) -> Response | tuple[str, int]:
    return _retire(code, True)


@bp.post("/indicators/<code>/restore")
def indicators_restore(code: str) -> Response | tuple[str, int]:
    return _retire(code, False)
