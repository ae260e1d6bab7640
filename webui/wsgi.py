"""The app for a WSGI server started by hand (`gunicorn webui.wsgi:app`, uWSGI, mod_wsgi): every
production start-up check applies, and the schema must already be at this release's revision."""
from __future__ import annotations

from config import Config
from webui import create_app
from webui import logs
from webui import startup

logs.configure(startup.log_format(Config, True), Config.LOG_LEVEL)
_errors = startup.refuse_or_warn(startup.findings(Config, host="")) if Config.ENV != "demo" else []
_schema = startup.schema_problem(Config, upgrade=False)
if _errors or _schema:
    raise SystemExit("schemeflow will not start:\n  - " + "\n  - ".join([*_errors, *([_schema] if _schema else [])]))
app = create_app(Config)
