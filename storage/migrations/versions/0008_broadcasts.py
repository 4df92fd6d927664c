"""Broadcasts: campaigns, their recipients, opt-outs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('created_by', ID, nullable=True),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('send_at', TIMESTAMP, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('centre_id', ID, nullable=True),
    sa.Column('assembly_id', ID, nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text_ja', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('coordinator_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('coordinator_locale', sa.String(length=8), nullable=False),
    sa.Column('cursor', sa.BigInteger(), nullable=False),
    sa.Column('materialised', sa.Boolean(), nullable=False),
    sa.Column('started_at', TIMESTAMP, nullable=True),
    sa.Column('finished_at', TIMESTAMP, nullable=True),
    sa.Column('progress_outbox_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_at', TIMESTAMP, nullable=True),
    sa.Column('progress_text', sa.Text(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'running', 'paused', 'cancelled', 'done')", name=op.f('ck_broadcasts_status_known')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_broadcasts_created_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['centre_id'], ['business_centres.id'], name=op.f('fk_broadcasts_centre_id_business_centres'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_broadcasts_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    op.create_index('ix_broadcasts_status_send_at', 'broadcasts', ['status', 'send_at'], unique=False)
    op.create_table('broadcast_deliveries',
    sa.Column('broadcast_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('outbox_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_deliveries_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_broadcast_deliveries_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_broadcast_deliveries_outbox_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'person_id', name=op.f('pk_broadcast_deliveries')),
    sa.UniqueConstraint('outbox_id', name=op.f('uq_broadcast_deliveries_outbox_id'))
    )
    op.create_table('broadcast_preferences',
    sa.Column('person_id', ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('receive', sa.Boolean(), nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_broadcast_preferences_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'kind', name=op.f('pk_broadcast_preferences'))
    )


def downgrade() -> None:
    op.drop_table('broadcast_preferences')
    op.drop_table('broadcast_deliveries')
    op.drop_index('ix_broadcasts_status_send_at', table_name='broadcasts')
    op.drop_table('broadcasts')
