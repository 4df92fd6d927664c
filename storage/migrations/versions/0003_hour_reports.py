"""Hour reports and their history of changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table('hour_reports',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('centre_id', ID, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.Column('decided_by', ID, nullable=True),
    sa.Column('decided_at', TIMESTAMP, nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_hour_reports_minutes_in_a_day')),
    sa.CheckConstraint('minutes % 15 = 0', name=op.f('ck_hour_reports_minutes_quarter_hours')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_hour_reports_status_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_hour_reports_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['centre_id'], ['business_centres.id'], name=op.f('fk_hour_reports_centre_id_business_centres')),
    sa.ForeignKeyConstraint(['decided_by'], ['people.id'], name=op.f('fk_hour_reports_decided_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hour_reports'))
    )
    op.create_index('ix_hour_reports_person_id_day', 'hour_reports', ['person_id', 'day'], unique=False)
    op.create_index('ix_hour_reports_status_id', 'hour_reports', ['status', 'id'], unique=False)

    op.create_table('hour_report_changes',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('report_id', ID, nullable=False),
    sa.Column('at', TIMESTAMP, nullable=False),
    sa.Column('actor_person_id', ID, nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('details', JSON, nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['hour_reports.id'], name=op.f('fk_hour_report_changes_report_id_hour_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_person_id'], ['people.id'], name=op.f('fk_hour_report_changes_actor_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hour_report_changes'))
    )
    op.create_index('ix_hour_report_changes_report_id', 'hour_report_changes', ['report_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_hour_report_changes_report_id', table_name='hour_report_changes')
    op.drop_table('hour_report_changes')
    op.drop_index('ix_hour_reports_status_id', table_name='hour_reports')
    op.drop_index('ix_hour_reports_person_id_day', table_name='hour_reports')
    op.drop_table('hour_reports')
