"""Indexes for national scale: the completed tab counts and pages from an index that holds the
state; a completed task's duration in hours is stored with it, and the dashboard's durations and
revision rounds are read from covering indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('hours', sa.Float(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        hours = "GREATEST(EXTRACT(EPOCH FROM completed_at - created_at) / 3600.0, 0.0)"
    else:
        hours = "MAX((julianday(completed_at) - julianday(created_at)) * 24.0, 0.0)"
    op.execute(f"UPDATE human_task SET hours = {hours} WHERE state = 'completed' AND completed_at IS NOT NULL")
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_completed')
        batch.create_index('ix_human_task_completed', ['completed_by_id', 'state', 'completed_at', 'bpmn_id'],
                           unique=False)
        batch.create_index('ix_human_task_durations', ['state', 'province_id', 'bpmn_id', 'hours'], unique=False)
        batch.create_index('ix_human_task_step_hours', ['bpmn_id', 'state', 'hours'], unique=False)
        batch.create_index('ix_human_task_rounds', ['role', 'pilot_id', 'bpmn_id', 'round'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_rounds')
        batch.drop_index('ix_human_task_step_hours')
        batch.drop_index('ix_human_task_durations')
        batch.drop_index('ix_human_task_completed')
        batch.create_index('ix_human_task_completed', ['completed_by_id', 'completed_at'], unique=False)
        batch.drop_column('hours')
