"""Notifications: the list behind the bell, opening one (marks it read), and the e-mail settings
on the profile page."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from webui.notifications import routes  # noqa: E402,F401  (routes register on bp)
