"""worker_heartbeat: one row per running worker process and the time of its last round

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'worker_heartbeat',
        sa.Column('worker_id', sa.String(length=200), nullable=False),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_beat', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeat')),
    )
    with op.batch_alter_table('worker_heartbeat') as batch:
        batch.create_index(batch.f('ix_worker_heartbeat_last_beat'), ['last_beat'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('worker_heartbeat') as batch:
        batch.drop_index(batch.f('ix_worker_heartbeat_last_beat'))
    op.drop_table('worker_heartbeat')
