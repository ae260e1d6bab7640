"""JSON shapes of the API's resources (one function per resource, used by every endpoint)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import AuditEvent
from engine import Deployed
from engine import HumanTask
from engine import InstanceView
from engine import Pilot
from engine import Rights
from engine import TaskView
from engine import User
from webui.extensions import CurrentUser


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def page(items: list[Any], total: int, page_no: int = 1, per_page: int | None = None) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page_no, "per_page": per_page or max(len(items), 1)}


def me(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role.value, "province_id": user.province_id, "province": user.province_name,
            "pilot_id": user.pilot_id, "pilot": user.pilot_name}


def user(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role.value,
            "province_id": u.province_id, "province": u.province.name if u.province else None,
            "pilot_id": u.pilot_id, "pilot": u.pilot.name if u.pilot else None, "active": u.active,
            "email": u.email}


def pilot(p: Pilot) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "province": p.province.name, "province_id": p.province_id,
            "level": p.level.value, "batch_year": p.batch_year}


def definition(d: Deployed) -> dict[str, Any]:
    return {"key": d.key, "version": d.version, "name": d.name, "deployed_at": iso(d.deployed_at)}


def task(t: HumanTask, province: str | None = None) -> dict[str, Any]:
    return {"id": t.id, "instance_id": t.instance_id, "bpmn_id": t.bpmn_id, "name": t.name, "lane": t.lane,
            "role": t.role.value, "pilot_id": t.pilot_id, "province_id": t.province_id, "province": province,
            "state": t.state.value, "round": t.round, "due_at": iso(t.due_at), "created_at": iso(t.created_at),
            "claimed_by": t.claimed_by_id, "completed_at": iso(t.completed_at), "completed_by": t.completed_by_id}


def rights(r: Rights) -> dict[str, bool]:
    return {"act": r.act, "claim": r.claim, "release": r.release, "reassign": r.reassign}


def instance(v: InstanceView, with_tasks: bool = True) -> dict[str, Any]:
    out = {"id": v.id, "process": v.process, "version": v.version, "pilot_id": v.pilot_id,
           "province_id": v.province_id, "state": v.state, "stage": v.stage, "instance_version": v.instance_version,
           "started_at": iso(v.started_at), "ended_at": iso(v.ended_at), "next_timer_at": iso(v.next_timer_at),
           "error": v.error, "messages": v.messages}
    if with_tasks:
        out["tasks"] = [task(t) for t in v.tasks]
    return out


def task_detail(v: TaskView) -> dict[str, Any]:
    return {**task(v.task), "form": v.schema, "ui_schema": v.ui_schema, "data": v.data,
            "documentation": v.documentation, "may_complete": v.may_act,
            "instance_version": v.instance.instance_version, "submitted": v.task.data}


def event(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.id, "at": iso(e.at), "action": e.action, "actor": e.actor.username if e.actor else None,
            "task_id": e.task_id, "bpmn_id": e.bpmn_id, "before": e.data_before, "after": e.data_after,
            "message": e.message}


def migration(plan: Any, dry_run: bool) -> dict[str, Any]:
    """A migration's dry run or result (``engine.migration.Plan``): per instance, can it move."""
    def steps(items: list[Any]) -> list[dict[str, Any]]:
        return [{"bpmn_id": s.bpmn_id, "name": s.name} | ({"attributes": list(s.attributes)} if s.attributes else {})
                for s in items]

    return {"process": plan.process, "to_version": plan.to_version, "dry_run": dry_run,
            "instances": [{"instance_id": v.instance_id, "from_version": v.from_version, "to_version": v.to_version,
                           "can_move": v.can_move, "reason": v.reason, "element": v.element,
                           "added": steps(v.changes.added), "removed": steps(v.changes.removed),
                           "changed": steps(v.changes.changed)} for v in plan.instances]}


def attachment(a: Any) -> dict[str, Any]:
    """An attachment's metadata (``engine.attachments.AttachmentView``) and where to download it."""
    return {"id": a.id, "name": a.name, "content_type": a.content_type, "size": a.size, "round": a.round,
            "task_id": a.task_id, "bpmn_id": a.bpmn_id, "step": a.step, "uploaded_by": a.uploaded_by,
            "uploaded_at": iso(a.uploaded_at), "withdrawn_at": iso(a.removed_at),
            "download": f"/api/v1/attachments/{a.id}"}


def comment(c: Any) -> dict[str, Any]:
    """A remark in a thread (``engine.comments.CommentView``); ``field`` is the form field it is pinned to."""
    return {"id": c.id, "author": c.author, "body": c.body, "created_at": iso(c.created_at), "task_id": c.task_id,
            "bpmn_id": c.bpmn_id, "round": c.round, "field": c.field}


def draft(data: dict[str, Any] | None, saved_at: datetime | None) -> dict[str, Any]:
    return {"data": data, "saved_at": iso(saved_at)}


def saved_filter(f: Any) -> dict[str, Any]:
    return {"id": f.id, "name": f.name, "query": f.query}
