"""Business centres, shifts and who works them, general assemblies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('business_centres',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_centres'))
    )
    op.create_table('assemblies',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('title_ja', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('starts_at', TIMESTAMP, nullable=False),
    sa.Column('place_ja', sa.String(length=200), nullable=False),
    sa.Column('place_en', sa.String(length=200), nullable=False),
    sa.Column('answer_by', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assemblies'))
    )
    op.create_index('ix_assemblies_starts_at', 'assemblies', ['starts_at'], unique=False)

    op.create_table('shifts',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('centre_id', ID, nullable=False),
    sa.Column('starts_at', TIMESTAMP, nullable=False),
    sa.Column('ends_at', TIMESTAMP, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shifts_ends_after_start')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_shifts_capacity_positive')),
    sa.ForeignKeyConstraint(['centre_id'], ['business_centres.id'], name=op.f('fk_shifts_centre_id_business_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    op.create_index('ix_shifts_centre_id', 'shifts', ['centre_id'], unique=False)
    op.create_index('ix_shifts_starts_at', 'shifts', ['starts_at'], unique=False)

    op.create_table('shift_assignments',
    sa.Column('shift_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_shift_assignments_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_shift_assignments_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shift_id', 'person_id', name=op.f('pk_shift_assignments'))
    )
    op.create_index('ix_shift_assignments_person_id', 'shift_assignments', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_shift_assignments_person_id', table_name='shift_assignments')
    op.drop_table('shift_assignments')
    op.drop_index('ix_shifts_starts_at', table_name='shifts')
    op.drop_index('ix_shifts_centre_id', table_name='shifts')
    op.drop_table('shifts')
    op.drop_index('ix_assemblies_starts_at', table_name='assemblies')
    op.drop_table('assemblies')
    op.drop_table('business_centres')
