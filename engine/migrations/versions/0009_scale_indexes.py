"""Indexes for national scale: the completed tab counts and pages from an index that holds the
state; the dashboard's step durations and revision rounds are read from covering indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_completed')
        batch.create_index('ix_human_task_completed', ['completed_by_id', 'state', 'completed_at', 'bpmn_id'],
                           unique=False)
        batch.create_index('ix_human_task_durations', ['state', 'province_id', 'bpmn_id', 'created_at',
                                                       'completed_at'], unique=False)
        batch.create_index('ix_human_task_rounds', ['role', 'pilot_id', 'bpmn_id', 'round'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_rounds')
        batch.drop_index('ix_human_task_durations')
        batch.drop_index('ix_human_task_completed')
        batch.create_index('ix_human_task_completed', ['completed_by_id', 'completed_at'], unique=False)
