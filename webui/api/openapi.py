"""The OpenAPI 3 description of /api/v1, built from one table of operations."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import engine


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total"], "properties": {
        "items": {"type": "array", "items": _ref(name)}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}}


NULL_INT = {"type": "integer", "nullable": True}
NULL_STR = {"type": "string", "nullable": True}
NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message", "details"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}}}},
    "Me": {"type": "object", "required": ["id", "username", "role"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": NULL_STR,
        "role": {"type": "string", "enum": ["city", "province", "ministry", "admin"]},
        "province_id": NULL_INT, "province": NULL_STR, "pilot_id": NULL_INT, "pilot": NULL_STR}},
    "User": {"type": "object", "required": ["id", "username", "role", "active"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": NULL_STR,
        "role": {"type": "string", "enum": ["city", "province", "ministry", "admin"]},
        "province_id": NULL_INT, "province": NULL_STR, "pilot_id": NULL_INT, "pilot": NULL_STR,
        "active": {"type": "boolean"}, "email": {**NULL_STR, "format": "email"}}},
    "Notification": {"type": "object", "required": ["id", "kind", "params", "created_at"], "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": [k.value for k in engine.NotificationKind]},
        "task_id": NULL_STR, "instance_id": NULL_INT, "pilot_id": NULL_INT,
        "params": {"type": "object", "description": "what the text is made of: task, pilot, province, round, "
                   "due_at; clients word it themselves"},
        "created_at": {"type": "string", "format": "date-time"}, "read_at": NULL_TIME}},
    "NotificationPage": {"allOf": [_page_of("Notification"), {"type": "object", "properties": {
        "unread": {"type": "integer", "description": "unread notifications, counted up to 100"}}}]},
    "Pilot": {"type": "object", "required": ["id", "name", "province", "level"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "province": {"type": "string"},
        "province_id": {"type": "integer"}, "level": {"type": "string", "enum": ["city", "district", "county", "town"]},
        "batch_year": NULL_INT}},
    "Definition": {"type": "object", "required": ["key", "version", "name", "deployed_at"], "properties": {
        "key": {"type": "string"}, "version": {"type": "integer"}, "name": {"type": "string"},
        "deployed_at": {"type": "string", "format": "date-time"}}},
    "Task": {"type": "object", "required": ["id", "instance_id", "bpmn_id", "name", "lane", "state"], "properties": {
        "id": {"type": "string"}, "instance_id": {"type": "integer"}, "bpmn_id": {"type": "string"},
        "name": {"type": "string"}, "lane": NULL_STR, "role": {"type": "string"}, "pilot_id": NULL_INT,
        "province_id": NULL_INT, "province": NULL_STR, "round": {"type": "integer"},
        "state": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
        "due_at": NULL_TIME, "created_at": NULL_TIME, "claimed_by": NULL_INT, "completed_at": NULL_TIME,
        "completed_by": NULL_INT,
        "may": {"type": "object", "description": "In task lists: what you may do with the task now.",
                "properties": {k: {"type": "boolean"} for k in ("act", "claim", "release", "reassign")}}}},
    "TaskDetail": {"allOf": [_ref("Task"), {"type": "object", "properties": {
        "form": {"type": "object", "nullable": True, "description": "the task's JSON Schema"},
        "ui_schema": {"type": "object", "nullable": True}, "data": {"type": "object"},
        "documentation": NULL_STR, "may_complete": {"type": "boolean"}, "instance_version": {"type": "integer"},
        "submitted": {"type": "object", "nullable": True}}}]},
    "Instance": {"type": "object", "required": ["id", "process", "version", "state"], "properties": {
        "id": {"type": "integer"}, "process": {"type": "string"}, "version": {"type": "integer"},
        "pilot_id": NULL_INT, "province_id": NULL_INT,
        "state": {"type": "string", "enum": ["running", "suspended", "completed", "cancelled", "error"]},
        "stage": NULL_STR, "instance_version": {"type": "integer"}, "started_at": NULL_TIME, "ended_at": NULL_TIME,
        "next_timer_at": NULL_TIME, "error": NULL_STR, "messages": {"type": "array", "items": {"type": "object"}},
        "tasks": {"type": "array", "items": _ref("Task")}}},
    "Event": {"type": "object", "required": ["id", "at", "action"], "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
        "actor": NULL_STR, "task_id": NULL_STR, "bpmn_id": NULL_STR, "before": {}, "after": {},
        "message": NULL_STR}},
    "MigrationStep": {"type": "object", "required": ["bpmn_id"], "properties": {
        "bpmn_id": {"type": "string"}, "name": NULL_STR,
        "attributes": {"type": "array", "items": {"type": "string"}, "description": "for a changed step"}}},
    "MigrationVerdict": {"type": "object", "required": ["instance_id", "from_version", "to_version", "can_move"],
                         "properties": {
        "instance_id": {"type": "integer"}, "from_version": {"type": "integer"}, "to_version": {"type": "integer"},
        "can_move": {"type": "boolean"},
        "reason": {**NULL_STR, "description": "why it cannot move: same_version, instance_completed, "
                   "instance_cancelled, token_in_removed_step, token_in_changed_step, subprocess_running, "
                   "loop_running, subprocess_removed, unsafe_structure"},
        "element": {**NULL_STR, "description": "the step the refusal is about"},
        "added": {"type": "array", "items": _ref("MigrationStep")},
        "removed": {"type": "array", "items": _ref("MigrationStep")},
        "changed": {"type": "array", "items": _ref("MigrationStep")}}},
    "Migration": {"type": "object", "required": ["process", "to_version", "dry_run", "instances"], "properties": {
        "process": {"type": "string"}, "to_version": {"type": "integer"}, "dry_run": {"type": "boolean"},
        "instances": {"type": "array", "items": _ref("MigrationVerdict")}}},
    "Deployed": {"allOf": [_ref("Definition"), {"type": "object", "properties": {
        "created": {"type": "boolean"}, "deployed": {"type": "array", "items": _ref("Definition")}}}]},
}

ERRORS = {"400": "Validation failed: one detail per field or problem", "401": "Not signed in",
          "403": "Not allowed", "404": "Not found (or outside your jurisdiction)",
          "409": "Conflict: someone changed it first, or it is not in a state that allows this",
          "413": "Request too large"}

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TASK_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _q(name: str, kind: str = "integer", enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "required": False, "schema": schema}


def _json_body(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:  # OpenAPI 3.0 wants a non-empty list or none
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


REASON = _json_body({"reason": {"type": "string"}}, ["reason"])
# (method, path, summary, response schema, parameters, request body, success status)
OPERATIONS: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]], dict[str, Any] | None, str]] = [
    ("get", "/me", "The signed-in user", _ref("Me"), [], None, "200"),
    ("get", "/pilots", "Pilots in your jurisdiction", _page_of("Pilot"), [], None, "200"),
    ("get", "/users", "Users (administrators)", _page_of("User"),
     [_q("q", "string"), _q("role", "string", ["city", "province", "ministry", "admin"]), _q("province_id"),
      _q("page"), _q("per_page")], None, "200"),
    ("post", "/users", "Create a user (administrators)", _ref("User"), [], _json_body(
        {"username": {"type": "string", "minLength": 1, "maxLength": 80},
         "password": {"type": "string", "minLength": 10, "maxLength": 200},
         "role": {"type": "string", "enum": ["city", "province", "ministry", "admin"]},
         "display_name": {"type": "string", "maxLength": 200}, "province": {"type": "string"},
         "province_id": {"type": "integer"}, "pilot_id": {"type": "integer"},
         "email": {"type": "string", "format": "email", "maxLength": 254}},
        ["username", "password", "role"]), "201"),
    ("patch", "/users/{id}", "Change a user's name, role and jurisdiction, active, password (administrators)",
     _ref("User"), [_ID], _json_body(
        {"display_name": {"type": "string", "maxLength": 200},
         "role": {"type": "string", "enum": ["city", "province", "ministry", "admin"]},
         "province": {"type": "string"}, "province_id": {"type": "integer"}, "pilot_id": {"type": "integer"},
         "active": {"type": "boolean"}, "password": {"type": "string", "minLength": 10, "maxLength": 200},
         "email": {"type": "string", "format": "email", "maxLength": 254, "nullable": True}}, []),
     "200"),
    ("get", "/definitions", "Deployed definitions with their live version", _page_of("Definition"), [], None, "200"),
    ("post", "/definitions", "Deploy BPMN, DMN and JSON Schema form files (admin)", _ref("Deployed"), [],
     {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
         "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}, "201"),
    ("post", "/instances", "Start an instance for a pilot (or a province)", _ref("Instance"), [],
     _json_body({"process": {"type": "string"}, "pilot_id": {"type": "integer"},
                 "province_id": {"type": "integer"}}, ["process"]), "201"),
    ("get", "/instances", "Instances in your jurisdiction", _page_of("Instance"),
     [_q("pilot_id"), _q("state", "string", ["running", "suspended", "completed", "cancelled", "error"]),
      _q("process", "string"), _q("page"), _q("per_page")], None, "200"),
    ("get", "/instances/{id}", "One instance with its ready tasks", _ref("Instance"), [_ID], None, "200"),
    ("get", "/instances/{id}/events", "The instance's audit events", _page_of("Event"), [_ID], None, "200"),
    ("post", "/instances/{id}/messages", "Send a message the instance waits for", _ref("Instance"), [_ID],
     _json_body({"name": {"type": "string"}, "payload": {"type": "object"}}, ["name"]), "200"),
    ("post", "/instances/{id}/suspend", "Suspend (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/resume", "Resume (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/cancel", "Cancel (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/migrate",
     "Dry run (default) or migrate to another version of its process (admin); a refusal is a 409 whose "
     "details name the reason", _ref("Migration"), [_ID],
     _json_body({"to_version": {"type": "integer"}, "dry_run": {"type": "boolean", "default": True},
                 "reason": {"type": "string"}}, ["to_version"]), "200"),
    ("post", "/instances/{id}/migrate/revert",
     "Revert the last migration exactly (admin); 409 once the instance moved on", _ref("Instance"), [_ID],
     {"required": False, "content": {"application/json": {"schema": {
         "type": "object", "properties": {"reason": {"type": "string"}}}}}}, "200"),
    ("get", "/tasks", "Your task lists", _page_of("Task"),
     [_q("scope", "string", list(engine.TASK_SCOPES)), _q("province_id"), _q("pilot_id"),
      _q("bpmn_id", "string"), _q("overdue", "boolean"), _q("page"), _q("per_page")], None, "200"),
    ("get", "/tasks/{id}", "One task with its form (JSON Schema) and data", _ref("TaskDetail"), [_TASK_ID], None,
     "200"),
    ("post", "/tasks/{id}/claim", "Claim a group task", _ref("TaskDetail"), [_TASK_ID], None, "200"),
    ("post", "/tasks/{id}/unclaim", "Release a claimed task", _ref("TaskDetail"), [_TASK_ID], None, "200"),
    ("post", "/tasks/{id}/reassign", "Reassign a task within the jurisdiction", _ref("TaskDetail"), [_TASK_ID],
     _json_body({"user_id": {"type": "integer"}}, ["user_id"]), "200"),
    ("get", "/notifications", "Your notifications, newest first", _ref("NotificationPage"),
     [{**_q("page"), "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
      {**_q("per_page"), "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
      _q("unread", "boolean")], None, "200"),
    ("post", "/notifications/{id}/read", "Mark one of your notifications read", _ref("Notification"), [_ID], None,
     "200"),
    ("post", "/notifications/read-all", "Mark all your notifications read",
     {"type": "object", "required": ["marked"], "properties": {"marked": {"type": "integer"}}}, [], None, "200"),
    ("post", "/tasks/{id}/complete", "Complete a task with form data", _ref("Instance"), [_TASK_ID],
     _json_body({"data": {"type": "object"}, "instance_version": {"type": "integer"}}, ["data"]), "200"),
]


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path, summary, schema, params, body, status in OPERATIONS:
        responses: dict[str, Any] = {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}
        for code, text in ERRORS.items():
            responses[code] = {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
        op: dict[str, Any] = {"summary": summary, "operationId": f"{method}_{path}".replace("/", "_").strip("_"),
                              "parameters": params, "responses": responses}
        if body:
            op["requestBody"] = body
        paths.setdefault(path, {})[method] = op
    return {"openapi": "3.0.3",
            "info": {"title": "schemeflow API", "version": "1",
                     "description": "Smart-city pilot workflow engine. Authenticate with "
                                    "'Authorization: Bearer <token>' (schemeflow user token NAME) or a session."},
            "servers": [{"url": "/api/v1"}], "paths": paths,
            "components": {"schemas": SCHEMAS, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
            "security": [{"bearer": []}, {"session": []}]}
