"""Initial schema: people, invites, dialog state, inbox, outbox, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:30:37.389464
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here rather than imported from storage.models: a migration must keep describing
# the schema as it was, whatever the models become later. The types match the models' impls.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# SQLite only autoincrements a primary key declared exactly INTEGER.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('dialog_states',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('dialog', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_id', name=op.f('pk_dialog_states'))
    )
    op.create_table('inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('payload', JSON, nullable=False),
    sa.Column('received_at', TIMESTAMP, nullable=False),
    sa.Column('handled_at', TIMESTAMP, nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox'))
    )
    op.create_index('ix_inbox_handled_at_update_id', 'inbox', ['handled_at', 'update_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('buttons', JSON, nullable=False),
    sa.Column('edit_message_id', sa.BigInteger(), nullable=True),
    sa.Column('parse_mode', sa.String(length=16), nullable=True),
    sa.Column('is_group', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('not_before', TIMESTAMP, nullable=True),
    sa.Column('lease_until', TIMESTAMP, nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('sent_at', TIMESTAMP, nullable=True),
    sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    op.create_index('ix_outbox_status_not_before', 'outbox', ['status', 'not_before'], unique=False)

    op.create_table('people',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=35), nullable=True),
    sa.Column('telegram_language', sa.String(length=35), nullable=True),
    sa.Column('unreachable', sa.Boolean(), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('telegram_user_id', name=op.f('uq_people_telegram_user_id'))
    )
    op.create_table('audit_log',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('at', TIMESTAMP, nullable=False),
    sa.Column('actor_person_id', ID, nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('details', JSON, nullable=True),
    sa.ForeignKeyConstraint(['actor_person_id'], ['people.id'], name=op.f('fk_audit_log_actor_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('invites',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_by', ID, nullable=True),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('expires_at', TIMESTAMP, nullable=False),
    sa.Column('used_by', ID, nullable=True),
    sa.Column('used_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_invites_created_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['used_by'], ['people.id'], name=op.f('fk_invites_used_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_invites'))
    )
    op.create_table('person_roles',
    sa.Column('person_id', ID, nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_roles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'role', name=op.f('pk_person_roles'))
    )


def downgrade() -> None:
    op.drop_table('person_roles')
    op.drop_table('invites')
    op.drop_table('audit_log')
    op.drop_table('people')
    op.drop_index('ix_outbox_status_not_before', table_name='outbox')
    op.drop_table('outbox')
    op.drop_index('ix_inbox_handled_at_update_id', table_name='inbox')
    op.drop_table('inbox')
    op.drop_table('dialog_states')
