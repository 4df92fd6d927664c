"""Staff web desk: one-time sign-in links and sessions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('desk_logins',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('expires_at', TIMESTAMP, nullable=False),
    sa.Column('used_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_desk_logins_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_desk_logins'))
    )
    op.create_table('desk_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', ID, nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('last_seen_at', TIMESTAMP, nullable=False),
    sa.Column('ended_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_desk_sessions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_desk_sessions'))
    )
    op.create_index('ix_desk_sessions_person_id', 'desk_sessions', ['person_id'], unique=False)
    op.create_index('ix_audit_log_actor_person_id_id', 'audit_log', ['actor_person_id', 'id'], unique=False)
    op.create_index('ix_audit_log_subject_id', 'audit_log', ['subject', 'id'], unique=False)
    op.create_index('ix_audit_log_action_id', 'audit_log', ['action', 'id'], unique=False)
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_index('ix_audit_log_action_id', table_name='audit_log')
    op.drop_index('ix_audit_log_subject_id', table_name='audit_log')
    op.drop_index('ix_audit_log_actor_person_id_id', table_name='audit_log')
    op.drop_index('ix_desk_sessions_person_id', table_name='desk_sessions')
    op.drop_table('desk_sessions')
    op.drop_table('desk_logins')
