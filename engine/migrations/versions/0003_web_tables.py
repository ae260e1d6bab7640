"""Web UI tables: task drafts, comments, saved task-list filters, sign-in throttling

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('draft_saved_at', UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('bpmn_id', sa.String(length=200), nullable=True),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=200), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_comment_instance_id_instance')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment')),
    )
    op.create_index('ix_comment_instance', 'comment', ['instance_id', 'id'])
    op.create_table(
        'saved_filter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('query', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_filter_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
        sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filter_user_id')),
    )
    op.create_index(op.f('ix_saved_filter_user_id'), 'saved_filter', ['user_id'])


def downgrade() -> None:
    op.drop_table('saved_filter')
    op.drop_table('comment')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('locked_until')
        batch.drop_column('failed_logins')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('draft_saved_at')
        batch.drop_column('draft')
