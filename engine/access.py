"""The one authorization rule: a lane maps to a role, and a role acts only in its jurisdiction.

City users act for their own pilot, provincial reviewers for the pilots (and provincial
processes) of their province, ministry and admin users nationwide. Every read and write in the
engine asks this module, in Python for one object or as a SQL condition for a list.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import true

from engine.models import HumanTask
from engine.models import Instance
from engine.models import Role
from engine.models import User

LANE_ROLES: dict[str, Role] = {"City": Role.CITY, "Province": Role.PROVINCE,
                               "Ministry": Role.MINISTRY, "Admin": Role.ADMIN}
NATIONWIDE = (Role.MINISTRY, Role.ADMIN)
DASHBOARD_ROLES = (Role.PROVINCE, *NATIONWIDE)


def in_jurisdiction(user: User, province_id: int | None, pilot_id: int | None) -> bool:
    """Whether a pilot (or, with no pilot, a province) lies in the user's jurisdiction."""
    if not user.active:
        return False
    if user.role in NATIONWIDE:
        return True
    if user.role == Role.PROVINCE:
        return province_id is not None and province_id == user.province_id
    return pilot_id is not None and pilot_id == user.pilot_id


def may_view_instance(user: User, instance: Instance) -> bool:
    return in_jurisdiction(user, instance.province_id, instance.pilot_id)


def may_start(user: User, province_id: int | None, pilot_id: int | None) -> bool:
    return in_jurisdiction(user, province_id, pilot_id)


def may_act(user: User, role: Role | None, province_id: int | None, pilot_id: int | None) -> bool:
    """Whether the user may claim or complete a task of ``role`` for this pilot/province."""
    return role is not None and user.role == role and in_jurisdiction(user, province_id, pilot_id)


def may_act_on_task(user: User, task: HumanTask) -> bool:
    return may_act(user, task.role, task.province_id, task.pilot_id)


def not_held_by_other(user: User, task: HumanTask) -> bool:
    """The claim rule: a task claimed by a colleague is theirs until they release it."""
    return task.claimed_by_id in (None, user.id)


def may_work_on(user: User, task: HumanTask) -> bool:
    """Whether the user may fill in and complete the task now (its state aside)."""
    return may_act_on_task(user, task) and not_held_by_other(user, task)


def may_claim(user: User, task: HumanTask) -> bool:
    return may_act_on_task(user, task) and task.claimed_by_id is None


def may_act_in_lane(user: User, lane: str | None, instance: Instance) -> bool:
    return may_act(user, LANE_ROLES.get(lane or ""), instance.province_id, instance.pilot_id)


def may_administer(user: User) -> bool:
    """Deploy definitions, suspend/resume/cancel instances, manage users."""
    return user.active and user.role == Role.ADMIN


def may_reassign(user: User, task: HumanTask) -> bool:
    """Provincial reviewers hand tasks over within their province (someone is absent)."""
    if user.role == Role.ADMIN:
        return user.active
    return user.role == Role.PROVINCE and in_jurisdiction(user, task.province_id, task.pilot_id)


def may_view_dashboard(user: User) -> bool:
    return user.active and user.role in DASHBOARD_ROLES


def _scope(user: User, province_col: Any, pilot_col: Any) -> ColumnElement[bool]:
    if not user.active:
        return false()
    if user.role in NATIONWIDE:
        return true()
    if user.role == Role.PROVINCE:
        return province_col == user.province_id if user.province_id is not None else false()
    return pilot_col == user.pilot_id if user.pilot_id is not None else false()


def instance_scope(user: User) -> ColumnElement[bool]:
    """SQL condition: instances the user may see."""
    return _scope(user, Instance.province_id, Instance.pilot_id)


def task_scope(user: User) -> ColumnElement[bool]:
    """SQL condition: human tasks the user may act on (same rule as :func:`may_act_on_task`)."""
    return and_(HumanTask.role == user.role, _scope(user, HumanTask.province_id, HumanTask.pilot_id))


def pilot_scope(user: User, province_col: Any, pilot_col: Any) -> ColumnElement[bool]:
    """SQL condition for pilot lists (a pilot's own id is the pilot column)."""
    return _scope(user, province_col, pilot_col)
