"""Schema management: bring a database to the newest Alembic revision, and tell whether it is there."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade every table (idempotent)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def revise(engine: Engine, message: str) -> None:
    """Autogenerate a new revision (a developer tool: read its output before committing)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


@dataclass(frozen=True)
class SchemaStatus:
    """The revisions the database stands at and the ones this release's code expects."""

    current: tuple[str, ...]
    head: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return self.current == self.head


@functools.cache
def code_heads() -> tuple[str, ...]:
    """The newest revision(s) this release ships (read once: the files do not change under us)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def status(bind: Engine | Connection) -> SchemaStatus:
    """Where the database stands; raises the driver's error when it cannot be reached."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return status(conn)
    return SchemaStatus(tuple(sorted(MigrationContext.configure(bind).get_current_heads())), code_heads())
