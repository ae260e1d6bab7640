"""Task forms: load a version's JSON Schemas and validate submitted data against them."""
from __future__ import annotations

import json
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
    """Return the data if it fits the task's form; else raise InvalidData with one detail per problem.

    Top-level fields the form does not declare are refused unless the schema allows extra
    properties explicitly: a submitter must not be able to set variables that steer gateways.
    A task without a form accepts only an empty object.
    """
    key = (version_id, name) if name else None
    schema = load(session, version_id, name) or _NO_FORM
    if key not in _VALIDATORS:
        _VALIDATORS[key] = validator_for(schema)(schema, format_checker=FORMAT_CHECKER)
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object", [{"field": "", "message": "expected an object"}])
    details = []
    extra = schema.get("additionalProperties")
    if extra is None or extra is False:
        declared = set(schema.get("properties", {}))
        details += [{"field": field, "message": "unknown field"} for field in sorted(set(data) - declared)]
    for error in sorted(_VALIDATORS[key].iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [f for f in error.validator_value if f not in error.instance]
            path = "/".join([*map(str, error.absolute_path), *missing[:1]])
        details.append({"field": path, "message": error.message})
    if details:
        raise InvalidData(f"the data does not fit the form ({len(details)} problem(s))", details)
    return data
