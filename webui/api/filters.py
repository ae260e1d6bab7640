"""The API's saved task-list filters (each user's own): list, create, delete. A filter's ``query``
holds the fields ``GET /tasks`` takes (scope, province_id, pilot_id, bpmn_id, overdue, search,
sort, descending), checked by the engine."""
from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

import engine
from webui.api import serialize
from webui.api.routes import body
from webui.api.routes import bp
from webui.api.routes import caller
from webui.extensions import get_db


def _mine() -> list[engine.saved_filters.FilterView]:
    return engine.saved_filters.list_filters(get_db(), caller())


@bp.get("/saved-filters")
def list_filters() -> Response:
    items = [serialize.saved_filter(f) for f in _mine()]
    return jsonify(serialize.page(items, len(items)))


@bp.post("/saved-filters")
def create_filter() -> tuple[Response, int]:
    data = body()
    name, query = data.get("name"), data.get("query", {})
    if not isinstance(name, str):
        raise engine.InvalidData("'name' (text) is required", [{"field": "name", "message": "required"}])
    if not isinstance(query, dict):
        raise engine.InvalidData("'query' must be an object", [{"field": "query", "message": "not an object"}])
    filter_id = engine.saved_filters.save(get_db(), caller(), name, query)
    return jsonify(serialize.saved_filter(next(f for f in _mine() if f.id == filter_id))), 201


@bp.delete("/saved-filters/<int:filter_id>")
def delete_filter(filter_id: int) -> tuple[str, int]:
    engine.saved_filters.delete(get_db(), filter_id, user_id=caller())
    return "", 204
