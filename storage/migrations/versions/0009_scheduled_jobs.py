"""Scheduled reminders and the scheduler's job store.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table('scheduled_sends',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', TIMESTAMP, nullable=False),
    sa.Column('useful_until', TIMESTAMP, nullable=False),
    sa.Column('subject_id', ID, nullable=True),
    sa.Column('payload', JSON, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('done_at', TIMESTAMP, nullable=True),
    sa.Column('done_by', ID, nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'cancelled', 'skipped')", name=op.f('ck_scheduled_sends_status_known')),
    sa.ForeignKeyConstraint(['done_by'], ['people.id'], name=op.f('fk_scheduled_sends_done_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_sends')),
    sa.UniqueConstraint('key', name=op.f('uq_scheduled_sends_key'))
    )
    op.create_index('ix_scheduled_sends_status_due_at', 'scheduled_sends', ['status', 'due_at'], unique=False)
    op.create_table('reminder_prefs',
    sa.Column('person_id', ID, nullable=False),
    sa.Column('all_off', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('weekdays_off', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reminder_prefs_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_reminder_prefs'))
    )


def downgrade() -> None:
    op.drop_table('reminder_prefs')
    op.drop_index('ix_scheduled_sends_status_due_at', table_name='scheduled_sends')
    op.drop_table('scheduled_sends')
