"""The resource schemas of the OpenAPI document, with the bounds the server enforces: ids as the
engine accepts them (1..``engine.MAX_ID``), pages and texts as the routes and the engine check them."""
from __future__ import annotations

from typing import Any

import engine
from webui.params import MAX_PAGE

ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": engine.MAX_ID}
NULL_ID: dict[str, Any] = {**ID, "nullable": True}
TASK_ID: dict[str, Any] = {"type": "string", "format": "uuid", "minLength": 1, "maxLength": 36}
NULL_TASK_ID: dict[str, Any] = {**TASK_ID, "nullable": True}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
NUMBER: dict[str, Any] = {"type": "integer", "minimum": 1}  # a version or round number
NULL_INT = {"type": "integer", "nullable": True}
NULL_STR = {"type": "string", "nullable": True}
NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}
ROLES = ["city", "province", "ministry", "admin"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def text(max_length: int | None = None, *, min_length: int = 1) -> dict[str, Any]:
    """A string the server refuses when empty or blank (``pattern``) or longer than ``max_length``."""
    schema: dict[str, Any] = {"type": "string", "minLength": min_length}
    if min_length:
        schema["pattern"] = r"\S"
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def page_of(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total"], "properties": {
        "items": {"type": "array", "items": ref(name)}, "total": COUNT,
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "per_page": {"type": "integer", "minimum": 1}}}


def _obj(required: list[str], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


_TASK = _obj(["id", "instance_id", "bpmn_id", "name", "lane", "state"], {
    "id": TASK_ID, "instance_id": ID, "bpmn_id": {"type": "string"},
    "name": {"type": "string"}, "lane": NULL_STR, "role": {"type": "string"}, "pilot_id": NULL_ID,
    "province_id": NULL_ID, "province": NULL_STR, "round": NUMBER,
    "state": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
    "due_at": NULL_TIME, "created_at": NULL_TIME, "claimed_by": NULL_ID, "completed_at": NULL_TIME,
    "completed_by": NULL_ID,
    "may": {"type": "object", "description": "In task lists: what you may do with the task now.",
            "properties": {k: {"type": "boolean"} for k in ("act", "claim", "release", "reassign")}}})
_FILTER_QUERY = {"type": "object", "additionalProperties": False, "description": "the fields GET /tasks takes",
                 "properties": {
    "scope": {"type": "string", "enum": list(engine.TASK_SCOPES)}, "province_id": ID, "pilot_id": ID,
    "bpmn_id": {"type": "string", "maxLength": 200}, "overdue": {"type": "boolean"},
    "search": {"type": "string", "maxLength": 100}, "sort": {"type": "string", "enum": list(engine.TASK_SORTS)},
    "descending": {"type": "boolean"}}}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error", "message", "details"], {
        "error": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}}}),
    "Me": _obj(["id", "username", "role"], {
        "id": ID, "username": {"type": "string"}, "display_name": NULL_STR,
        "role": {"type": "string", "enum": ROLES},
        "province_id": NULL_ID, "province": NULL_STR, "pilot_id": NULL_ID, "pilot": NULL_STR}),
    "User": _obj(["id", "username", "role", "active"], {
        "id": ID, "username": {"type": "string"}, "display_name": NULL_STR,
        "role": {"type": "string", "enum": ROLES},
        "province_id": NULL_ID, "province": NULL_STR, "pilot_id": NULL_ID, "pilot": NULL_STR,
        "active": {"type": "boolean"}, "email": {**NULL_STR, "format": "email"}}),
    "Notification": _obj(["id", "kind", "params", "created_at"], {
        "id": ID, "kind": {"type": "string", "enum": [k.value for k in engine.NotificationKind]},
        "task_id": NULL_TASK_ID, "instance_id": NULL_ID, "pilot_id": NULL_ID,
        "params": {"type": "object", "description": "what the text is made of: task, pilot, province, round, "
                   "due_at; clients word it themselves"},
        "created_at": {"type": "string", "format": "date-time"}, "read_at": NULL_TIME}),
    "NotificationPage": {"allOf": [page_of("Notification"), {"type": "object", "properties": {
        "unread": {"type": "integer", "minimum": 0, "description": "unread notifications, counted up to 100"}}}]},
    "Pilot": _obj(["id", "name", "province", "level"], {
        "id": ID, "name": {"type": "string"}, "province": {"type": "string"},
        "province_id": ID, "level": {"type": "string", "enum": ["city", "district", "county", "town"]},
        "batch_year": NULL_INT}),
    "Definition": _obj(["key", "version", "name", "deployed_at"], {
        "key": {"type": "string"}, "version": NUMBER, "name": {"type": "string"},
        "deployed_at": {"type": "string", "format": "date-time"}}),
    "Task": _TASK,
    "TaskDetail": {"allOf": [ref("Task"), {"type": "object", "properties": {
        "form": {"type": "object", "nullable": True, "description": "the task's JSON Schema"},
        "ui_schema": {"type": "object", "nullable": True}, "data": {"type": "object"},
        "documentation": NULL_STR, "may_complete": {"type": "boolean"}, "instance_version": {"type": "integer"},
        "submitted": {"type": "object", "nullable": True}}}]},
    "Instance": _obj(["id", "process", "version", "state"], {
        "id": ID, "process": {"type": "string"}, "version": NUMBER,
        "pilot_id": NULL_ID, "province_id": NULL_ID,
        "state": {"type": "string", "enum": ["running", "suspended", "completed", "cancelled", "error"]},
        "stage": NULL_STR, "instance_version": {"type": "integer"}, "started_at": NULL_TIME, "ended_at": NULL_TIME,
        "next_timer_at": NULL_TIME, "error": NULL_STR, "messages": {"type": "array", "items": {"type": "object"}},
        "tasks": {"type": "array", "items": ref("Task")}}),
    "Event": _obj(["id", "at", "action"], {
        "id": ID, "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
        "actor": NULL_STR, "task_id": NULL_TASK_ID, "bpmn_id": NULL_STR, "before": {}, "after": {},
        "message": NULL_STR}),
    "MigrationStep": _obj(["bpmn_id"], {
        "bpmn_id": {"type": "string"}, "name": NULL_STR,
        "attributes": {"type": "array", "items": {"type": "string"}, "description": "for a changed step"}}),
    "MigrationVerdict": _obj(["instance_id", "from_version", "to_version", "can_move"], {
        "instance_id": ID, "from_version": NUMBER, "to_version": NUMBER, "can_move": {"type": "boolean"},
        "reason": {**NULL_STR, "description": "why it cannot move: same_version, instance_completed, "
                   "instance_cancelled, token_in_removed_step, token_in_changed_step, subprocess_running, "
                   "loop_running, subprocess_removed, unsafe_structure"},
        "element": {**NULL_STR, "description": "the step the refusal is about"},
        "added": {"type": "array", "items": ref("MigrationStep")},
        "removed": {"type": "array", "items": ref("MigrationStep")},
        "changed": {"type": "array", "items": ref("MigrationStep")}}),
    "Migration": _obj(["process", "to_version", "dry_run", "instances"], {
        "process": {"type": "string"}, "to_version": NUMBER, "dry_run": {"type": "boolean"},
        "instances": {"type": "array", "items": ref("MigrationVerdict")}}),
    "Deployed": {"allOf": [ref("Definition"), {"type": "object", "properties": {
        "created": {"type": "boolean"}, "deployed": {"type": "array", "items": ref("Definition")}}}]},
    "Attachment": _obj(["id", "name", "content_type", "size", "round", "uploaded_at", "download"], {
        "id": ID, "name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer",
                                                                                           "minimum": 1},
        "round": NUMBER, "task_id": NULL_TASK_ID, "bpmn_id": NULL_STR,
        "step": {**NULL_STR, "description": "the name of the step it was uploaded in"},
        "uploaded_by": NULL_STR, "uploaded_at": {"type": "string", "format": "date-time"},
        "withdrawn_at": {**NULL_TIME, "description": "withdrawn in a later round (it stays in its round's record)"},
        "download": {"type": "string", "description": "where to download its bytes"}}),
    "Comment": _obj(["id", "author", "body", "created_at", "round"], {
        "id": ID, "author": {"type": "string"}, "body": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "task_id": NULL_TASK_ID,
        "bpmn_id": {**NULL_STR, "description": "the step it is about"}, "round": NUMBER,
        "field": {**NULL_STR, "description": "the form field it is pinned to"}}),
    "Draft": _obj(["data", "saved_at"], {
        "data": {"type": "object", "nullable": True, "description": "the form as typed so far; null: no draft"},
        "saved_at": NULL_TIME}),
    "FilterQuery": _FILTER_QUERY,
    "SavedFilter": _obj(["id", "name", "query"], {"id": ID, "name": {"type": "string"}, "query": ref("FilterQuery")}),
}
