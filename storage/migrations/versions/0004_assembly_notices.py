"""Assembly notices: agenda, quorum and centre on assemblies; members' answers; check-ins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key with ALTER TABLE, so it rebuilds the table.
    with op.batch_alter_table('assemblies') as batch:
        batch.add_column(sa.Column('agenda_ja', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('agenda_en', sa.Text(), server_default='', nullable=False))
        batch.add_column(
            sa.Column('quorum_numerator', sa.Integer(), server_default='1', nullable=False)
        )
        batch.add_column(
            sa.Column('quorum_denominator', sa.Integer(), server_default='2', nullable=False)
        )
        batch.add_column(sa.Column('centre_id', ID, nullable=True))
        batch.create_foreign_key(
            op.f('fk_assemblies_centre_id_business_centres'),
            'business_centres',
            ['centre_id'],
            ['id'],
        )

    op.create_table('assembly_answers',
    sa.Column('assembly_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('rsvp', sa.String(length=10), nullable=False),
    sa.Column('proxy_to', ID, nullable=True),
    sa.Column('answered_at', TIMESTAMP, nullable=False),
    sa.CheckConstraint("rsvp IN ('attending', 'absent', 'proxy')", name=op.f('ck_assembly_answers_rsvp_known')),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_answers_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_assembly_answers_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proxy_to'], ['people.id'], name=op.f('fk_assembly_answers_proxy_to_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assembly_id', 'person_id', name=op.f('pk_assembly_answers'))
    )
    op.create_table('assembly_checkins',
    sa.Column('assembly_id', ID, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('checked_in_by', ID, nullable=True),
    sa.Column('checked_in_at', TIMESTAMP, nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_checkins_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_assembly_checkins_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checked_in_by'], ['people.id'], name=op.f('fk_assembly_checkins_checked_in_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assembly_id', 'person_id', name=op.f('pk_assembly_checkins'))
    )


def downgrade() -> None:
    op.drop_table('assembly_checkins')
    op.drop_table('assembly_answers')
    with op.batch_alter_table('assemblies') as batch:
        batch.drop_constraint(op.f('fk_assemblies_centre_id_business_centres'), type_='foreignkey')
        batch.drop_column('centre_id')
        batch.drop_column('quorum_denominator')
        batch.drop_column('quorum_numerator')
        batch.drop_column('agenda_en')
        batch.drop_column('agenda_ja')
