"""user_session: server-side sessions that signing out, deactivation and a password change end;
sign_in_throttle: failed sign-ins per (attempted username, client address), whether or not the
username exists (replacing the per-account counter on user_account)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash'))
    )
    op.create_index('ix_user_session_user', 'user_session', ['user_id', 'ended_at'], unique=False)
    op.create_table('sign_in_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttle')),
    sa.UniqueConstraint('username', 'client', name=op.f('uq_sign_in_throttle_username'))
    )
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('failed_logins')
        batch.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    op.drop_table('sign_in_throttle')
    op.drop_index('ix_user_session_user', table_name='user_session')
    op.drop_table('user_session')
