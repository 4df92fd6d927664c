"""Shift swaps: volunteers' shifts, released places and who took them, calendar links.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('shifts') as batch:
        batch.add_column(
            sa.Column('for_volunteers', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('shift_releases',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('shift_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('released_at', TIMESTAMP, nullable=False),
    sa.Column('taken_by', ID, nullable=True),
    sa.Column('taken_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_shift_releases_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_shift_releases_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taken_by'], ['people.id'], name=op.f('fk_shift_releases_taken_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_releases'))
    )
    op.create_index('ix_shift_releases_shift_id', 'shift_releases', ['shift_id'], unique=False)
    op.create_table('calendar_tokens',
    sa.Column('person_id', ID, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_calendar_tokens_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_tokens_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('calendar_tokens')
    op.drop_index('ix_shift_releases_shift_id', table_name='shift_releases')
    op.drop_table('shift_releases')
    with op.batch_alter_table('shifts') as batch:
        batch.drop_column('for_volunteers')
