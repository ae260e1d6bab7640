"""attachment.removed_at / removed_by_id: a withdrawn attachment stays in the record of its round

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachment') as batch:
        batch.add_column(sa.Column('removed_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_attachment_removed_by_id_user_account'), 'user_account',
                                 ['removed_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachment') as batch:
        batch.drop_constraint(op.f('fk_attachment_removed_by_id_user_account'), type_='foreignkey')
        batch.drop_column('removed_by_id')
        batch.drop_column('removed_at')
