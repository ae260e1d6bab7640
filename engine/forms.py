"""Task forms: load a version's JSON Schemas, order their fields, and validate submitted data
against them (every problem at once, each at the path of its field)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.models import DefinitionFile

FORMAT_CHECKER = FormatChecker()


def load(session: Session, version_id: int, name: str | None) -> dict[str, Any] | None:
    """The parsed JSON file ``name`` of a deployed version (None when the task has no form)."""
    if not name:
        return None
    return _cached(session, version_id, name)


def _cached(session: Session, version_id: int, name: str) -> dict[str, Any] | None:
    # Deployed files are immutable, so a parsed schema can be kept for the life of the process.
    key = (version_id, name)
    if key not in _CACHE:
        content = session.scalar(select(DefinitionFile.content)
                                 .where(DefinitionFile.version_id == version_id, DefinitionFile.name == name))
        if content is None:
            return None
        _CACHE[key] = json.loads(content)
    return _CACHE[key]


_CACHE: dict[tuple[int, str], dict[str, Any]] = {}
_NO_FORM: dict[str, Any] = {"type": "object", "properties": {}}
_VALIDATORS: dict[tuple[int, str] | None, Any] = {}


def check(session: Session, version_id: int, name: str | None, data: Any) -> dict[str, Any]:
    """Return the data if it fits the task's form; else raise InvalidData with one detail per problem."""
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object", [{"field": "", "message": "expected an object"}],
                          reason="not_an_object")
    details = validate(session, version_id, name, data)
    if details:
        raise InvalidData(f"the data does not fit the form ({len(details)} problem(s))", details,
                          reason="form_invalid", n=len(details))
    return data


def validate(session: Session, version_id: int, name: str | None, data: dict[str, Any]) -> list[dict[str, object]]:
    """Every problem of ``data`` against the task's form (empty when it fits).

    Top-level fields the form does not declare are refused unless the schema allows extra
    properties explicitly: a submitter must not be able to set variables that steer gateways.
    A task without a form accepts only an empty object.
    """
    key = (version_id, name) if name else None
    schema = load(session, version_id, name) or _NO_FORM
    if key not in _VALIDATORS:
        _VALIDATORS[key] = validator_for(schema)(schema, format_checker=FORMAT_CHECKER)
    details: list[dict[str, object]] = []
    extra = schema.get("additionalProperties")
    if extra is None or extra is False:
        declared = set(schema.get("properties", {}))
        details += [{"field": field, "message": "unknown field"} for field in sorted(set(data) - declared)]
    return details + problems(_VALIDATORS[key], data)


def problems(validator: Any, data: Any) -> list[dict[str, object]]:
    """Every schema violation as {"field": "a/0/b", "message": …}, in field order.

    jsonschema reports a missing required property at its parent object; each such error is
    moved to the path of the property it is about, so six empty required fields are six problems
    beside six fields (not six at the first one)."""
    out: list[dict[str, object]] = []
    for error in validator.iter_errors(data):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = _quoted_property(error.message, error.validator_value)
            path.append(missing)
        out.append({"field": "/".join(path), "message": error.message})
    return sorted(out, key=lambda d: str(d["field"]))


def _quoted_property(message: str, required: Any) -> str:
    # "'name' is a required property": the message names the property, repr-quoted.
    for name in required if isinstance(required, list) else []:
        if isinstance(name, str) and message.startswith(repr(name)):
            return name
    return ""


def field_order(schema: Mapping[str, Any] | None, ui: Mapping[str, Any] | None, *values: Any) -> list[str]:
    """A form's field keys in display order: the UI schema's ``ui:order``, then the schema's own
    order, then keys only the given values have (an answer to a field since removed)."""
    props = list(((schema or {}).get("properties") or {}).keys())
    order = [k for k in (ui or {}).get("ui:order", []) if isinstance(k, str) and k in props]
    keys = order + [k for k in props if k not in order]
    for value in values:
        if isinstance(value, dict):
            keys += [k for k in value if k not in keys]
    return keys


def node(schema: Mapping[str, Any] | None, key: str) -> dict[str, Any] | None:
    """The schema node of one top-level field (None when the form has no such field)."""
    found = ((schema or {}).get("properties") or {}).get(key)
    return found if isinstance(found, dict) else None
