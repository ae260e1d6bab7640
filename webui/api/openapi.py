"""The OpenAPI 3 description of /api/v1, built from one table of operations."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import engine
from webui.api.openapi_schemas import ID
from webui.api.openapi_schemas import NUMBER
from webui.api.openapi_schemas import ROLES
from webui.api.openapi_schemas import SCHEMAS
from webui.api.openapi_schemas import TASK_ID
from webui.api.openapi_schemas import page_of as _page_of
from webui.api.openapi_schemas import ref as _ref
from webui.api.openapi_schemas import text
from webui.params import MAX_PAGE
from webui.params import MAX_PER_PAGE

ERRORS = {"400": "Validation failed: one detail per field or problem", "401": "Not signed in",
          "403": "Not allowed", "404": "Not found (or outside your jurisdiction)",
          "409": "Conflict: someone changed it first, or it is not in a state that allows this",
          "413": "Request too large", "422": "The process could not continue (an error in the workflow)",
          "503": "The database is briefly unavailable: nothing was saved; retry after Retry-After seconds"}

_ID = {"name": "id", "in": "path", "required": True, "schema": ID}
_TASK_ID = {"name": "id", "in": "path", "required": True, "schema": TASK_ID}
_ATT_ID = {"name": "attachment_id", "in": "path", "required": True, "schema": ID}


def _q(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


def _enum(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values}


PAGING = [_q("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
          _q("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50})]
BOOL = {"type": "boolean"}


def _json_body(props: dict[str, Any], required: list[str], *, needed: bool = True) -> dict[str, Any]:
    # Every JSON body is an object whose unknown fields the server ignores.
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": True}
    if required:  # OpenAPI 3.0 wants a non-empty list or none
        schema["required"] = required
    return {"required": needed, "content": {"application/json": {"schema": schema}}}


def _multipart(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": props, "required": required}}}}


BINARY = {"type": "string", "format": "binary"}
DOWNLOAD = {"content": {t: {"schema": BINARY} for t in sorted(
    {t for t, _ in engine.attachments.KINDS.values()} | set(engine.attachments.OLE_TYPES.values()))},
    "headers": {"Content-Disposition": {"description": "attachment, with the file's name", "schema": {
        "type": "string"}}, "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}}}}
NO_CONTENT: dict[str, Any] = {}
EMAIL = {"type": "string", "format": "email", "maxLength": 254}
USER_TEXT = {"display_name": {"type": "string", "maxLength": 200, "nullable": True},
             "role": _enum(ROLES), "province": {"type": "string"}, "province_id": ID, "pilot_id": ID}
REASON = _json_body({"reason": text()}, ["reason"])
# (method, path, summary, response schema (NO_CONTENT: none; DOWNLOAD: a file), parameters, request body,
# success status)
Operation = tuple[str, str, str, dict[str, Any], list[dict[str, Any]], dict[str, Any] | None, str]
OPERATIONS: list[Operation] = [
    ("get", "/me", "The signed-in user", _ref("Me"), [], None, "200"),
    ("get", "/pilots", "Pilots in your jurisdiction", _page_of("Pilot"), [], None, "200"),
    ("get", "/users", "Users (administrators)", _page_of("User"),
     [_q("q"), _q("role", _enum(ROLES)), _q("province_id", ID), *PAGING], None, "200"),
    ("post", "/users", "Create a user (administrators)", _ref("User"), [], _json_body(
        {"username": text(80), "password": {"type": "string", "minLength": 10}, **USER_TEXT, "email": EMAIL},
        ["username", "password", "role"]), "201"),
    ("patch", "/users/{id}", "Change a user's name, role and jurisdiction, active, password (administrators)",
     _ref("User"), [_ID], _json_body(
        {**USER_TEXT, "active": BOOL, "password": {"type": "string", "minLength": 10},
         "email": {**EMAIL, "nullable": True}}, []), "200"),
    ("get", "/definitions", "Deployed definitions with their live version", _page_of("Definition"), [], None, "200"),
    ("post", "/definitions", "Deploy BPMN, DMN and JSON Schema form files (admin)", _ref("Deployed"), [],
     _multipart({"files": {"type": "array", "items": BINARY}}, ["files"]), "201"),
    ("post", "/instances", "Start an instance for a pilot (or a province)", _ref("Instance"), [],
     _json_body({"process": text(), "pilot_id": ID, "province_id": ID}, ["process"]), "201"),
    ("get", "/instances", "Instances in your jurisdiction", _page_of("Instance"),
     [_q("pilot_id", ID), _q("state", _enum(["running", "suspended", "completed", "cancelled", "error"])),
      _q("process"), *PAGING], None, "200"),
    ("get", "/instances/{id}", "One instance with its ready tasks", _ref("Instance"), [_ID], None, "200"),
    ("get", "/instances/{id}/events", "The instance's audit events", _page_of("Event"), [_ID], None, "200"),
    ("get", "/instances/{id}/attachments", "Every attachment of the instance, oldest first",
     _page_of("Attachment"), [_ID], None, "200"),
    ("get", "/instances/{id}/comments", "The instance's whole comment thread, oldest first", _page_of("Comment"),
     [_ID], None, "200"),
    ("post", "/instances/{id}/messages", "Send a message the instance waits for", _ref("Instance"), [_ID],
     _json_body({"name": text(), "payload": {"type": "object"}}, ["name"]), "200"),
    ("post", "/instances/{id}/suspend", "Suspend (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/resume", "Resume (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/cancel", "Cancel (admin, with a reason)", _ref("Instance"), [_ID], REASON, "200"),
    ("post", "/instances/{id}/migrate",
     "Dry run (default) or migrate to another version of its process (admin); a refusal is a 409 whose "
     "details name the reason", _ref("Migration"), [_ID],
     _json_body({"to_version": {**NUMBER, "maximum": engine.MAX_ID}, "dry_run": {**BOOL, "default": True},
                 "reason": {"type": "string"}}, ["to_version"]), "200"),
    ("post", "/instances/{id}/migrate/revert",
     "Revert the last migration exactly (admin); 409 once the instance moved on", _ref("Instance"), [_ID],
     _json_body({"reason": {"type": "string"}}, [], needed=False), "200"),
    ("get", "/tasks", "Your task lists", _page_of("Task"),
     [_q("scope", _enum(list(engine.TASK_SCOPES))), _q("province_id", ID), _q("pilot_id", ID),
      _q("bpmn_id"), _q("overdue", BOOL), _q("search", {"type": "string", "description": "part of a pilot's or "
                                                        "a step's name (the first 100 characters count)"}),
      _q("sort", _enum(list(engine.TASK_SORTS))), _q("descending", BOOL), *PAGING], None, "200"),
    ("get", "/tasks/{id}", "One task with its form (JSON Schema) and data", _ref("TaskDetail"), [_TASK_ID], None,
     "200"),
    ("post", "/tasks/{id}/claim", "Claim a group task", _ref("TaskDetail"), [_TASK_ID], None, "200"),
    ("post", "/tasks/{id}/unclaim", "Release a claimed task", _ref("TaskDetail"), [_TASK_ID], None, "200"),
    ("post", "/tasks/{id}/reassign", "Reassign a task within the jurisdiction", _ref("TaskDetail"), [_TASK_ID],
     _json_body({"user_id": ID}, ["user_id"]), "200"),
    ("get", "/notifications", "Your notifications, newest first", _ref("NotificationPage"),
     [_q("page", {"type": "integer", "minimum": 1, "maximum": 10000}),
      _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100}), _q("unread", BOOL)], None, "200"),
    ("post", "/notifications/{id}/read", "Mark one of your notifications read", _ref("Notification"), [_ID], None,
     "200"),
    ("post", "/notifications/read-all", "Mark all your notifications read",
     {"type": "object", "required": ["marked"], "properties": {"marked": {"type": "integer", "minimum": 0}}}, [],
     None, "200"),
    ("post", "/tasks/{id}/complete", "Complete a task with form data", _ref("Instance"), [_TASK_ID],
     _json_body({"data": {"type": "object"}, "instance_version": {"type": "integer"}}, ["data"]), "200"),
    ("get", "/tasks/{id}/attachments", "The attachments of the task's step, every round", _page_of("Attachment"),
     [_TASK_ID], None, "200"),
    ("post", "/tasks/{id}/attachments",
     "Upload a file to a task you may work on (PDF, Word, Excel, PowerPoint or an image, recognised by its "
     "content; a name that does not match it, an empty file or one over the size limit is refused)",
     _ref("Attachment"), [_TASK_ID], _multipart({"file": BINARY}, ["file"]), "201"),
    ("delete", "/tasks/{id}/attachments/{attachment_id}",
     "Withdraw an attachment of the step while the task is ready", NO_CONTENT, [_TASK_ID, _ATT_ID], None, "204"),
    ("get", "/attachments/{id}", "Download an attachment's file", DOWNLOAD, [_ID], None, "200"),
    ("get", "/tasks/{id}/comments", "The thread as the task's page shows it", _page_of("Comment"), [_TASK_ID],
     None, "200"),
    ("post", "/tasks/{id}/comments", "Add a comment from a task; 'field' (step:field) pins it to a form field",
     _ref("Comment"), [_TASK_ID], _json_body({"body": text(engine.comments.MAX_COMMENT_CHARS),
                                              "field": {"type": "string"}}, ["body"]), "201"),
    ("get", "/tasks/{id}/draft", "The draft saved on a task you may act on (data null: none)", _ref("Draft"),
     [_TASK_ID], None, "200"),
    ("put", "/tasks/{id}/draft", "Save the form as typed so far, without submitting it", _ref("Draft"), [_TASK_ID],
     _json_body({"data": {"type": "object"}}, ["data"]), "200"),
    ("delete", "/tasks/{id}/draft", "Discard the task's draft", NO_CONTENT, [_TASK_ID], None, "204"),
    ("get", "/saved-filters", "Your saved task-list filters, by name", _page_of("SavedFilter"), [], None, "200"),
    ("post", "/saved-filters", "Save a task-list filter under a name of your own (at most "
     f"{engine.saved_filters.MAX_PER_USER})", _ref("SavedFilter"), [],
     _json_body({"name": text(engine.saved_filters.MAX_NAME), "query": _ref("FilterQuery")}, ["name"]), "201"),
    ("delete", "/saved-filters/{id}", "Delete one of your saved filters", NO_CONTENT, [_ID], None, "204"),
]


def _success(schema: dict[str, Any]) -> dict[str, Any]:
    if schema is NO_CONTENT:
        return {"description": "Done"}
    if "content" in schema:
        return {"description": "OK", **schema}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path, summary, schema, params, body, status in OPERATIONS:
        responses: dict[str, Any] = {status: _success(schema)}
        for code, description in ERRORS.items():
            responses[code] = {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
        op: dict[str, Any] = {"summary": summary, "operationId": f"{method}_{path}".replace("/", "_").strip("_"),
                              "parameters": params, "responses": responses}
        if body:
            op["requestBody"] = body
        paths.setdefault(path, {})[method] = op
    return {"openapi": "3.0.3",
            "info": {"title": "schemeflow API", "version": "1",
                     "description": "Smart-city pilot workflow engine. Authenticate with "
                                    "'Authorization: Bearer <token>' (schemeflow user token NAME) or a session. "
                                    "A request with a method a path does not take is a 405 whose Allow header "
                                    "names those it does."},
            "servers": [{"url": "/api/v1"}], "paths": paths,
            "components": {"schemas": SCHEMAS, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
            "security": [{"bearer": []}, {"session": []}]}
