"""Service requests from residents: requests, their status history, drafts, staff cards.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table('service_requests',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('requester_id', ID, nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('for_whom', sa.String(length=10), nullable=False),
    sa.Column('days', JSON, nullable=False),
    sa.Column('time_window', sa.String(length=10), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('voice_file_ids', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.Column('consent_at', TIMESTAMP, nullable=False),
    sa.Column('taken_by', ID, nullable=True),
    sa.Column('centre_id', ID, nullable=True),
    sa.Column('contact_when', TIMESTAMP, nullable=True),
    sa.Column('scheduled_for', TIMESTAMP, nullable=True),
    sa.Column('decline_reason', sa.String(length=300), nullable=True),
    sa.Column('purged_at', TIMESTAMP, nullable=True),
    sa.CheckConstraint("status IN ('received', 'under_review', 'accepted', 'scheduled', 'done', 'declined', 'cancelled')", name=op.f('ck_service_requests_status_known')),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_service_requests_requester_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['taken_by'], ['people.id'], name=op.f('fk_service_requests_taken_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['centre_id'], ['business_centres.id'], name=op.f('fk_service_requests_centre_id_business_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests')),
    sa.UniqueConstraint('reference', name=op.f('uq_service_requests_reference'))
    )
    op.create_index('ix_service_requests_status_created_at', 'service_requests', ['status', 'created_at'], unique=False)
    op.create_index('ix_service_requests_centre_id_status', 'service_requests', ['centre_id', 'status'], unique=False)
    op.create_index('ix_service_requests_requester_id_id', 'service_requests', ['requester_id', 'id'], unique=False)

    op.create_table('service_request_changes',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('request_id', ID, nullable=False),
    sa.Column('at', TIMESTAMP, nullable=False),
    sa.Column('actor_person_id', ID, nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('details', JSON, nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_service_request_changes_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_person_id'], ['people.id'], name=op.f('fk_service_request_changes_actor_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_request_changes'))
    )
    op.create_index('ix_service_request_changes_request_id', 'service_request_changes', ['request_id'], unique=False)

    op.create_table('service_request_messages',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('request_id', ID, nullable=False),
    sa.Column('at', TIMESTAMP, nullable=False),
    sa.Column('author_person_id', ID, nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('voice_file_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_service_request_messages_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_person_id'], ['people.id'], name=op.f('fk_service_request_messages_author_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_request_messages'))
    )
    op.create_index('ix_service_request_messages_request_id', 'service_request_messages', ['request_id'], unique=False)

    op.create_table('service_request_drafts',
    sa.Column('person_id', ID, nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_service_request_drafts_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_service_request_drafts'))
    )
    op.create_index('ix_service_request_drafts_updated_at', 'service_request_drafts', ['updated_at'], unique=False)

    op.create_table('service_request_sequences',
    sa.Column('month', sa.String(length=4), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_service_request_sequences'))
    )


def downgrade() -> None:
    op.drop_table('service_request_sequences')
    op.drop_index('ix_service_request_drafts_updated_at', table_name='service_request_drafts')
    op.drop_table('service_request_drafts')
    op.drop_index('ix_service_request_messages_request_id', table_name='service_request_messages')
    op.drop_table('service_request_messages')
    op.drop_index('ix_service_request_changes_request_id', table_name='service_request_changes')
    op.drop_table('service_request_changes')
    op.drop_index('ix_service_requests_requester_id_id', table_name='service_requests')
    op.drop_index('ix_service_requests_centre_id_status', table_name='service_requests')
    op.drop_index('ix_service_requests_status_created_at', table_name='service_requests')
    op.drop_table('service_requests')
