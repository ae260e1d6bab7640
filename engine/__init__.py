"""schemeflow's workflow engine: versioned BPMN definitions executed by SpiffWorkflow, state in
SQLAlchemy. It knows nothing of the web; callers pass a sessionmaker and explicit arguments."""
from engine import attachments
from engine import comments
from engine import forms
from engine import pilots
from engine import rounds
from engine import stats
from engine.db import make_sessionmaker
from engine.definitions import deploy
from engine.definitions import list_definitions
from engine.dossier import Document
from engine.dossier import Dossier
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
from engine.errors import WorkflowFailed
from engine.inbox import TaskQuery
from engine.inbox import counts_for
from engine.inbox import tasks_for
from engine.queries import get_instance
from engine.queries import instance_events
from engine.queries import list_instances
from engine.queries import list_pilots
from engine.runtime import cancel
from engine.runtime import claim
from engine.runtime import complete
from engine.runtime import reassign
from engine.runtime import resume
from engine.runtime import save_draft
from engine.runtime import send_message
from engine.runtime import start
from engine.runtime import suspend
from engine.runtime import unclaim
from engine.schema import upgrade as upgrade_schema
from engine.timers import fire_due_timers

__all__ = [
    "ConflictError", "DeployError", "Document", "Dossier", "EngineError", "Forbidden", "InvalidData",
    "InvalidState", "NotFound", "TaskQuery", "WorkflowFailed", "attachments", "cancel", "claim", "comments",
    "complete", "counts_for", "deploy", "dossier", "fire_due_timers", "forms", "get_instance", "get_task",
    "instance_events", "list_definitions", "list_instances", "list_pilots", "make_sessionmaker", "pilots",
    "reassign", "resume", "rounds", "save_draft", "send_message", "start", "stats", "suspend", "task_form",
    "tasks_for", "unclaim", "upgrade_schema",
]
