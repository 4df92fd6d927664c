"""Volunteer applications and volunteer hours; personal-data retention.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table('hour_reports') as batch:
        batch.add_column(
            sa.Column('volunteer', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('volunteer_applications',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('interests', JSON, nullable=False),
    sa.Column('availability', JSON, nullable=False),
    sa.Column('languages', JSON, nullable=False),
    sa.Column('skills', JSON, nullable=False),
    sa.Column('skills_note', sa.String(length=300), nullable=True),
    sa.Column('consented_at', TIMESTAMP, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('decided_by', ID, nullable=True),
    sa.Column('decided_at', TIMESTAMP, nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('purged_at', TIMESTAMP, nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_volunteer_applications_status_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_volunteer_applications_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['people.id'], name=op.f('fk_volunteer_applications_decided_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_applications'))
    )
    op.create_index('ix_volunteer_applications_person_id', 'volunteer_applications', ['person_id'], unique=False)
    op.create_index('ix_volunteer_applications_status_id', 'volunteer_applications', ['status', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_volunteer_applications_status_id', table_name='volunteer_applications')
    op.drop_index('ix_volunteer_applications_person_id', table_name='volunteer_applications')
    op.drop_table('volunteer_applications')
    with op.batch_alter_table('hour_reports') as batch:
        batch.drop_column('volunteer')
