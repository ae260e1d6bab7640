"""initial tables, with triggers that keep audit_event append-only

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 21:59:45.003871
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.columns

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definition')),
    sa.UniqueConstraint('key', name=op.f('uq_process_definition_key'))
    )
    op.create_table('province',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province')),
    sa.UniqueConstraint('name', name=op.f('uq_province_name'))
    )
    op.create_table('pilot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('city', 'district', 'county', 'town', name='level', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('batch_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_pilot_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot')),
    sa.UniqueConstraint('province_id', 'name', name='province_name')
    )
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_province_id'), ['province_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('role', sa.Enum('city', 'province', 'ministry', 'admin', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_user_account_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_user_account_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_account_token_hash')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('process_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('spec_json', sa.Text(), nullable=False),
    sa.Column('spec_hash', sa.String(length=64), nullable=False),
    sa.Column('serializer_version', sa.String(length=20), nullable=False),
    sa.Column('needs_pilot', sa.Boolean(), nullable=False),
    sa.Column('deployed_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deployed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_process_version_definition_id_process_definition')),
    sa.ForeignKeyConstraint(['deployed_by_id'], ['user_account.id'], name=op.f('fk_process_version_deployed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_version')),
    sa.UniqueConstraint('definition_id', 'number', name='definition_number')
    )
    op.create_table('definition_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], name=op.f('fk_definition_file_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_definition_file')),
    sa.UniqueConstraint('version_id', 'name', name='version_name')
    )
    op.create_table('instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('running', 'suspended', 'completed', 'cancelled', 'error', name='instancestate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('workflow_json', sa.Text(), nullable=False),
    sa.Column('serializer_version', sa.String(length=20), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('next_timer_at', engine.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stage', sa.String(length=400), nullable=True),
    sa.Column('waiting_messages', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', engine.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_instance_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_instance_province_id_province')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_instance_started_by_id_user_account')),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], name=op.f('fk_instance_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance'))
    )
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_next_timer_at'), ['next_timer_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_version_id'), ['version_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_attachment_instance_id_instance')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_task_id'), ['task_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('bpmn_id', sa.String(length=200), nullable=True),
    sa.Column('data_before', sa.JSON(), nullable=True),
    sa.Column('data_after', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_audit_event_instance_id_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_instance', ['instance_id', 'id'], unique=False)

    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lane', sa.String(length=100), nullable=True),
    sa.Column('role', sa.Enum('city', 'province', 'ministry', 'admin', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('form', sa.String(length=200), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('ready', 'completed', 'cancelled', name='taskstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', engine.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', engine.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['user_account.id'], name=op.f('fk_human_task_claimed_by_id_user_account')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user_account.id'], name=op.f('fk_human_task_completed_by_id_user_account')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_human_task_instance_id_instance')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_human_task_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_human_task_province_id_province')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task'))
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_claimed', ['claimed_by_id', 'state', 'due_at'], unique=False)
        batch_op.create_index('ix_human_task_completed', ['completed_by_id', 'completed_at'], unique=False)
        batch_op.create_index('ix_human_task_group_inbox', ['state', 'role', 'province_id', 'due_at'], unique=False)
        batch_op.create_index('ix_human_task_instance', ['instance_id', 'state'], unique=False)
        batch_op.create_index('ix_human_task_pilot', ['pilot_id', 'state'], unique=False)


    _protect_audit_log()


APPEND_ONLY = "audit_event is append-only"


def _protect_audit_log() -> None:
    """Refuse UPDATE and DELETE on audit_event at the database level, not only in code."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_pilot')
        batch_op.drop_index('ix_human_task_instance')
        batch_op.drop_index('ix_human_task_group_inbox')
        batch_op.drop_index('ix_human_task_completed')
        batch_op.drop_index('ix_human_task_claimed')

    op.drop_table('human_task')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_instance')

    op.drop_table('audit_event')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_task_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_instance_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_version_id'))
        batch_op.drop_index(batch_op.f('ix_instance_state'))
        batch_op.drop_index(batch_op.f('ix_instance_province_id'))
        batch_op.drop_index(batch_op.f('ix_instance_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_instance_next_timer_at'))

    op.drop_table('instance')
    op.drop_table('definition_file')
    op.drop_table('process_version')
    op.drop_table('user_account')
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_province_id'))

    op.drop_table('pilot')
    op.drop_table('province')
    op.drop_table('process_definition')
