"""schemeflow's workflow engine: versioned BPMN definitions executed by SpiffWorkflow, state in
SQLAlchemy. It knows nothing of the web; callers pass a sessionmaker and explicit arguments.

This is the front door: the web layer and the command line use only the names below. Every call
takes the acting user (``user_id``; the command line passes ``SYSTEM``) and decides access itself.
"""
from engine import admin
from engine import attachments
from engine import catalog
from engine import clock
from engine import comments
from engine import contact
from engine import deadlines
from engine import drafts
from engine import forms
from engine import health
from engine import indicators
from engine import mail
from engine import migration
from engine import notifications
from engine import operations
from engine import pilots
from engine import reference
from engine import rounds
from engine import saved_filters
from engine import stats
from engine import user_admin
from engine import user_sessions
from engine import users
from engine.access import LANE_ROLES
from engine.bpmn import BPMN_NS
from engine.bpmn import SAFE_XML
from engine.db import MAX_ID
from engine.db import UNAVAILABLE as DATABASE_UNAVAILABLE
from engine.db import make_engine
from engine.db import make_sessionmaker
from engine.definitions import Deployed
from engine.definitions import deploy
from engine.definitions import list_definitions
from engine.definitions import read_paths
from engine.definitions import shipped_processes
from engine.definitions import validate_bundle
from engine.dossier import Document
from engine.dossier import Dossier
from engine.dossier import TaskView
from engine.dossier import dossier
from engine.dossier import get_task
from engine.dossier import task_form
from engine.errors import ConflictError
from engine.errors import DeployError
from engine.errors import EngineError
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import InvalidState
from engine.errors import NotFound
from engine.errors import Problem
from engine.errors import Unauthenticated
from engine.errors import WorkflowFailed
from engine.inbox import SCOPES as TASK_SCOPES
from engine.inbox import SORTS as TASK_SORTS
from engine.inbox import Page
from engine.inbox import Rights
from engine.inbox import TaskQuery
from engine.inbox import counts_for
from engine.inbox import reassign_candidates
from engine.inbox import step_options
from engine.inbox import tasks_for
from engine.lookup import SYSTEM
from engine.lookup import Actor
from engine.lookup import Caller
from engine.lookup import Token
from engine.models import AuditEvent
from engine.models import HumanTask
from engine.models import Pilot
from engine.models import Province
from engine.models import Role
from engine.models import User
from engine.models_notify import Kind as NotificationKind
from engine.models_notify import Notification
from engine.queries import InstanceView
from engine.queries import get_instance
from engine.queries import get_user
from engine.queries import instance_events
from engine.queries import list_instances
from engine.queries import list_pilots
from engine.queries import list_provinces
from engine.runtime import cancel
from engine.runtime import claim
from engine.runtime import complete
from engine.runtime import discard_draft
from engine.runtime import reassign
from engine.runtime import resume
from engine.runtime import save_draft
from engine.runtime import send_message
from engine.runtime import start
from engine.runtime import suspend
from engine.runtime import task_draft
from engine.runtime import unclaim
from engine.schema import SchemaStatus
from engine.schema import status as schema_status
from engine.schema import upgrade as upgrade_schema
from engine.tasklist import InboxView
from engine.tasklist import inbox_view
from engine.timers import fire_due_timers

__all__ = [
    # calls
    "cancel", "claim", "complete", "counts_for", "deploy", "discard_draft", "dossier", "fire_due_timers",
    "get_instance",
    "get_task", "get_user", "inbox_view", "instance_events", "list_definitions", "list_instances", "list_pilots",
    "list_provinces", "make_engine", "make_sessionmaker", "read_paths", "reassign", "reassign_candidates",
    "resume", "save_draft", "schema_status", "send_message", "shipped_processes", "start", "step_options", "suspend",
    "task_draft", "task_form", "tasks_for", "unclaim", "upgrade_schema", "validate_bundle",
    # namespaces of calls and their types
    "admin", "attachments", "catalog", "clock", "comments", "contact", "deadlines", "drafts", "forms", "health",
    "indicators", "mail", "migration", "notifications", "operations", "pilots", "reference", "rounds",
    "saved_filters", "stats", "user_admin", "user_sessions", "users",
    # what the calls take and return
    "SYSTEM", "Actor", "Caller", "Token", "AuditEvent", "Deployed", "Document", "Dossier", "HumanTask",
    "InboxView", "InstanceView", "Notification", "NotificationKind", "Page",
    "Pilot", "Province", "Rights", "Role", "SchemaStatus", "TaskQuery", "TaskView", "User",
    # errors
    "ConflictError", "DeployError", "EngineError", "Forbidden", "InvalidData", "InvalidState", "NotFound", "Problem",
    "Unauthenticated", "WorkflowFailed",
    # constants
    "BPMN_NS", "DATABASE_UNAVAILABLE", "LANE_ROLES", "MAX_ID", "SAFE_XML", "TASK_SCOPES", "TASK_SORTS",
]
