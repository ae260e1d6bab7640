"""definition_draft: an administrator's unsaved edit of a definition, kept on the server

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'definition_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'],
                                name=op.f('fk_definition_draft_saved_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_definition_draft')),
        sa.UniqueConstraint('key', name=op.f('uq_definition_draft_key')),
    )


def downgrade() -> None:
    op.drop_table('definition_draft')
