"""human_task.ui_form, cycle, opened_by_id: a task's UI schema, its multi-instance iteration and
the task whose completion offered it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

UI_PROPERTY = "formUiSchemaFilename"


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('ui_form', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('cycle', sa.String(length=200), server_default='', nullable=False))
        batch.add_column(sa.Column('opened_by_id', sa.String(length=36), nullable=True))
    _backfill_ui_forms()


def _backfill_ui_forms() -> None:
    """Existing rows get the UI schema their version's BPMN names (read from the stored spec)."""
    conn = op.get_bind()
    update = sa.text("UPDATE human_task SET ui_form = :ui WHERE bpmn_id = :bpmn_id AND instance_id IN "
                     "(SELECT id FROM instance WHERE version_id = :version_id)")
    for version_id, spec_json in conn.execute(sa.text("SELECT id, spec_json FROM process_version")):
        for bpmn_id, ui in _ui_forms(json.loads(spec_json)).items():
            conn.execute(update, {"ui": ui, "bpmn_id": bpmn_id, "version_id": version_id})


def _ui_forms(specs: dict[str, Any]) -> dict[str, str]:
    found = {}
    for spec in (specs.get("spec") or {}, *(specs.get("subprocess_specs") or {}).values()):
        for task_spec in (spec.get("task_specs") or {}).values():
            props = ((task_spec.get("extensions") or {}).get("properties") or {})
            if task_spec.get("bpmn_id") and props.get(UI_PROPERTY):
                found[task_spec["bpmn_id"]] = str(props[UI_PROPERTY])[:200]
    return found


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('opened_by_id')
        batch.drop_column('cycle')
        batch.drop_column('ui_form')
