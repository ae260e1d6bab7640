"""notification, mail_outbox: what users are told in the app and by e-mail (an outbox written in
the changing transaction); a user's e-mail address, mail preference and mail language; when a
task's deadline notices went out (existing open tasks count as told: no flood on upgrade)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.columns import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

KINDS = ('task_arrived', 'task_assigned', 'revision_requested', 'due_soon', 'overdue', 'escalated')
STATES = ('pending', 'sending', 'sent', 'failed')


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('language', sa.String(length=10), server_default='zh', nullable=False))
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('due_soon_notified_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('overdue_notified_at', UTCDateTime(timezone=True), nullable=True))
        batch.create_index('ix_human_task_deadline', ['state', 'due_at'], unique=False)
    # Tasks open before notifications existed are not announced now, all at once.
    op.execute("UPDATE human_task SET due_soon_notified_at = created_at, overdue_notified_at = created_at "
               "WHERE state = 'ready'")
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='kind', native_enum=False, create_constraint=True, length=20),
              nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_notification_instance_id_instance')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_notification_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                            name=op.f('fk_notification_recipient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification') as batch:
        batch.create_index('ix_notification_recipient', ['recipient_id', 'id'], unique=False)
        batch.create_index('ix_notification_unread', ['recipient_id', 'read_at', 'id'], unique=False)
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='mailstate', native_enum=False, create_constraint=True, length=20),
              nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                            name=op.f('fk_mail_outbox_notification_id_notification')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_mail_outbox_notification_id'))
    )
    with op.batch_alter_table('mail_outbox') as batch:
        batch.create_index('ix_mail_outbox_due', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_table('mail_outbox')
    op.drop_table('notification')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_deadline')
        batch.drop_column('overdue_notified_at')
        batch.drop_column('due_soon_notified_at')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('language')
        batch.drop_column('email_notifications')
        batch.drop_column('email')
