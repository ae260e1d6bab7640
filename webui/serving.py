"""`schemeflow serve` and `schemeflow worker` made ready to run: the mode (demo or production),
the logs, the start-up checks and the schema, then waitress, gunicorn or the worker loop."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import click

import engine
from config import Config
from webui import logs
from webui import startup
from webui import worker as worker_loop


def _sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def prepare_server(server: str, host: str, workers: int) -> bool:
    """Check everything before serving; True for production. Refuses (exit 1) with every error
    named: a demo upgrades its own schema, production needs `schemeflow db upgrade` first."""
    is_production = startup.production(Config, server=server, host=host)
    logs.configure(startup.log_format(Config, is_production), Config.LOG_LEVEL)
    problems = startup.findings(Config, workers=workers if server == "gunicorn" else 1, host=host) \
        if is_production else []
    errors = startup.refuse_or_warn(problems)
    if not errors:
        _sqlite_folder(Config.DATABASE_URL)
        schema = startup.schema_problem(Config, upgrade=not is_production)
        errors = [schema] if schema else []
    if errors:
        if is_production and not Config.ENV:
            errors.append(startup.why_production(Config, server=server, host=host))
        raise click.ClickException("schemeflow will not start:\n  - " + "\n  - ".join(errors))
    return is_production


def prepare_worker() -> None:
    """A worker needs no secret key, only a reachable database at this release's head."""
    logs.configure(startup.log_format(Config, startup.production(Config)), Config.LOG_LEVEL)
    problem = startup.schema_problem(Config, upgrade=False)
    if problem:
        raise click.ClickException(f"the worker will not start: {problem}")


def run_waitress(host: str, port: int, threads: int, with_worker: bool) -> None:
    from waitress import serve as waitress_serve

    from webui import create_app

    app = create_app(Config)
    if with_worker:
        # The embedded default needs no second process for reminders and deadlines to fire.
        threading.Thread(target=worker_loop.loop, args=(engine.make_sessionmaker(Config.DATABASE_URL),
                                                        Config.WORKER_INTERVAL_SECONDS),
                         daemon=True, name="schemeflow-worker").start()
    waitress_serve(app, host=host, port=port, threads=threads, ident="schemeflow")


def run_gunicorn(host: str, port: int, workers: int, threads: int, *, with_worker: bool, fmt: str) -> None:
    """gunicorn in this process: every worker process builds its own app (and database pool) after
    the fork, from the settings read here, so they share one SECRET_KEY even when it is generated."""
    from gunicorn.app.base import BaseApplication

    from webui import create_app

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread" if threads > 1 else "sync", "accesslog": None,
                               "proc_name": "schemeflow", "logconfig_dict": logs.gunicorn_logconfig(
                                   fmt, Config.LOG_LEVEL)}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app(Config)

    timers = None
    if with_worker:  # the worker in a process of its own, as in production (see `schemeflow worker`)
        timers = subprocess.Popen([sys.executable, "-c", "from webui.cli import main; main()", "worker"],
                                  env=dict(os.environ, SCHEMEFLOW_LOG_FORMAT=fmt))
    try:
        Server().run()
    finally:
        if timers is not None:
            timers.terminate()
            timers.wait(30)
