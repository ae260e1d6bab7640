"""instance_snapshot: an instance's state as it was before an administrator migrated it to
another version, kept so the migration can be reverted exactly

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instance_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('to_version_id', sa.Integer(), nullable=False),
        sa.Column('workflow_json', sa.Text(), nullable=False),
        sa.Column('serializer_version', sa.String(length=20), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=36), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('taken_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=True),
        sa.Column('reverted_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('reverted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'],
                                name=op.f('fk_instance_snapshot_instance_id_instance')),
        sa.ForeignKeyConstraint(['version_id'], ['process_version.id'],
                                name=op.f('fk_instance_snapshot_version_id_process_version')),
        sa.ForeignKeyConstraint(['to_version_id'], ['process_version.id'],
                                name=op.f('fk_instance_snapshot_to_version_id_process_version')),
        sa.ForeignKeyConstraint(['taken_by_id'], ['user_account.id'],
                                name=op.f('fk_instance_snapshot_taken_by_id_user_account')),
        sa.ForeignKeyConstraint(['reverted_by_id'], ['user_account.id'],
                                name=op.f('fk_instance_snapshot_reverted_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_snapshot')),
    )
    op.create_index('ix_instance_snapshot_instance', 'instance_snapshot', ['instance_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_instance_snapshot_instance', table_name='instance_snapshot')
    op.drop_table('instance_snapshot')
