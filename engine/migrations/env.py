"""Alembic environment: runs on the connection handed over by engine.schema.upgrade."""
from __future__ import annotations

from alembic import context

from engine.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through engine.schema.upgrade()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
