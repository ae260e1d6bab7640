"""Tasks: the inbox (my tasks, group tasks, completed by me) and the task page."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from webui.tasks import inbox  # noqa: E402,F401  (routes register on bp)
from webui.tasks import task_page  # noqa: E402,F401
