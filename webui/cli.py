"""The `schemeflow` command: database set-up, demo data, deployment, users, worker, server.

Each command is a thin shell over an engine call; failures print one clear message and exit 1.
"""
from __future__ import annotations

import functools
import getpass
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar

import click
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from config import Config
from engine import reference
from engine import users
from webui import logs
from webui import mailer
from webui import serving
from webui import startup
from webui import worker as worker_loop

F = TypeVar("F", bound=Callable[..., Any])


def _db(ensure_schema: bool = True) -> sessionmaker[Session]:
    url = Config.DATABASE_URL
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    eng = engine.make_engine(url)
    if ensure_schema and not inspect(eng).has_table("alembic_version"):
        raise click.ClickException("the database has no tables yet: run `schemeflow init-db` first")
    return engine.make_sessionmaker(eng)


def friendly(fn: F) -> F:
    """Turn engine errors into one readable message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except engine.DeployError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        except engine.EngineError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            for d in exc.details:
                click.echo("  - " + ", ".join(f"{k}: {v}" for k, v in d.items()), err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group()
def main() -> None:
    """schemeflow: the smart-city pilot workflow engine."""
    # Readable lines for commands; `serve` and `worker` choose again (JSON in production).
    if not logging.getLogger().handlers:  # a host (a test runner) that set up logging keeps it
        logs.configure(Config.LOG_FORMAT if Config.LOG_FORMAT in ("json", "text") else "text",
                       Config.LOG_LEVEL)
    logs.quiet()


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (safe to run again); the same as `db upgrade`."""
    _upgrade()


def _upgrade() -> None:
    db = _db(ensure_schema=False)
    engine.upgrade_schema(db.kw["bind"])
    click.echo(f"Database ready: {_safe_url()}")


@main.group("db")
def db_group() -> None:
    """The database schema: upgrade it on deploy, or ask where it stands."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to this release's revision (Alembic; back up first; safe to run again)."""
    _upgrade()


@db_group.command("status")
def db_status() -> None:
    """Print the database's revision and this release's; exit 1 when they differ."""
    found = engine.schema_status(_db(ensure_schema=False).kw["bind"])
    click.echo(f"database: {', '.join(found.current) or 'empty'}; this release: {', '.join(found.head)}")
    if not found.at_head:
        raise click.ClickException("the database is not at this release's revision: run `schemeflow db upgrade`")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@friendly
def deploy(paths: tuple[str, ...]) -> None:
    """Deploy BPMN, DMN and JSON Schema form files (or folders of them) as new versions."""
    files = engine.read_paths(paths)
    for d in engine.deploy(_db(), files, user_id=engine.SYSTEM, max_bytes=Config.MAX_DEFINITION_BYTES,
                           allow_scripts=Config.ALLOW_SCRIPT_TASKS):
        state = "deployed" if d.created else "unchanged (identical to the live version)"
        click.echo(f"{d.key} version {d.version}: {state}")


@main.command("import-pilots")
@click.argument("table_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-year", type=int, help="Announcement year of this batch, e.g. 2013 (rows may give their own).")
@click.option("--dry-run", is_flag=True, help="Only say what the import would do; write nothing.")
@friendly
def import_pilots(table_file: str, batch_year: int | None, dry_run: bool) -> None:
    """Import pilots from a CSV (UTF-8 or GB18030) or Excel .xlsx file with columns province,name,level.

    Any bad row refuses the whole file: every bad row is listed and nothing is written."""
    path = Path(table_file)
    content = path.read_bytes()
    if dry_run:
        preview = reference.preview_pilots(_db(), path.name, content, user_id=engine.SYSTEM, batch_year=batch_year)
        if not preview.ok:
            raise preview.error()
        click.echo(f"Would import {preview.count('new')} pilot(s); {preview.count('exists')} already present.")
        return
    created, existing = reference.import_pilots(_db(), content, user_id=engine.SYSTEM, filename=path.name,
                                                batch_year=batch_year)
    click.echo(f"Imported {created} pilot(s); {existing} already present.")


@main.group()
def user() -> None:
    """Manage user accounts."""


def _read_password(confirm: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Repeat password: ") if confirm else first
    else:  # scripts pipe the password twice on standard input
        first = sys.stdin.readline().rstrip("\r\n")
        second = sys.stdin.readline().rstrip("\r\n") if confirm else first
    if first != second:
        raise click.ClickException("the two passwords differ")
    return first


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["city", "province", "ministry", "admin"]))
@click.option("--province", help="Province name (for provincial reviewers).")
@click.option("--pilot", "pilot", help="Pilot id (for city users).")
@click.option("--display-name")
@click.option("--email", help="E-mail address for notifications (optional).")
@friendly
def user_add(name: str, role: str, province: str | None, pilot: str | None, display_name: str | None,  # noqa: PLR0913,PLR0917
             email: str | None) -> None:
    """Create a user; the password is asked twice (or read from standard input)."""
    pilot_id = None
    if pilot is not None:
        if not pilot.isdigit():
            raise click.ClickException("--pilot takes the pilot's numeric id (see GET /api/v1/pilots)")
        pilot_id = int(pilot)
    password = _read_password()
    created = users.create_user(_db(), name, role, password, user_id=engine.SYSTEM, province=province,
                                pilot_id=pilot_id, display_name=display_name, email=email)
    click.echo(f"Created {role} user {created.username}.")


@user.command("passwd")
@click.argument("name")
@friendly
def user_passwd(name: str) -> None:
    """Change a user's password (their sessions end)."""
    users.set_password(_db(), name, _read_password(), user_id=engine.SYSTEM)
    click.echo(f"Password changed for {name}.")


@user.command("token")
@click.argument("name")
@friendly
def user_token(name: str) -> None:
    """Print a new API token for NAME (the previous one stops working)."""
    click.echo(users.issue_token(_db(), name))


@user.command("deactivate")
@click.argument("name")
@friendly
def user_deactivate(name: str) -> None:
    """Deactivate a user: sign-in, sessions and tokens stop working."""
    users.set_active(_db(), name, False, user_id=engine.SYSTEM)
    click.echo(f"Deactivated {name}.")


@user.command("activate")
@click.argument("name")
@friendly
def user_activate(name: str) -> None:
    """Re-activate a user."""
    users.set_active(_db(), name, True, user_id=engine.SYSTEM)
    click.echo(f"Activated {name}.")


@main.command()
@click.option("--once", is_flag=True, help="Fire what is due now and exit (for cron and tests).")
@click.option("--interval", type=int, default=Config.WORKER_INTERVAL_SECONDS, show_default=True)
@friendly
def worker(once: bool, interval: int) -> None:
    """Fire due timers every INTERVAL seconds until SIGTERM; run several (processes, machines) on
    PostgreSQL to share the work. Each round ends with a heartbeat that /healthz reads."""
    db = _db()
    try:  # an unknown SCHEMEFLOW_SMTP_TLS stops the worker at start, not at the first mail
        mailer.smtp_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if once:
        click.echo(f"Fired timers on {engine.fire_due_timers(db)} instance(s).")
        done = mailer.notification_round(db)
        click.echo(f"Deadline notices for {done.noticed} task(s); "
                   + (f"mail: {done.mail.sent} sent, {done.mail.retried} to retry, {done.mail.failed} failed."
                      if done.mail else "mail: no SCHEMEFLOW_SMTP_HOST set."))
        # From cron: one row per host (not per run), so /healthz sees when it last ran.
        engine.health.beat(db, f"{engine.health.worker_id().rpartition(':')[0]}:once", engine.health.wall_now())
        return
    serving.prepare_worker()
    worker_loop.loop(db, interval)


@main.command()
@friendly
def demo() -> None:
    """Load demo data: pilots, a user for every role (passwords printed), instances at varied stages."""
    from webui import demo as demo_data

    db = _db(ensure_schema=False)
    engine.upgrade_schema(db.kw["bind"])
    demo_data.load(db, echo=click.echo)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--server", type=click.Choice(["waitress", "gunicorn"]), default="waitress", show_default=True,
              help="waitress: one process, threads (the embedded default); gunicorn: several worker processes "
                   "(production; POSIX only).")
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--threads", default=8, show_default=True, type=int, help="Threads (per gunicorn worker).")
@click.option("--worker/--no-worker", "with_worker", default=True, show_default=True,
              help="Also fire due timers (a thread with waitress, a `schemeflow worker` process with gunicorn; "
                   "turn off when separate workers run).")
def serve(host: str, port: int, server: str, workers: int, threads: int, with_worker: bool) -> None:  # noqa: PLR0917
    """Serve the web UI and API with waitress or gunicorn (both production WSGI servers).

    Outside the embedded demo (waitress on a loopback address with SQLite) the start-up checks
    apply: a secret key, secure cookies, a database at this release's revision."""
    is_production = serving.prepare_server(server, host, workers)
    click.echo(f"schemeflow is running at http://{host}:{port}/  (database: {_safe_url()}, {server}, "
               f"{'production' if is_production else 'demo'})")
    if server == "gunicorn":
        serving.run_gunicorn(host, port, workers, threads, with_worker=with_worker,
                             fmt=startup.log_format(Config, is_production))
        return
    serving.run_waitress(host, port, threads, with_worker)


def _safe_url() -> str:
    return startup.safe_url(Config.DATABASE_URL)
