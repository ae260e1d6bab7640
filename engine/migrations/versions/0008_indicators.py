"""indicator, indicator_revision: the indicator system as editable reference data with its
history, seeded with the trial edition shipped in engine/reference/indicators.csv (4 / 11 / 57)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""
from __future__ import annotations

import csv
import io
from importlib import resources

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('source_checked', sa.Boolean(), nullable=False),
    sa.Column('retired_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['indicator.id'], name=op.f('fk_indicator_parent_id_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('code', name=op.f('uq_indicator_code'))
    )
    op.create_table('indicator_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_indicator_revision_actor_id_user_account')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_revision_indicator_id_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_revision'))
    )
    with op.batch_alter_table('indicator_revision') as batch:
        batch.create_index(batch.f('ix_indicator_revision_indicator_id'), ['indicator_id'], unique=False)
    _seed()


def _seed() -> None:
    """The shipped trial edition, parents before children (the CSV lists them so)."""
    text = (resources.files("engine") / "reference" / "indicators.csv").read_text(encoding="utf-8")
    conn = op.get_bind()
    table = sa.table('indicator', sa.column('id', sa.Integer), sa.column('code', sa.String),
                     sa.column('level', sa.Integer), sa.column('parent_id', sa.Integer),
                     sa.column('name_zh', sa.String), sa.column('name_en', sa.String),
                     sa.column('source_checked', sa.Boolean))
    ids: dict[str, int] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=1):
        code = row["code"]
        parent = code.rpartition(".")[0]
        conn.execute(table.insert().values(id=number, code=code, level=code.count(".") + 1,
                                           parent_id=ids.get(parent), name_zh=row["name_zh"],
                                           name_en=row["name_en"], source_checked=row["source_checked"] == "yes"))
        ids[code] = number
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequence past them
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('indicator', 'id'), "
                             "(SELECT max(id) FROM indicator))"))


def downgrade() -> None:
    with op.batch_alter_table('indicator_revision') as batch:
        batch.drop_index(batch.f('ix_indicator_revision_indicator_id'))
    op.drop_table('indicator_revision')
    op.drop_table('indicator')
