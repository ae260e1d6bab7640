"""The API's user management (administrators only; the engine refuses everyone else):
``GET/POST /users`` and ``PATCH /users/{id}``."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask import request
from werkzeug.wrappers import Response

import engine
from webui.api import serialize
from webui.api.routes import body
from webui.api.routes import bp
from webui.api.routes import caller
from webui.api.routes import id_field
from webui.api.routes import int_arg
from webui.api.routes import paging
from webui.extensions import get_db

_TEXT = ("username", "password", "role", "display_name", "province", "email")


def _texts(data: dict[str, Any]) -> dict[str, str | None]:
    """The body's string fields, each a string or null (anything else is refused, by name)."""
    wrong = [k for k in _TEXT if k in data and data[k] is not None and not isinstance(data[k], str)]
    if wrong:
        raise engine.InvalidData("these fields must be strings: " + ", ".join(wrong),
                                 [{"field": k, "message": "not a string"} for k in wrong])
    return {k: data.get(k) for k in _TEXT}


def _province(data: dict[str, Any], texts: dict[str, str | None]) -> str | None:
    """A province by name (``province``) or id (``province_id``)."""
    province_id = id_field(data, "province_id")
    if province_id is None:
        return texts["province"]
    names = {p.id: p.name for p in engine.list_provinces(get_db(), user_id=caller())}
    return names.get(province_id, f"#{province_id}")  # an unknown id is refused like an unknown name


@bp.get("/users")
def list_users() -> Response:
    args = request.args
    page_no, per_page = paging()
    query = engine.user_admin.UserQuery(search=(args.get("q") or "")[:80], role=args.get("role") or None,
                                        province_id=int_arg("province_id"), page=page_no, per_page=per_page)
    result = engine.user_admin.list_users(get_db(), user_id=caller(), query=query)
    return jsonify(serialize.page([serialize.user(u) for u in result.items], result.total, result.page,
                                  result.per_page))


@bp.post("/users")
def create_user() -> tuple[Response, int]:
    data = body()
    texts = _texts(data)
    created = engine.users.create_user(
        get_db(), texts["username"] or "", texts["role"] or "", texts["password"] or "", user_id=caller(),
        province=_province(data, texts), pilot_id=id_field(data, "pilot_id"), display_name=texts["display_name"],
        email=texts["email"])
    return jsonify(serialize.user(engine.user_admin.get_user(get_db(), created.id, user_id=caller()))), 201


@bp.patch("/users/<int:target_id>")
def update_user(target_id: int) -> Response:
    """Change what the body names: display_name, role with its jurisdiction, active, password."""
    db, data = get_db(), body()
    texts = _texts(data)
    if "active" in data and not isinstance(data["active"], bool):
        raise engine.InvalidData("active must be true or false", [{"field": "active", "message": "not a boolean"}])
    target = engine.user_admin.get_user(db, target_id, user_id=caller())
    if {"display_name", "role", "province", "province_id", "pilot_id", "email"} & data.keys():
        engine.user_admin.update_user(
            db, target_id, user_id=caller(),
            display_name=texts["display_name"] if "display_name" in data else target.display_name,
            role=texts["role"] or target.role.value,
            province=_province(data, texts) if {"province", "province_id"} & data.keys()
            else (target.province.name if target.province else None),
            pilot_id=id_field(data, "pilot_id") if "pilot_id" in data else target.pilot_id,
            email=texts["email"] if "email" in data else target.email)
    if "active" in data:
        engine.users.set_active(db, target.username, data["active"], user_id=caller())
    if texts["password"] is not None:
        engine.users.set_password(db, target.username, texts["password"], user_id=caller())
    return jsonify(serialize.user(engine.user_admin.get_user(db, target_id, user_id=caller())))
