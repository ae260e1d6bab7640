"""Load and authorize: the acting user and the object an engine call works on, fetched and checked
against the access rule in one place.

One error policy: what the user may not see is NotFound, exactly as if it did not exist (no
existence leak); what they see but may not act on is Forbidden; what is not in a state to act on
is InvalidState or ConflictError. Helpers take the caller's Session and never commit.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from dataclasses import field
from typing import Final

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from engine import access
from engine.errors import ConflictError
from engine.errors import Forbidden
from engine.errors import InvalidState
from engine.errors import NotFound
from engine.errors import Unauthenticated
from engine.models import Attachment
from engine.models import HumanTask
from engine.models import Instance
from engine.models import InstanceState
from engine.models import Pilot
from engine.models import ProcessVersion
from engine.models import Role
from engine.models import TaskStatus
from engine.models import User

# Built once: every task page and completion starts here.
# The pilot's and province's names come along: a completion's notifications are worded with them.
_TASK = (select(HumanTask).where(HumanTask.id == bindparam("task_id"))
         .options(joinedload(HumanTask.instance).joinedload(Instance.version).joinedload(ProcessVersion.definition),
                  joinedload(HumanTask.instance).joinedload(Instance.pilot),
                  joinedload(HumanTask.instance).joinedload(Instance.province)))


class System:
    """The actor of the command line, the demo loader and the worker: trusted, nationwide, and
    audited as no user. Only code on this machine can pass it; no request can name it."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()


@dataclass(frozen=True)
class Token:
    """An API client's bearer token as presented. Whose it is gets looked up inside the transaction
    of the call it makes, so an API request is one transaction, its authentication included."""

    secret: str = field(repr=False)


Caller = int | Token  # who makes a call: a signed-in user's id, or an API token
Actor = int | Token | System  # who acts in an administrative call: a caller, or SYSTEM

_BY_TOKEN = select(User).where(User.token_hash == bindparam("digest"))


def token_digest(secret: str) -> str:
    """What is stored of an API token: its SHA-256 (a token is random, so no salt or stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def active_user(session: Session, user_id: Caller) -> User:
    if isinstance(user_id, Token):
        user = session.scalar(_BY_TOKEN, {"digest": token_digest(user_id.secret)})
        if user is None or not user.active:
            raise Unauthenticated("the API token is unknown, revoked or its user deactivated",
                                  reason="invalid_token")
        return user
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Forbidden("unknown or deactivated user", reason="inactive_user")
    return user


def viewer(session: Session, actor: Actor) -> User:
    """Whose view a read takes: the acting user, or for SYSTEM an unsaved nationwide administrator."""
    if isinstance(actor, System):
        return User(username="system", role=Role.ADMIN, active=True)
    return active_user(session, actor)


def administrator(session: Session, user_id: Caller) -> User:
    """The acting user, who must be an administrator (else Forbidden)."""
    user = active_user(session, user_id)
    if not access.may_administer(user):
        raise Forbidden("only administrators may do this", reason="admin_only")
    return user


def admin_actor(session: Session, actor: Actor) -> int | None:
    """Who an administrative call is audited as: an administrator's id, or None for SYSTEM."""
    return None if isinstance(actor, System) else administrator(session, actor).id


def dashboard_user(session: Session, user_id: Caller) -> User:
    user = active_user(session, user_id)
    if not access.may_view_dashboard(user):
        raise Forbidden("the dashboard is for provincial, ministry and admin users", reason="dashboard_roles")
    return user


def visible_pilot(session: Session, user: User, pilot_id: int) -> Pilot:
    pilot = session.get(Pilot, pilot_id)
    if pilot is None or not access.in_jurisdiction(user, pilot.province_id, pilot.id):
        raise NotFound(f"no pilot {pilot_id}", reason="pilot_not_found")
    return pilot


def visible_instance(session: Session, user: User, instance_id: int) -> Instance:
    instance = session.get(Instance, instance_id)
    if instance is None or not access.may_view_instance(user, instance):
        raise NotFound(f"no instance {instance_id}", reason="instance_not_found")
    return instance


def visible_task(session: Session, user: User, task_id: str) -> HumanTask:
    """A task of an instance the user may see (any state), with its instance and version loaded."""
    row = session.scalar(_TASK, {"task_id": task_id})
    if row is None or not access.may_view_instance(user, row.instance):
        raise NotFound("no such task", reason="task_not_found")
    return row


def open_task(session: Session, user: User, task_id: str, *, manage: bool = False) -> HumanTask:
    """A ready task of a running instance that the user may act on (``manage``: or hand over)."""
    row = visible_task(session, user, task_id)
    allowed = access.may_act_on_task(user, row) or (manage and access.may_reassign(user, row))
    if not allowed:
        raise Forbidden("this task is for another role or jurisdiction", reason="task_not_yours")
    require_open(row)
    return row


def require_open(row: HumanTask) -> None:
    """InvalidState unless the task is ready in a running instance."""
    if row.state != TaskStatus.READY:
        raise InvalidState(f"this task is already {row.state.value}", reason=f"task_{row.state.value}")
    if row.instance.state != InstanceState.RUNNING:
        raise InvalidState(f"the instance is {row.instance.state.value}",
                           reason=f"instance_{row.instance.state.value}")


def actionable_task(session: Session, user: User, task_id: str) -> HumanTask:
    """:func:`open_task` that the user may work on now: unclaimed, or claimed by the user."""
    row = open_task(session, user, task_id)
    if not access.not_held_by_other(user, row):
        raise ConflictError("another user has claimed this task; ask them to release it", reason="claimed_by_other")
    return row


def reassignable_task(session: Session, user: User, task_id: str) -> HumanTask:
    """An open task the user may hand over to a colleague (转办)."""
    row = visible_task(session, user, task_id)
    if not access.may_reassign(user, row):
        raise Forbidden("you may not reassign this task", reason="may_not_reassign")
    require_open(row)
    return row


def visible_attachment(session: Session, user: User, attachment_id: int) -> Attachment:
    att = session.get(Attachment, attachment_id)
    instance = session.get(Instance, att.instance_id) if att is not None else None
    if att is None or instance is None or not access.may_view_instance(user, instance):
        raise NotFound("no such attachment", reason="attachment_not_found")
    return att
