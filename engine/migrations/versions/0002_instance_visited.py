"""instance.visited: the BPMN ids completed so far, kept when the task tree is pruned

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance') as batch:
        batch.add_column(sa.Column('visited', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instance') as batch:
        batch.drop_column('visited')
